package io.prognos.host.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.host.HostFixture;
import io.prognos.host.KafkaBroker;
import io.prognos.host.demo.HostProcess;
import io.prognos.host.runtime.EmbeddedDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three host processes on one real Kafka share 200 sensors; one is killed with SIGKILL in the middle
 * of the stream. Afterwards every reading has given exactly one committed forecast, no sensor was
 * trained twice, and the killed host's sensors are forecast by the others within a minute.
 */
class KafkaScaleOutTest {

    static final int SENSORS = 200;
    static final int HISTORY = 220;
    static final int STREAMED = 30;
    /** Readings after the restart. */
    static final int AFTER_RESTART = 5;

    static final int PARTITIONS = 6;
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopLeftovers() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    record Host(Process process, int port, Path log) {}

    Host startHost(Path data, String jdbcUrl, String bootstrap) throws Exception {
        Files.createDirectories(data);
        Path log = data.resolve("host-" + started.size() + ".log"); // a restart keeps the first log
        HostProcess h = HostProcess.serve(
                "384m",
                log,
                List.of(
                        "--data-dir",
                        data.toString(),
                        "--http.port=0",
                        "--mqtt.enabled=false",
                        "--jdbc.url=" + jdbcUrl,
                        "--kafka.bootstrap=" + bootstrap,
                        "--kafka.application-id=scale-out-test",
                        "--kafka.partitions=" + PARTITIONS,
                        "--kafka.replication-factor=1",
                        "--kafka.session-timeout=10s",
                        "--lstm.epochs=3",
                        "--threads",
                        "1"));
        started.add(h.process());
        return new Host(h.process(), h.port(), log);
    }

    static JsonNode kafkaStatus(Host h) throws Exception {
        return JSON.readTree(HostFixture.call(h.port(), "GET", "/api/v1/lstm/status", null, null)
                        .body())
                .get("kafka");
    }

    static Set<Integer> partitions(Host h) throws Exception {
        Set<Integer> out = new HashSet<>();
        JsonNode k = kafkaStatus(h);
        if (k != null && k.get("state").asText().equals("RUNNING")) {
            k.get("partitions").forEach(p -> out.add(p.asInt()));
        }
        return out;
    }

