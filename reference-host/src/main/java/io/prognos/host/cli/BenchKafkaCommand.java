package io.prognos.host.cli;

import io.prognos.host.demo.KafkaBench;
import io.prognos.host.runtime.EmbeddedDatabase;
import io.prognos.host.runtime.FileTrees;
import io.prognos.host.runtime.HostRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code bench-kafka}: readings per second and reading-to-forecast latency through hosts on Kafka. */
@Command(
        name = "bench-kafka",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Against the Kafka at --kafka.bootstrap: trains the sensors that have no model yet (one epoch:"
                + " a reading costs the same whatever the epochs) into an embedded PostgreSQL in --data-dir (kept,"
                + " so a second run reuses the models), starts --instances host processes (serve, Kafka only,"
                + " topics and application of their own), warms every sensor with its recent history, then"
                + " publishes --rounds readings per sensor at once and times them to their committed forecasts"
                + " (readings_per_s), then --rate readings a second for --seconds, each timed from its send to its"
                + " forecast at a read_committed consumer (latency_*).")
final class BenchKafkaCommand extends HostCommand {

    @Option(names = "--sensors", paramLabel = "N", defaultValue = "10000", description = "sensors (10000)")
    int sensors;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1", description = "host processes (1)")
    int instances;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "readings per sensor, at once (3)")
    int rounds;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1000", description = "readings a second (1000)")
    int rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "latency phase (30)")
    int seconds;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "12", description = "readings partitions (12)")
    int partitions;

    @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "3g", description = "each host's -Xmx (3g)")
    String heap;

    @Option(names = "--json", description = "JSON instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        atLeastOne("--sensors", sensors);
        atLeastOne("--instances", instances);
        atLeastOne("--rounds", rounds);
        atLeastOne("--rate", rate);
        atLeastOne("--seconds", seconds);
        atLeastOne("--partitions", partitions);
        Launch launch = Launch.of(config);
        Map<String, String> values = new HashMap<>(launch.config());
        String bootstrap = values.get("kafka.bootstrap");
        if (bootstrap == null) {
            throw new ParameterException(spec.commandLine(), "--kafka.bootstrap=HOST:PORT is required");
        }
        // A data directory of its own unless given, removed at the end.
        Path created = values.containsKey("prognos.data-dir") ? null : Files.createTempDirectory("prognos-bench-kafka");
        Path dir = created == null ? Path.of(values.get("prognos.data-dir")) : created;
        Instant start = KafkaBench.start(sensors, rounds, rate, seconds);
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("shared-db"))) {
            Map<String, String> own = new HashMap<>(values);
            own.put("prognos.data-dir", dir.resolve("bench").toString());
            own.put("jdbc.url", db.jdbcUrl());
            own.remove("kafka.bootstrap");
            try (HostRuntime models =
                    HostRuntime.start(own, launch.found(), HostRuntime.Parts.STORE_ONLY, Clock.systemUTC())) {
                KafkaBench bench = new KafkaBench(bootstrap, db.jdbcUrl(), models.plugin());
                long t0 = System.nanoTime();
                int trained = bench.prepareModels(
                        sensors, start, Math.max(1, Runtime.getRuntime().availableProcessors()));
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("instances", instances);
                figures.put("partitions", partitions);
                figures.put("models_trained_now", trained);
                figures.put("models_prepare_s", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
                try {
                    bench.startHosts(instances, partitions, heap, dir);
                    figures.putAll(bench.measure(sensors, start, rounds, rate, seconds));
                } finally {
                    bench.stopHosts();
                }
                Figures.print(out(), figures, json);
                return 0;
            }
        } finally {
            if (created != null) {
                FileTrees.deleteTree(created);
            }
        }
    }
}
