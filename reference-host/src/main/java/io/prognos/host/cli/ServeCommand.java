package io.prognos.host.cli;

import io.prognos.host.runtime.HostRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine.Command;

/** {@code serve}: the host runs until SIGTERM or Ctrl-C. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the host (the default): REST API, MQTT adapter, PostgreSQL; stored models reloaded.")
final class ServeCommand extends HostCommand {

    @Override
    public Integer call() throws Exception {
        return serve(Launch.of(config), out());
    }

    static int serve(Launch launch, PrintWriter out) throws Exception {
        HostRuntime runtime =
                HostRuntime.start(launch.config(), launch.found(), HostRuntime.Parts.ALL, Clock.systemUTC());
        out.printf(
                "Prognos serving: REST http://%s:%d/api/v1/lstm/status, MQTT %s; stop with Ctrl-C or SIGTERM%n",
                runtime.maskedConfig().get("prognos.http.bind"),
                runtime.rest().port(),
                runtime.mqtt() == null ? "disabled" : runtime.maskedConfig().get("mqtt.url"));
        if (runtime.kafka() != null) {
            var k = runtime.kafka().settings();
            out.printf(
                    "Kafka: readings from %s on %s, results to %s*, sharing sensors with every host of application"
                            + " '%s'%n",
                    k.readingsTopic(), k.bootstrap(), k.outputPrefix(), k.applicationId());
        }
        if (runtime.broker() != null) {
            runtime.broker()
                    .deviceCredentials()
                    .ifPresent(c -> out.printf(
                            "MQTT devices log in as '%s' with the password in prognos.mqtt.password or %s%n",
                            c.username(), runtime.devicePasswordFile()));
        }
        out.flush();
        Thread.currentThread().join(); // until SIGTERM: the runtime's shutdown hook closes everything
        return 0;
    }
}
