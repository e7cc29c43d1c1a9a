package io.prognos.host;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.PrognosException;
import io.prognos.api.ThreadLimits;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * The reference host's command line. This build has the {@code demo} subcommand; the server
 * (REST, MQTT, PostgreSQL) arrives with the adapters.
 */
public final class PrognosHost {

    private static final String HELP = """
            usage: java -jar prognos-host.jar <command>

            commands:
              demo     train, forecast and assess risk for three sensors (one real NAB series, two
                       generated), replaying their readings hour by hour, and print models, alerts,
                       current risk and the maintenance schedule
              --help   this text

            configuration (system properties):
              prognos.threads   concurrent training jobs (default: half the cores, at least 1)
            """;

    private PrognosHost() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "--help" : args[0];
        switch (command) {
            case "--help", "-h", "help" -> {
                out.print(HELP);
                return 0;
            }
            case "demo" -> {
                return demo(out, err);
            }
            default -> {
                err.println("unknown command '" + command + "'");
                err.print(HELP);
                return 2;
            }
        }
    }

    private static int demo(PrintStream out, PrintStream err) {
        PluginDiscovery.Result found = PluginDiscovery.discover(PrognosHost.class.getClassLoader());
        found.refused().forEach(r -> err.println("refused plugin " + r.provider() + ": " + r.reason()));
        ForecastingPlugin plugin = found.plugins().stream().filter(p -> p.id().equals("lstm")).findFirst()
                .orElse(null);
        if (plugin == null) {
            err.println("no forecasting plugin 'lstm' on the class path");
            return 1;
        }
        ThreadLimits limits;
        try {
            int threads = Integer.parseInt(System.getProperty("prognos.threads",
                    Integer.toString(ThreadLimits.defaults().trainingJobs())));
            limits = new ThreadLimits(threads, 1);
        } catch (NumberFormatException | PrognosException e) {
            err.println("prognos.threads must be a whole number of at least 1: " + e.getMessage());
            return 2;
        }
        try {
            plugin.start(new PluginContext(Map.of(), limits, new InMemoryModelStore(), Clock.systemUTC()));
            new Demo(plugin, out).run(Demo.sensors());
            return 0;
        } catch (PrognosException e) {
            err.println("demo failed: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            err.println("demo data could not be read: " + e.getMessage());
            return 1;
        } finally {
            plugin.stop();
        }
    }
}