    /** Waits until the hosts run and split the partitions between them, each partition once. */
    static Map<Host, Set<Integer>> awaitAssignment(List<Host> hosts, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Host, Set<Integer>> last = new HashMap<>();
        while (System.nanoTime() < deadline) {
            last.clear();
            List<Integer> all = new ArrayList<>();
            for (Host h : hosts) {
                Set<Integer> p = partitions(h);
                last.put(h, p);
                all.addAll(p);
            }
            if (all.size() == PARTITIONS
                    && new HashSet<>(all).size() == PARTITIONS
                    && last.values().stream().noneMatch(Set::isEmpty)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the partitions were not split between the hosts: " + last.values());
    }

    static String key(int sensor) {
        return "pump-" + sensor + "/temp";
    }

    static double value(int sensor, int hour) {
        return 50 + sensor % 7 + 3 * Math.sin(2 * Math.PI * hour / 24) + 0.2 * Math.cos(hour * 1.7 + sensor);
    }

    static String reading(Instant ts, double value) {
        return "{\"ts\":\"" + ts + "\",\"value\":" + value + "}";
    }

    static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    static int modelCount(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM prognos.lstm_models")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            return 0; // the table is created by the first host that stores a model
        }
    }

    static long storedReadings(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                ResultSet r = c.createStatement()
                        .executeQuery("SELECT count(*) FROM sensor_readings WHERE device_id LIKE 'pump-%'")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Completed trainings per sensor, from every host's log (a killed host's log keeps what it did). */
    static Map<String, Integer> trainings(List<Host> hosts) throws IOException {
        Pattern trained = Pattern.compile("trained (pump-\\d+/temp): serving");
        Map<String, Integer> out = new TreeMap<>();
        for (Host h : hosts) {
            Matcher m = trained.matcher(Files.readString(h.log()));
            while (m.find()) {
                out.merge(m.group(1), 1, Integer::sum);
            }
        }
        return out;
    }

    @Test
    void threeHostsShareTheSensorsAndAKilledOneLosesAndRepeatsNothing() throws Exception {
        Path root = HostFixture.dataDir();
        try (KafkaBroker kafka = KafkaBroker.start(root.resolve("kafka"));
                EmbeddedDatabase db = EmbeddedDatabase.start(root.resolve("shared-db"))) {
            List<Host> hosts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hosts.add(startHost(root.resolve("host-" + i), db.jdbcUrl(), kafka.bootstrap()));
            }
            Map<Host, Set<Integer>> owned = awaitAssignment(hosts, Duration.ofSeconds(120));
            long t0 = System.nanoTime();

            Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
            Instant first = end.minus(Duration.ofHours(HISTORY + STREAMED + AFTER_RESTART - 1));
            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrap(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    true);
            try (KafkaProducer<String, String> plant =
                    new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                // History: one array per sensor, enough to train.
                for (int s = 0; s < SENSORS; s++) {
                    StringBuilder batch = new StringBuilder("[");
                    for (int h = 0; h < HISTORY; h++) {
                        batch.append(h == 0 ? "" : ",").append(reading(first.plus(Duration.ofHours(h)), value(s, h)));
                    }
                    plant.send(new ProducerRecord<>(
                            "prognos.readings", key(s), batch.append(']').toString()));
                }
                plant.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (modelCount(db.jdbcUrl()) < SENSORS && System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                }
                assertEquals(SENSORS, modelCount(db.jdbcUrl()), "every sensor trained, on the host that owns it");
                System.out.printf(
                        "KafkaScaleOutTest: %d sensors trained on 3 hosts in %.1f s%n",
                        SENSORS, (System.nanoTime() - t0) / 1e9);

                // The stream: one reading per sensor and hour; the first host dies after a third of it.
                Collector forecasts = new Collector(kafka.bootstrap());
                forecasts.start();
                Host victim = hosts.get(0);
                Instant killedAt = null;
                for (int h = HISTORY; h < HISTORY + STREAMED; h++) {
                    for (int s = 0; s < SENSORS; s++) {
                        plant.send(new ProducerRecord<>(
                                "prognos.readings", key(s), reading(first.plus(Duration.ofHours(h)), value(s, h))));
                    }
                    plant.flush();
                    if (h == HISTORY + STREAMED / 3) {
                        victim.process().toHandle().destroyForcibly(); // SIGKILL
                        victim.process().waitFor(10, TimeUnit.SECONDS);
                        killedAt = Instant.now();
                    }
                    Thread.sleep(300);
                }

                Set<String> expected = new HashSet<>();
                for (int s = 0; s < SENSORS; s++) {
                    for (int h = HISTORY; h < HISTORY + STREAMED; h++) {
                        expected.add(key(s) + " " + first.plus(Duration.ofHours(h)));
                    }
                }
                forecasts.awaitAll(expected, Duration.ofSeconds(180));
                forecasts.close();

                Map<String, Integer> perOrigin = forecasts.counts();
                List<String> missing = expected.stream()
                        .filter(k -> !perOrigin.containsKey(k))
                        .sorted()
                        .toList();
                List<String> twice = perOrigin.entrySet().stream()
                        .filter(e -> expected.contains(e.getKey()) && e.getValue() != 1)
                        .map(e -> e.getKey() + " x" + e.getValue())
                        .sorted()
                        .toList();
                assertTrue(missing.isEmpty(), missing.size() + " readings without a forecast, e.g. " + head(missing));
                assertTrue(twice.isEmpty(), twice.size() + " readings forecast more than once, e.g. " + head(twice));

                Map<String, Integer> trained = trainings(hosts);
                assertEquals(SENSORS, trained.size(), "every sensor's training is in a host's log");
                List<String> retrained = trained.entrySet().stream()
                        .filter(e -> e.getValue() != 1)
                        .map(e -> e.getKey() + " x" + e.getValue())
                        .toList();
                assertTrue(retrained.isEmpty(), "sensors trained more than once: " + retrained);

                // The victim's sensors went on elsewhere within a minute of the kill: timed by the
                // forecasts of readings sent after it, which only a survivor can have made (the
                // victim's own committed forecasts may still reach the collector after the kill).
                Set<Integer> victimPartitions = owned.get(victim);
                Instant lastBeforeKill = first.plus(Duration.ofHours(HISTORY + STREAMED / 3));
                Instant resumed = forecasts.firstAfter(
                        killedAt,
                        (sensor, origin) ->
                                victimPartitions.contains(partitionOf(sensor)) && origin.isAfter(lastBeforeKill));
                assertTrue(resumed != null, "the killed host's sensors were forecast again");
                Duration gap = Duration.between(killedAt, resumed);
                System.out.printf(
                        "KafkaScaleOutTest: %d forecasts, the killed host's sensors forecast again %.1f s after"
                                + " SIGKILL%n",
                        forecasts.total(), gap.toMillis() / 1000.0);
                assertTrue(gap.compareTo(Duration.ofMinutes(1)) < 0, "forecasts resumed after " + gap);
                Set<Integer> survivors = new HashSet<>(partitions(hosts.get(1)));
                survivors.addAll(partitions(hosts.get(2)));
                assertEquals(PARTITIONS, survivors.size(), "the survivors serve every partition");
                String metrics = HostFixture.call(hosts.get(1).port(), "GET", "/metrics", null, null)
                        .body();
                assertTrue(metrics.contains("prognos_kafka_state 2.0"), "Kafka Streams RUNNING in /metrics");
                assertTrue(metrics.contains("records_lag"), "consumer lag in /metrics");

                // Operations: one host stopped with SIGTERM (commits, closes its stores, leaves the
                // group), the killed one restarted on its data directory; the stream goes on, still
                // once per reading.
                Host stopped = hosts.get(1);
                stopped.process().destroy(); // SIGTERM
                assertTrue(stopped.process().waitFor(60, TimeUnit.SECONDS), "a clean stop within a minute");
                Host restarted = startHost(root.resolve("host-0"), db.jdbcUrl(), kafka.bootstrap());
                List<Host> now = List.of(restarted, hosts.get(2));
                awaitAssignment(now, Duration.ofSeconds(120));
                Collector more = new Collector(kafka.bootstrap());
                more.start();
                Set<String> later = new HashSet<>();
                for (int h = HISTORY + STREAMED; h < HISTORY + STREAMED + AFTER_RESTART; h++) {
                    for (int s = 0; s < SENSORS; s++) {
                        Instant ts = first.plus(Duration.ofHours(h));
                        plant.send(new ProducerRecord<>("prognos.readings", key(s), reading(ts, value(s, h))));
                        later.add(key(s) + " " + ts);
                    }
                    plant.flush();
                }
                more.awaitAll(later, Duration.ofSeconds(120));
                more.close();
                Map<String, Integer> laterCounts = more.counts();
                List<String> notOnce = later.stream()
                        .filter(k -> laterCounts.getOrDefault(k, 0) != 1)
                        .sorted()
                        .toList();
                assertTrue(notOnce.isEmpty(), notOnce.size() + " later readings not forecast once: " + head(notOnce));
                assertEquals(
                        SENSORS,
                        trainings(List.of(hosts.get(0), hosts.get(1), hosts.get(2), restarted))
                                .size());
                assertTrue(
                        trainings(List.of(restarted)).isEmpty(),
                        "the restarted host found every model in the shared store");
                // The readings are in the shared database too (the dashboard and REST read them there).
                long deadline2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int total = HISTORY + STREAMED + AFTER_RESTART;
                while (storedReadings(db.jdbcUrl()) < (long) SENSORS * total && System.nanoTime() < deadline2) {
                    Thread.sleep(500);
                }
                assertEquals((long) SENSORS * total, storedReadings(db.jdbcUrl()), "every reading stored once");
            }
        }
    }

