package io.prognos.host.cli;

import ch.qos.logback.classic.Level;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.host.demo.Demo;
import io.prognos.host.runtime.HostRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}: a real sensor series and two generated ones through MQTT, PostgreSQL and the plugin. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Replay a real sensor series and two generated ones through MQTT, train, forecast, alert and"
                + " print the models, risk and maintenance schedule.")
final class DemoCommand extends HostCommand {

    @Option(names = "--stay", description = "keep serving afterwards")
    boolean stay;

    @Override
    public Integer call() throws Exception {
        Launch launch = Launch.of(config);
        Map<String, String> withDefaults = new LinkedHashMap<>(Demo.demoDefaults());
        withDefaults.putAll(launch.config());
        quietLogs();
        PrintWriter out = out();
        try (HostRuntime runtime =
                HostRuntime.start(withDefaults, launch.found(), HostRuntime.Parts.ALL, Clock.systemUTC())) {
            if (runtime.mqtt() == null) {
                throw new InvalidConfigurationException(
                        "the demo",
                        List.of(new ConfigProblem(
                                "prognos.mqtt.enabled", "the demo runs through MQTT: leave it true")));
            }
            // First, so that the page can be opened while the demo replays (it updates live).
            out.println(Demo.dashboardLine(runtime.rest().port()));
            out.flush();
            new Demo(runtime, out)
                    .run(
                            Demo.sensors(Demo.currentHour()),
                            runtime.maskedConfig().get("mqtt.url"));
            int mqttPort = runtime.broker() != null ? runtime.broker().port() : 1883;
            String login = runtime.broker() == null
                    ? ""
                    : runtime.broker()
                            .deviceCredentials()
                            .map(c -> " -u " + c.username() + " -P \"$(cat " + runtime.devicePasswordFile() + ")\"")
                            .orElse("");
            out.print(Demo.watchLines(runtime.rest().port(), mqttPort, login));
            if (stay) {
                out.println(Demo.dashboardLine(runtime.rest().port()));
                out.println("serving until Ctrl-C ...");
                out.flush();
                Thread.currentThread().join();
            } else {
                out.println("To keep it running: java -jar reference-host/target/prognos-host.jar demo --stay"
                        + "  (or: serve --limits '" + Demo.LIMITS + "')");
            }
            out.flush();
            return 0;
        }
    }

    /** The demo's own output is the point; the host's INFO logs would bury it. */
    private static void quietLogs() {
        if (LoggerFactory.getLogger("io.prognos") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(Level.WARN);
        }
    }
}
