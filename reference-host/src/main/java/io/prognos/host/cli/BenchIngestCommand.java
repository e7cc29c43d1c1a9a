package io.prognos.host.cli;

import io.prognos.host.demo.IngestLoad;
import io.prognos.host.demo.LatencyProbe;
import io.prognos.host.runtime.FileTrees;
import io.prognos.host.runtime.HostRuntime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench-ingest}: readings per second a host takes over MQTT, and how many it loses. */
@Command(
        name = "bench-ingest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Starts a host (a fresh data directory unless --prognos.data-dir is given; free ports), publishes"
                + " QoS 1 readings to its broker at a fixed rate and counts what its sensor cycle received and what"
                + " reached sensor_readings, waiting up to five times the publishing time. missing: acknowledged but"
                + " not arrived by then (broker_dropped of them dropped by the broker; exit code 1). Meanwhile a trained"
                + " probe sensor sends a reading a second and waits for its forecast on the broker: latency_* are"
                + " those round trips, reading published to forecast received.")
final class BenchIngestCommand extends HostCommand {

    @Option(names = "--rate", paramLabel = "N", defaultValue = "5000", description = "readings per second (5000)")
    int rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "20", description = "publishing time (20)")
    int seconds;

    @Option(names = "--sensors", paramLabel = "N", defaultValue = "500", description = "distinct sensors (500)")
    int sensors;

    @Option(names = "--json", description = "JSON instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        atLeastOne("--rate", rate);
        atLeastOne("--seconds", seconds);
        atLeastOne("--sensors", sensors);
        Launch launch = Launch.of(config);
        Map<String, String> values = new HashMap<>(launch.config());
        // A data directory of its own unless given, removed at the end (each run left 70-90 MB of
        // database behind in the temporary directory).
        Path own = values.containsKey("prognos.data-dir") ? null : Files.createTempDirectory("prognos-bench-ingest");
        if (own != null) {
            values.put("prognos.data-dir", own.toString());
        }
        values.putIfAbsent("prognos.http.port", "0");
        values.putIfAbsent("prognos.mqtt.port", "0");
        PrintWriter out = out();
        try (HostRuntime host = HostRuntime.start(values, launch.found(), HostRuntime.Parts.ALL, Clock.systemUTC())) {
            LatencyProbe probe = new LatencyProbe(host);
            probe.prepare();
            IngestLoad.Result result = new IngestLoad(host)
                    .run(rate, rate * seconds, sensors, Duration.ofSeconds(Math.max(60, seconds * 5L)), probe);
            Figures.print(out, result.figures(), json);
            return result.missing() == 0 ? 0 : 1;
        } finally {
            if (own != null) {
                FileTrees.deleteTree(own);
            }
        }
    }
}
