package io.prognos.host.cli;

import io.prognos.api.ConfigDef;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.PrognosException;
import io.prognos.evaluation.cli.EvaluateCommand;
import io.prognos.evaluation.cli.NabCommand;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.PluginLoader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The reference host's command line: {@code serve} (the default), {@code demo}, {@code train},
 * {@code forecast}, {@code bench}, {@code evaluate} and {@code nab}. Exit status 0 on success, 1
 * when the work failed, 2 for a bad command line or configuration.
 */
@Command(
        name = "prognos-host",
        mixinStandardHelpOptions = true,
        versionProvider = PrognosHost.Version.class,
        synopsisSubcommandLabel = "[COMMAND]",
        description = "Prognos: forecasts, anomaly scores, failure risk and a maintenance schedule for every sensor."
                + " Without a command it serves.",
        subcommands = {
            ServeCommand.class,
            DemoCommand.class,
            TrainCommand.class,
            ForecastCommand.class,
            BenchCommand.class,
            BenchIngestCommand.class,
            BenchKafkaCommand.class
        })
public final class PrognosHost extends HostCommand {

    public static void main(String[] args) {
        // HiveMQ's jar carries a logback.xml of its own; name ours so that logback never picks theirs.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "prognos-logback.xml");
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command and returns its exit status ({@code serve} returns only when the host stops). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrognosHost root = new PrognosHost();
        CommandLine cl = new CommandLine(root);
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        // evaluate and nab live in the evaluation module; the host gives them its plugin and configuration.
        ConfigOptions evaluateConfig = new ConfigOptions();
        cl.addSubcommand(evaluateConfig.mixedInto(new CommandLine(
                new EvaluateCommand(() -> Launch.of(evaluateConfig).startAlone()))));
        ConfigOptions nabConfig = new ConfigOptions();
        cl.addSubcommand(nabConfig.mixedInto(
                new CommandLine(new NabCommand(() -> Launch.of(nabConfig).startAlone()))));
        // Writers and handlers reach only the subcommands present when they are set: set them last.
        cl.setOut(o);
        cl.setErr(e);
        // The keys table is one line per key: wide enough not to wrap it. Rendered only when help is
        // shown: built eagerly, it loaded every plugin a second time on each start (logged twice).
        cl.getCommandSpec().usageMessage().width(170);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> footer(root.config));
        // Configuration flags (--KEY=VALUE) are ConfigDef's to judge, not picocli's: ConfigOptions collects them.
        cl.setUnmatchedArgumentsAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter w = line.getErr();
            String command = line.getCommandName();
            if (ex instanceof InvalidConfigurationException) {
                w.println(ex.getMessage());
                return 2;
            }
            if (ex instanceof PrognosException) {
                w.println(command + " failed: " + ex.getMessage());
                return 1;
            }
            if (ex instanceof FileSystemException f) {
                // A file given on the command line that is missing or unreadable: the user's to mend,
                // said in a line, not a stack trace (NoSuchFileException's message is the bare path).
                String why = ex instanceof NoSuchFileException
                        ? "no such file"
                        : ex instanceof AccessDeniedException ? "permission denied" : f.getReason();
                w.println(command + " failed: " + f.getFile() + ": " + why);
                return 1;
            }
            w.println(command + " failed: " + ex);
            ex.printStackTrace(w);
            return 1;
        });
        int code = cl.execute(args);
        o.flush();
        e.flush();
        return code;
    }

    /** No command: serve, or name the unknown command. */
    @Override
    public Integer call() throws Exception {
        List<String> unmatched = config.unmatched();
        if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "unknown command '" + unmatched.get(0) + "'; commands are "
                            + spec.subcommands().keySet());
        }
        return ServeCommand.serve(Launch.of(config), out());
    }

    /**
     * Every configuration key of the host, its adapters and the plugins a start would load (those in
     * {@code prognos.plugins-dir} as the configuration's sources give it), with defaults.
     */
    private static String footer(ConfigOptions options) {
        Path dir;
        String unread = "";
        try {
            dir = Launch.pluginsDir(options, System.getenv());
        } catch (PrognosException e) {
            // Help is still shown for a configuration that cannot be read; it says what is missing.
            dir = null;
            unread = String.format("%n(keys of plugins in prognos.plugins-dir not listed: %s)%n", e.getMessage());
        }
        List<ForecastingPlugin> plugins = PluginLoader.load(PrognosHost.class.getClassLoader(), dir).plugins().stream()
                .map(PluginLoader.Loaded::plugin)
                .toList();
        StringBuilder sb = new StringBuilder(String.format(
                "%nConfiguration: a properties file (--config FILE, or ./prognos.properties), then environment variables"
                        + " (the key in upper case,%ndots and dashes as underscores: JDBC_URL), then flags (--jdbc.url=...,"
                        + " or --data-dir DIR for host keys). Keys and defaults:%n"));
        for (ConfigDef.Key k : HostRuntime.knownKeys(plugins)) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-28s %-14s %s%n",
                    k.name(),
                    k.secret() ? "(secret)" : k.defaultValue() == null ? "(none)" : shorten(k.defaultValue()),
                    k.description()));
        }
        return sb.append(unread).toString();
    }

    private static String shorten(String v) {
        return v.isEmpty() ? "\"\"" : v.length() > 14 ? v.substring(0, 11) + "..." : v;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PrognosHost.class.getPackage().getImplementationVersion();
            return new String[] {"prognos-host " + (v != null ? v : "development build")};
        }
    }
}