    static String head(List<String> l) {
        return l.subList(0, Math.min(5, l.size())).toString();
    }

    /** Reads committed forecasts from the start and counts them per sensor and origin. */
    static final class Collector extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();
        private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private volatile long total;

        Collector(String bootstrap) {
            super("forecast-collector");
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap,
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                            IsolationLevel.READ_COMMITTED.toString().toLowerCase(),
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            false),
                    new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition("prognos.forecasts", p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        @Override
        public void run() {
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        String k = r.key() + " "
                                + JSON.readTree(r.value()).get("based_on").asText();
                        counts.merge(k, 1, Integer::sum);
                        firstSeen.putIfAbsent(k, Instant.now());
                        total++;
                    } catch (IOException e) {
                        counts.merge("unreadable", 1, Integer::sum);
                    }
                }
            }
            consumer.close();
        }

        void awaitAll(Set<String> expected, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !counts.keySet().containsAll(expected)) {
                Thread.sleep(500);
            }
            Thread.sleep(2000); // a duplicate would come right behind
        }

        Map<String, Integer> counts() {
            return Map.copyOf(counts);
        }

        long total() {
            return total;
        }

        /** When the first forecast seen after {@code t} whose sensor and origin {@code which} accepts was seen. */
        Instant firstAfter(Instant t, java.util.function.BiPredicate<String, Instant> which) {
            return firstSeen.entrySet().stream()
                    .filter(e -> {
                        String[] key = e.getKey().split(" ");
                        return e.getValue().isAfter(t) && which.test(key[0], Instant.parse(key[1]));
                    })
                    .map(Map.Entry::getValue)
                    .min(Instant::compareTo)
                    .orElse(null);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            join(10_000);
        }
    }
}
