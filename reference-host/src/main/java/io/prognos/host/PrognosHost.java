package io.prognos.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.ConfigDef;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelInfo;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import io.prognos.mqtt.Payloads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The reference host's command line: {@code serve} (the default), {@code demo}, {@code train}, {@code forecast}, {@code bench}, {@code evaluate}. */
public final class PrognosHost {

    private static final String USAGE = """
            usage: java -jar prognos-host.jar [command] [options] [--config FILE] [--KEY=VALUE ...]

            commands:
              serve      (default) run the host: REST API, MQTT adapter, PostgreSQL, stored models reloaded
              demo       replay a real sensor series and two generated ones through MQTT, train, forecast,
                         alert and print the models, risk and maintenance schedule; --stay keeps serving
              train      --device D --sensor S [--csv FILE] [--json]: train one sensor from the database,
                         or from a CSV of timestamp,value, and store the model
              forecast   --device D --sensor S [--csv FILE] [--json]: forecast one sensor with its stored model
              bench      [--json] [--sensors N] [--trainings N]: performance figures of the plugin
              evaluate   --csv FILE [...]: rolling-origin backtest; see 'evaluate --help'
              --help     this text

            configuration: a properties file (--config FILE, or ./prognos.properties), then environment
            variables (the key in upper case, dots and dashes as underscores: JDBC_URL), then flags
            (--jdbc.url=..., or --data-dir DIR for host keys). Keys and defaults:
            """;

    private PrognosHost() {
    }

