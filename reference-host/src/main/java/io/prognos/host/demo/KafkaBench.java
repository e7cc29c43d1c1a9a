package io.prognos.host.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingsJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Throughput and latency of the Kafka path: host processes ({@code serve}, Kafka only) on a shared
 * database, every sensor with a model, each reading one interval and so one forecast. Throughput:
 * rounds of one reading per sensor published at once, until every forecast is committed. Latency:
 * readings at a fixed rate, each timed from its send to its committed forecast at a consumer
 * ({@code read_committed}, so the commit interval is part of it).
 */
public final class KafkaBench {

    private final String bootstrap;
    private final String jdbcUrl;
    private final ForecastingPlugin plugin;
    private final String run = "bench-" + Long.toString(System.currentTimeMillis(), 36);
    private final List<Process> hosts = new ArrayList<>();

    public KafkaBench(String bootstrap, String jdbcUrl, ForecastingPlugin plugin) {
        this.bootstrap = bootstrap;
        this.jdbcUrl = jdbcUrl;
        this.plugin = plugin;
    }

    static final int TRAIN_HOURS = 80;
    static final int WARM_HOURS = 48;

    static SensorId sensor(int i) {
        return SensorId.of("bench-" + i, "temp");
    }

    static String key(int i) {
        return "bench-" + i + "/temp";
    }

    static double value(int sensor, long hour) {
        return 50 + sensor % 11 + 3 * Math.sin(2 * Math.PI * hour / 24) + 0.3 * Math.sin(hour * 1.3 + sensor);
    }

    /**
     * Trains the sensors without a model, one epoch each (the network and so the cost of a reading
     * is the same whatever the epochs); {@code threads} at once. Returns the sensors trained.
     */
    public int prepareModels(int sensors, Instant start, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Boolean>> done = new ArrayList<>();
        for (int s = 0; s < sensors; s++) {
            int i = s;
            done.add(pool.submit(() -> {
                if (plugin.model(sensor(i)).isPresent()) {
                    return false;
                }
                List<Reading> history = new ArrayList<>();
                for (int h = 0; h < TRAIN_HOURS; h++) {
                    history.add(new Reading(start.plus(Duration.ofHours(h)), value(i, h)));
                }
                plugin.train(new TrainRequest(sensor(i), history, Map.of("epochs", "1")));
                return true;
            }));
        }
        int trained = 0;
        for (Future<Boolean> f : done) {
            trained += f.get() ? 1 : 0;
        }
        pool.shutdown();
        return trained;
    }