    public static void main(String[] args) {
        // HiveMQ's jar carries a logback.xml of its own; name ours so that logback never picks theirs.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "prognos-logback.xml");
        }
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs a command; a negative result means "still serving" (the JVM exits on SIGTERM). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl;
        try {
            cl = CommandLine.parse(args);
        } catch (InvalidConfigurationException e) {
            err.println(e.getMessage());
            return 2;
        }
        PluginLoader.Found found;
        try {
            String dir = cl.configuration(HostConfig.CONFIG.keys(), System.getenv()).getOrDefault("prognos.plugins-dir",
                    "plugins");
            found = PluginLoader.load(PrognosHost.class.getClassLoader(), Path.of(dir));
        } catch (InvalidConfigurationException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<ForecastingPlugin> plugins = found.plugins().stream().map(PluginLoader.Loaded::plugin).toList();
        if (cl.command().equals("help") || cl.has("help") || cl.has("h")) {
            if (cl.command().equals("evaluate")) {
                out.print(Evaluate.USAGE);
            } else {
                out.print(USAGE);
                out.print(keys(HostRuntime.knownKeys(plugins)));
            }
            return 0;
        }
        try {
            Map<String, String> config = cl.configuration(HostRuntime.knownKeys(plugins), System.getenv());
            return switch (cl.command()) {
                case "serve" -> serve(config, found, out);
                case "demo" -> demo(cl, config, found, out);
                case "train" -> train(cl, config, found, out);
                case "forecast" -> forecast(cl, config, found, out);
                case "bench" -> bench(cl, config, found, out, err);
                case "evaluate" -> Evaluate.run(cl, config, choose(config, found), out, err);
                default -> {
                    err.println("unknown command '" + cl.command() + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (InvalidConfigurationException e) {
            err.println(e.getMessage());
            return 2;
        } catch (PrognosException e) {
            err.println(cl.command() + " failed: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println(cl.command() + " failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    static String keys(List<ConfigDef.Key> keys) {
        StringBuilder sb = new StringBuilder();
        for (ConfigDef.Key k : keys) {
            sb.append(String.format(Locale.ROOT, "  %-28s %-14s %s%n", k.name(),
                    k.secret() ? "(secret)" : k.defaultValue() == null ? "(none)" : shorten(k.defaultValue()),
                    k.description()));
        }
        return sb.toString();
    }

    private static String shorten(String v) {
        return v.isEmpty() ? "\"\"" : v.length() > 14 ? v.substring(0, 11) + "..." : v;
    }

    private static int serve(Map<String, String> config, PluginLoader.Found found, PrintStream out) throws Exception {
        HostRuntime runtime = HostRuntime.start(config, found, HostRuntime.Parts.ALL, Clock.systemUTC());
        out.printf("Prognos serving: REST http://%s:%d/api/v1/lstm/status, MQTT %s; stop with Ctrl-C or SIGTERM%n",
                runtime.maskedConfig().get("prognos.http.bind"), runtime.rest().port(),
                runtime.maskedConfig().getOrDefault("mqtt.url", "disabled"));
        Thread.currentThread().join(); // until SIGTERM: the runtime's shutdown hook closes everything
        return -1;
    }

    private static int demo(CommandLine cl, Map<String, String> config, PluginLoader.Found found, PrintStream out)
            throws Exception {
        Map<String, String> withDefaults = new LinkedHashMap<>(Demo.demoDefaults());
        withDefaults.putAll(config);
        quietLogs();
        try (HostRuntime runtime = HostRuntime.start(withDefaults, found, HostRuntime.Parts.ALL, Clock.systemUTC())) {
            if (runtime.mqtt() == null) {
                throw new InvalidConfigurationException("the demo", List.of(new io.prognos.api.ConfigProblem(
                        "prognos.mqtt.enabled", "the demo runs through MQTT: leave it true")));
            }
            new Demo(runtime, out).run(Demo.sensors(Demo.currentHour()),
                    runtime.maskedConfig().get("mqtt.url"));
            int mqttPort = runtime.broker() != null ? runtime.broker().port() : 1883;
            out.print(Demo.watchLines(runtime.rest().port(), mqttPort));
            if (cl.has("stay")) {
                out.println("serving until Ctrl-C ...");
                Thread.currentThread().join();
            } else {
                out.println("To keep it running: java -jar reference-host/target/prognos-host.jar demo --stay"
                        + "  (or: serve --limits '" + Demo.LIMITS + "')");
            }
            return 0;
        }
    }

    private static int train(CommandLine cl, Map<String, String> config, PluginLoader.Found found, PrintStream out)
            throws Exception {
        SensorId sensor = sensorOf(cl);
        try (HostRuntime runtime = HostRuntime.start(config, found, HostRuntime.Parts.STORE_ONLY, Clock.systemUTC())) {
            ModelInfo m = cl.has("csv")
                    ? runtime.plugin().train(new TrainRequest(sensor, csv(cl), TrainingOptions.defaults()))
                    : runtime.service().train(sensor, TrainingOptions.defaults());
            if (cl.has("json")) {
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                        LstmRoutes.modelNode(new ObjectMapper(), m)));
            } else {
                out.printf(Locale.ROOT, "trained %s in %.1f s on %d points: serving %s, validation MAE %.3f"
                        + " (last value %.3f, MASE %.2f); stored%n", sensor, m.trainingMillis() / 1000.0,
                        m.sampleCount(), m.servedMethod(), m.valMae(), m.baselineMae(), m.mase());
            }
            return 0;
        }
    }

    private static int forecast(CommandLine cl, Map<String, String> config, PluginLoader.Found found, PrintStream out)
            throws Exception {
        SensorId sensor = sensorOf(cl);
        try (HostRuntime runtime = HostRuntime.start(config, found, HostRuntime.Parts.STORE_ONLY, Clock.systemUTC())) {
            var f = cl.has("csv") ? runtime.plugin().forecast(new ForecastRequest(sensor, csv(cl)))
                    : runtime.service().predict(sensor, null).forecast();
            ObjectMapper json = new ObjectMapper();
            if (cl.has("json")) {
                out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(new Payloads(json).forecast(f)));
            } else {
                out.printf("forecast of %s from %s (%s, %.0f%% intervals):%n", sensor, f.lastObserved(), f.method(),
                        f.coverage() * 100);
                f.points().forEach(p -> out.printf(Locale.ROOT, "  %s  %10.3f  [%.3f, %.3f]%n", p.timestamp(),
                        p.value(), p.lower(), p.upper()));
            }
            return 0;
        }
    }

    private static int bench(CommandLine cl, Map<String, String> config, PluginLoader.Found found, PrintStream out,
                             PrintStream err) throws Exception {
        PluginLoader.Loaded chosen = choose(config, found);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(chosen.loader());
        try {
            Map<String, Object> figures = new Bench(chosen.plugin(), err).run(
                    Integer.parseInt(cl.option("sensors", "1000")), Integer.parseInt(cl.option("trainings", "500")));
            String text = new ObjectMapper().writeValueAsString(figures);
            if (cl.has("json")) {
                out.println(text);
            } else {
                figures.forEach((k, v) -> out.printf("%-28s %s%n", k, v));
            }
            return 0;
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /** The plugin named by {@code prognos.plugin}, for commands that run it without the rest of the host. */
    static PluginLoader.Loaded choose(Map<String, String> config, PluginLoader.Found found) {
        return found.byId(HostConfig.CONFIG.parse("the host", CommandLine.withPrefix(config, "prognos."))
                .getString("prognos.plugin"));
    }

    private static SensorId sensorOf(CommandLine cl) {
        if (!cl.has("device") || !cl.has("sensor")) {
            throw new io.prognos.api.BadRequestException("device", "give --device ID and --sensor KEY");
        }
        return SensorId.of(cl.option("device", null), cl.option("sensor", null));
    }

    static List<Reading> csv(CommandLine cl) throws IOException {
        Path file = Path.of(cl.option("csv", ""));
        try (BufferedReader in = Files.newBufferedReader(file)) {
            return CsvReadings.read(in, cl.option("delimiter", ","), cl.options().get("ts-column"),
                    cl.options().get("value-column"));
        }
    }

    /** The demo's own output is the point; the host's INFO logs would bury it. */
    private static void quietLogs() {
        if (org.slf4j.LoggerFactory.getLogger("io.prognos") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