    /** Starts {@code n} host processes of one application and waits until they share the partitions. */
    public void startHosts(int n, int partitions, String heap, Path dataRoot) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HostProcess h = HostProcess.serve(
                    heap,
                    dataRoot.resolve(run + "-host-" + i + ".log"),
                    List.of(
                            "--data-dir",
                            dataRoot.resolve(run + "-host-" + i).toString(),
                            "--http.port=0",
                            "--mqtt.enabled=false",
                            "--jdbc.url=" + jdbcUrl,
                            "--kafka.bootstrap=" + bootstrap,
                            "--kafka.application-id=" + run,
                            "--kafka.readings-topic=" + run + ".readings",
                            "--kafka.output-prefix=" + run + ".",
                            "--kafka.partitions=" + partitions));
            hosts.add(h.process());
            ports.add(h.port());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            Set<Integer> owned = new HashSet<>();
            int running = 0;
            for (int port : ports) {
                JsonNode k =
                        Json.mapper().readTree(get(port, "/api/v1/lstm/status")).get("kafka");
                if (k != null && k.get("state").asText().equals("RUNNING")) {
                    running++;
                    k.get("partitions").forEach(x -> owned.add(x.asInt()));
                }
            }
            if (running == n && owned.size() == partitions) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the hosts did not share the partitions within 3 minutes");
            }
            Thread.sleep(500);
        }
    }

    private static String get(int port, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HttpClient.newHttpClient()
                .send(r, HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /**
     * Runs the phases and returns the figures. {@code rounds}: readings per sensor in the
     * throughput phase; {@code rate} and {@code seconds}: the latency phase.
     */
    public Map<String, Object> measure(int sensors, Instant start, int rounds, int rate, int seconds) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        int perSensor = (int) Math.ceil((double) rate * seconds / sensors);
        long firstHour = TRAIN_HOURS;
        try (KafkaProducer<String, String> producer = producer();
                Forecasts forecasts = new Forecasts(bootstrap, run + ".forecasts")) {
            // Warm-up: each sensor's recent history in one record, one forecast each.
            for (int s = 0; s < sensors; s++) {
                StringBuilder batch = new StringBuilder("[");
                for (int h = 0; h < WARM_HOURS; h++) {
                    batch.append(h == 0 ? "" : ",").append(json(start, s, firstHour + h));
                }
                producer.send(new ProducerRecord<>(
                        run + ".readings", key(s), batch.append(']').toString()));
            }
            producer.flush();
            forecasts.await(sensors, Duration.ofMinutes(10));

            // Throughput: every sensor's next readings at once.
            long hour = firstHour + WARM_HOURS;
            long before = forecasts.count();
            Duration cpu0 = hostCpu();
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++, hour++) {
                for (int s = 0; s < sensors; s++) {
                    producer.send(new ProducerRecord<>(run + ".readings", key(s), json(start, s, hour)));
                }
            }
            producer.flush();
            long published = System.nanoTime();
            forecasts.await(before + (long) rounds * sensors, Duration.ofMinutes(30));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            Duration cpu = hostCpu().minus(cpu0);
            out.put("sensors", sensors);
            out.put("throughput_readings", (long) rounds * sensors);
            out.put("throughput_publish_s", round((published - t0) / 1e9));
            out.put("throughput_s", round(elapsed));
            out.put("readings_per_s", Math.round(rounds * (double) sensors / elapsed));
            // The hosts' own CPU time per reading (each with its anomaly score and forecast), the
            // figure to size a cluster by: the broker and this bench share the machine.
            out.put("host_cpu_ms_per_reading", round3(cpu.toNanos() / 1e6 / ((double) rounds * sensors)));

            // Latency at a fixed rate.
            forecasts.startTiming();
            long sent = 0;
            long t1 = System.nanoTime();
            for (int r = 0; r < perSensor; r++, hour++) {
                for (int s = 0; s < sensors && sent < (long) rate * seconds; s++, sent++) {
                    long due = t1 + (long) (sent * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    forecasts.sentAt(key(s), start.plus(Duration.ofHours(hour)), System.nanoTime());
                    producer.send(new ProducerRecord<>(run + ".readings", key(s), json(start, s, hour)));
                }
            }
            producer.flush();
            forecasts.awaitLatencies(sent, Duration.ofMinutes(5));
            long[] lat = forecasts.latencies();
            out.put("latency_rate_per_s", rate);
            out.put("latency_readings", sent);
            out.put("latency_forecasts", lat.length);
            out.put("latency_p50_ms", percentile(lat, 0.50));
            out.put("latency_p99_ms", percentile(lat, 0.99));
            out.put("latency_max_ms", lat.length == 0 ? null : round(lat[lat.length - 1] / 1e6));
            out.put("host_rss_mb", hostRssMb());
        }
        return out;
    }

    /** CPU time the host processes used so far. */
    private Duration hostCpu() {
        Duration total = Duration.ZERO;
        for (Process p : hosts) {
            total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /** Each host's resident memory now (Linux), in MB. */
    private List<Long> hostRssMb() {
        List<Long> out = new ArrayList<>();
        for (Process p : hosts) {
            try {
                for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        out.add(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the host is gone: no figure
            }
        }
        return out;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true),
                new StringSerializer(),
                new StringSerializer());
    }

    private static String json(Instant start, int sensor, long hour) {
        return new String(
                ReadingsJson.one(new Reading(start.plus(Duration.ofHours(hour)), value(sensor, hour))),
                StandardCharsets.UTF_8);
    }

    /** The first hour of the bench's timeline, so that its last reading is not in the future. */
    public static Instant start(int sensors, int rounds, int rate, int seconds) {
        long perSensor = (long) Math.ceil((double) rate * seconds / sensors);
        long hours = TRAIN_HOURS + WARM_HOURS + rounds + perSensor + 1;
        return Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours));
    }

    private static Double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        return round(sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Stops the bench's hosts (SIGTERM: they commit and close their stores). */
    public void stopHosts() throws InterruptedException {
        for (Process p : hosts) {
            p.destroy();
        }
        for (Process p : hosts) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Counts committed forecasts and, once timing is on, the time from a reading's send to its forecast. */
    static final class Forecasts implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final AtomicLong count = new AtomicLong();
        private final Map<String, Long> sent = new ConcurrentHashMap<>();
        private final List<Long> latencies = new ArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private volatile boolean timing;

        Forecasts(String bootstrap, String topic) {
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap,
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                            "read_committed",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            false,
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                            5000),
                    new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            thread = new Thread(this::run, "bench-forecasts");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    count.incrementAndGet();
                    if (timing) {
                        try {
                            String basedOn = Json.mapper()
                                    .readTree(r.value())
                                    .get("based_on")
                                    .asText();
                            Long at = sent.remove(r.key() + " " + basedOn);
                            if (at != null) {
                                synchronized (latencies) {
                                    latencies.add(now - at);
                                }
                            }
                        } catch (IOException e) {
                            // not a forecast this bench sent: not timed
                        }
                    }
                }
            }
            consumer.close();
        }

        void startTiming() {
            timing = true;
        }

        void sentAt(String key, Instant ts, long nanos) {
            sent.put(key + " " + ts, nanos);
        }

        long count() {
            return count.get();
        }

        void await(long n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + count.get() + " of " + n + " forecasts within " + timeout);
                }
                Thread.sleep(20);
            }
        }

        void awaitLatencies(long n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (latencies) {
                    if (latencies.size() >= n) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }

        long[] latencies() {
            synchronized (latencies) {
                long[] a = latencies.stream().mapToLong(Long::longValue).toArray();
                Arrays.sort(a);
                return a;
            }
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
