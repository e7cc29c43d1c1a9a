package io.prognos.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.CycleListeners;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.ReadingsForwarder;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingParser;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the sensor cycle to an MQTT 5 broker: readings in; forecasts, risk, anomaly scores,
 * alerts, the schedule and errors out (the topic contract is in {@link Topics}); request/response.
 * It composes one class per job: {@link MqttConnection}, {@link ReadingIngest},
 * {@link ResultPublisher}, {@link RequestHandler} and {@link ErrorReporter}. Model work runs on one
 * worker thread, never on the MQTT client's thread.
 */
public final class MqttAdapter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttAdapter.class);

    /**
     * For a host whose sensors are scored elsewhere (Kafka): the readings go to {@code readings}
     * instead of the host's cycle, and the results of the cycle that scores them ({@code results},
     * its listeners) are published here too.
     */
    public record Forwarding(ReadingsForwarder readings, CycleListeners results) {}

    /**
     * The deprecated {@code mqtt.*} names of the sensor cycle's keys, which every driver now shares,
     * kept one release: alias to key, in the order the configuration page lists them. Each is
     * declared from its key's own declaration (type and bounds), without a default.
     */
    private static final Map<String, String> ALIASES = aliases(
            "mqtt.buffer-size", "cycle.buffer-size",
            "mqtt.forecast-every", "cycle.forecast-every",
            "mqtt.forecast-interval", "cycle.forecast-interval",
            "mqtt.train-after", "cycle.train-after",
            "mqtt.schedule-interval", "cycle.schedule-interval");

    private static Map<String, String> aliases(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int p = 0; p < pairs.length; p += 2) {
            out.put(pairs[p], pairs[p + 1]);
        }
        return out;
    }

    private static ConfigDef withAliasKeys(ConfigDef def) {
        ALIASES.forEach((alias, name) -> {
            ConfigDef.Key key = CycleSettings.CONFIG.keys().stream()
                    .filter(k -> k.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            def.define(new ConfigDef.Key(
                    alias, key.type(), null, key.min(), key.max(), "deprecated alias of " + name, false, null));
        });
        return def;
    }

    public static final ConfigDef CONFIG = withAliasKeys(new ConfigDef()
            .define("mqtt.url", Type.STRING, "tcp://localhost:1883", "broker URL (tcp:// or ssl:// for TLS)")
            .define(
                    "mqtt.client-id",
                    Type.STRING,
                    "prognos",
                    "MQTT client id, not ending in '-requests'; the readings' session is kept under it, the requests' under"
                            + " it + '-requests'")
            .define(
                    "mqtt.connect-timeout",
                    Type.DURATION,
                    "30s",
                    1,
                    3600,
                    "how long start waits for the broker (retrying with backoff) before it fails, naming the last"
                            + " failure; a broker that refuses the credentials or the client id fails it at once")
            .define(
                    "mqtt.tls-ca",
                    Type.STRING,
                    null,
                    "a PEM file of the CA certificate(s) that sign an ssl:// broker's certificate (a plant's own CA;"
                            + " default: the JVM's trust store)")
            .define(
                    "mqtt.tls-cert",
                    Type.STRING,
                    null,
                    "a PEM file of the client certificate (chain) for an ssl:// broker that wants one, with"
                            + " mqtt.tls-key")
            .define(
                    "mqtt.tls-key",
                    Type.STRING,
                    null,
                    "a PEM file of mqtt.tls-cert's private key, unencrypted: PKCS#8, or PKCS#1 RSA")
            .define("mqtt.username", Type.STRING, null, "user name, if the broker requires one")
            .defineSecret("mqtt.password", "password (never logged)")
            .define("mqtt.prefix", Type.STRING, "prognos", "topic prefix")
            .defineSecret(
                    "mqtt.request-token",
                    "when set, requests over MQTT need the user property 'authorization' = 'Bearer <token>' (the"
                            + " reference host sets it to prognos.api-token)")
            .define(
                    "mqtt.shared-group",
                    Type.STRING,
                    "",
                    "subscribe to readings and requests through $share/{group}/ to spread them over several"
                            + " instances (one sensor's readings may then reach different ones; each request is"
                            + " answered by one); a reference host that shares its sensors over Kafka uses its"
                            + " kafka.application-id when this is not set and its broker is an external one"
                            + " (mqtt.url)")
            .define(
                    "mqtt.session-expiry",
                    Type.DURATION,
                    "1h",
                    0,
                    365 * 86400.0,
                    "how long the broker keeps the session (and queued QoS 1 readings) while the adapter is away")
            .define("mqtt.max-payload-bytes", Type.INT, "65536", 16, 16 * 1024 * 1024, "larger payloads are rejected")
            .define(
                    "mqtt.max-future-skew",
                    Type.DURATION,
                    "5m",
                    0,
                    86400,
                    "readings further in the future are rejected")
            .define(
                    "mqtt.max-age",
                    Type.DURATION,
                    "3650d",
                    86400,
                    36500 * 86400.0,
                    "readings stamped longer ago are rejected (bad_timestamp): a device clock that is not set"
                            + " stamps 1970 or 2000")
            .define("mqtt.ts-field", Type.STRING, "ts", "JSON field of the timestamp")
            .define("mqtt.value-field", Type.STRING, "value", "JSON field of the value")
            .define(
                    "mqtt.device-ignore-keys",
                    Type.STRING,
                    null,
                    "keys of a device topic's payload that are not sensors, comma-separated (seq,uptime): skipped")
            .define(
                    "mqtt.work-queue",
                    Type.INT,
                    "100000",
                    100,
                    10_000_000,
                    "messages waiting for the model-work thread, and the receive maximum asked of the broker (at"
                            + " most 65,535), so that the broker holds back what the adapter cannot take yet")
            .define(
                    "mqtt.error-log-interval",
                    Type.DURATION,
                    "10s",
                    0,
                    86400,
                    "bad payloads are logged at most once per interval, with counts"));

    private final MqttConnection connection;
    private final MqttConnection requestConnection;
    private final ExecutorService worker;
    private final RequestHandler requests;
    private final ScheduledExecutorService ticker;
    private final ErrorReporter errors;
    private final Counter received;
    private final CycleListeners listeners;
    private final ResultPublisher publisher;
    private final TrainingRunner ownTrainer;
    private final String topicPrefix;
    private final Acknowledger acks;
    private final ReadingsForwarding forwarded;
    private final Forwarding forwarding;

    private MqttAdapter(
            ForecastingPlugin plugin,
            SensorCycle cycle,
            SensorContexts contexts,
            CycleListeners listeners,
            ConfigDef.Config c,
            Clock clock,
            MeterRegistry meters,
            TrainingRunner ownTrainer,
            Forwarding forwarding,
            Map<String, HostRequest> hostRequests) {
        Topics topics = new Topics(c.getString("mqtt.prefix"));
        this.topicPrefix = c.getString("mqtt.prefix");
        String label = plugin.id() + " " + plugin.version();
        this.connection = new MqttConnection(c, MqttConnection.Session.READINGS, topics, label);
        this.requestConnection = new MqttConnection(c, MqttConnection.Session.REQUESTS, topics, label);
        this.listeners = listeners;
        this.ownTrainer = ownTrainer;
        this.errors = new ErrorReporter(
                connection,
                topics,
                meters,
                clock,
                c.getDuration("mqtt.error-log-interval").toNanos());
        this.received = Counter.builder("prognos.readings.received")
                .description("valid readings received over MQTT")
                .register(meters);
        LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>(c.getInt("mqtt.work-queue"));
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, daemon("prognos-mqtt-worker"));
        Gauge.builder("prognos.mqtt.work.queue", queue, LinkedBlockingQueue::size)
                .description("MQTT messages waiting for the model-work thread")
                .register(meters);
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("prognos-mqtt-ticker"));
        ReadingParser parser = payloadParser(c, c.getInt("mqtt.max-payload-bytes"), clock);
        this.acks = new Acknowledger(cycle::sync);
        this.forwarding = forwarding;
        this.forwarded =
                forwarding == null ? null : new ReadingsForwarding(forwarding.readings(), c.getInt("mqtt.work-queue"));
        if (forwarded != null) {
            Gauge.builder("prognos.mqtt.forwarding.failing", forwarded, f -> f.failing() ? 1 : 0)
                    .description("1 while MQTT readings wait for the forwarder (Kafka) to take them, tried again every"
                            + " second")
                    .register(meters);
        }
        ReadingIngest ingest =
                new ReadingIngest(topics, parser, errors, worker, contexts, cycle, received, acks, forwarded);
        this.requests = new RequestHandler(
                requestConnection,
                topics,
                c.getString("mqtt.request-token"),
                errors,
                worker,
                new ThreadPoolExecutor(
                        1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(100), daemon("prognos-mqtt-train")),
                Executors.newSingleThreadScheduledExecutor(daemon("prognos-mqtt-request-deadlines")),
                contexts,
                cycle,
                plugin,
                hostRequests,
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(100),
                        daemon("prognos-mqtt-host-requests")));
        this.publisher =
                new ResultPublisher(connection, topics, plugin.describe().anomalyThreshold());
        listeners.add(publisher);
        if (forwarding != null) {
            forwarding.results().add(publisher);
        }
        String requestPrefix = topics.prefix() + "/requests/";
        // Requests come on their own session; the readings' session of an earlier release held some too.
        MqttConnection.Handler route = message -> {
            try {
                if (message.topic().startsWith(requestPrefix)) {
                    // A request lost with a killed host goes unanswered and the requester asks again.
                    Acknowledger.acknowledge(message.acknowledge());
                    requests.onMessage(message);
                } else {
                    ingest.onMessage(message.topic(), message.payload(), message.acknowledge());
                }
            } catch (RuntimeException e) {
                // Never let one message break the client's thread; it is reported, so not sent again.
                errors.rejected(message.topic(), "internal_error", e.toString());
                Acknowledger.acknowledge(message.acknowledge());
            }
        };
        connection.onMessage(route);
        requestConnection.onMessage(route);
        long every = cycle.settings().forecastInterval().toMillis();
        if (every > 0) {
            ticker.scheduleAtFixedRate(ingest::tick, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * For a host that runs the sensor cycle itself (the reference host shares it with REST and the
     * database): validates the configuration, adds the adapter's publisher to {@code listeners} and
     * connects; reconnects on its own afterwards. {@code forwarding}: where readings go instead of
     * {@code cycle} on a host whose sensors are scored elsewhere; null for {@code cycle}.
     * {@code hostRequests}: the host's own request kinds ({@link HostRequest}), by the topic's last
     * level; none for an empty map.
     */
    public static MqttAdapter start(
            ForecastingPlugin plugin,
            SensorCycle cycle,
            SensorContexts contexts,
            CycleListeners listeners,
            Map<String, String> config,
            Clock clock,
            MeterRegistry meters,
            Forwarding forwarding,
            Map<String, HostRequest> hostRequests) {
        return start(
                plugin,
                cycle,
                contexts,
                listeners,
                CONFIG.parse("the MQTT adapter", config),
                clock,
                meters,
                null,
                forwarding,
                hostRequests);
    }

    private static MqttAdapter start(
            ForecastingPlugin plugin,
            SensorCycle cycle,
            SensorContexts contexts,
            CycleListeners listeners,
            ConfigDef.Config c,
            Clock clock,
            MeterRegistry meters,
            TrainingRunner own,
            Forwarding forwarding,
            Map<String, HostRequest> hostRequests) {
        RequestHandler.checkHostKinds(hostRequests); // before any thread or connection is made
        try {
            MqttAdapter a = new MqttAdapter(
                    plugin, cycle, contexts, listeners, c, clock, meters, own, forwarding, hostRequests);
            try {
                a.connection.connect();
                a.requestConnection.connect();
            } catch (IOException | RuntimeException e) {
                // Its threads and its publisher among the cycle's listeners go with it.
                a.close();
                throw e;
            }
            return a;
        } catch (IOException e) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.STORE_UNAVAILABLE,
                    "cannot connect to the MQTT broker at " + c.getString("mqtt.url") + ": " + e.getMessage(),
                    Duration.ofSeconds(5),
                    e);
        }
    }

    /**
     * Standalone: a sensor cycle of its own (settings from the {@code cycle.*} keys or their
     * {@code mqtt.*} aliases in {@code config}), sensors kept in memory, nothing stored.
     */
    public static MqttAdapter start(
            ForecastingPlugin plugin,
            Function<SensorId, OperatingLimits> limits,
            Map<String, String> config,
            Clock clock) {
        Map<String, String> mqtt = new LinkedHashMap<>();
        Map<String, String> cycleValues = new LinkedHashMap<>();
        config.forEach((k, v) -> (k.startsWith("cycle.") ? cycleValues : mqtt).put(k, v));
        ConfigDef.Config c = CONFIG.parse("the MQTT adapter", mqtt);
        CycleSettings settings = CycleSettings.from(withAliases(c, cycleValues));
        CycleListeners listeners = new CycleListeners();
        TrainingRunner trainer = new TrainingRunner(plugin, 1, 10_000, m -> {}, (s, e) -> {});
        SensorCycle cycle = new SensorCycle(plugin, limits, settings, clock, trainer, listeners);
        SensorContexts contexts = new SensorContexts(settings.maxSensors(), settings.bufferSize(), null, cycle::forget);
        cycle.forecastWhenTrained(contexts);
        return start(plugin, cycle, contexts, listeners, c, clock, new SimpleMeterRegistry(), trainer, null, Map.of());
    }

    /**
     * How readings payloads are read with these settings (field names, keys that are no sensor,
     * future skew), up to {@code maxBytes}: the MQTT topics', and a host's that takes the same
     * payloads another way (REST).
     */
    public static ReadingParser payloadParser(ConfigDef.Config c, int maxBytes, Clock clock) {
        return new ReadingParser(
                Json.mapper(),
                c.getString("mqtt.ts-field"),
                c.getString("mqtt.value-field"),
                ReadingParser.ignoredKeys(c.getString("mqtt.device-ignore-keys")),
                maxBytes,
                c.getDuration("mqtt.max-future-skew"),
                c.getDuration("mqtt.max-age"),
                clock);
    }

    /** The cycle's keys with values given under their deprecated {@code mqtt.*} aliases, logged as such. */
    public static Map<String, String> withAliases(ConfigDef.Config mqtt, Map<String, String> cycle) {
        Map<String, String> out = new LinkedHashMap<>(cycle);
        ALIASES.forEach((alias, key) -> {
            String v = mqtt.values().get(alias);
            if (v != null && !out.containsKey(key)) {
                LOG.warn("{} is deprecated: use {} (kept one release)", alias, key);
                out.put(key, v);
            }
        });
        return out;
    }

    /** The topic prefix readings and results use ({@code mqtt.prefix}). */
    /**
     * What publishes results (forecast, risk, alert, anomaly scores, schedule) on the broker, for
     * another cycle of the host whose results go out here too (the database poller's).
     */
    public SensorCycle.Listener publisher() {
        return publisher;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    /** Both sessions, the readings' and the requests', are connected. */
    public boolean isConnected() {
        return connection.isConnected() && requestConnection.isConnected();
    }

    /**
     * {@code NONE} when readings feed this host's cycle; else {@code DOWN} while the forwarder
     * refuses or fails a batch (tried again every second, MQTT held back meanwhile: an ACL Kafka
     * refuses for good waits for the operator), {@code UP} otherwise.
     */
    public String forwardingState() {
        return forwarded == null ? "NONE" : forwarded.failing() ? "DOWN" : "UP";
    }

    public long readingsReceived() {
        return (long) received.count();
    }

    public Map<String, Long> rejectedCounts() {
        return errors.counts();
    }

    /** Waits until queued model work is done (trainings queued by it included); for tests and shutdown. */
    public void drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CountDownLatch done = new CountDownLatch(1);
        worker.execute(done::countDown);
        done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (ownTrainer != null) {
            ownTrainer.awaitIdle(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            CountDownLatch again = new CountDownLatch(1);
            worker.execute(again::countDown);
            again.await(Math.max(0, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops: requested trainings are cancelled at once (the running one interrupted, the plugin
     * stopping it between epochs; the waiting ones answered that the host is stopping) while the
     * messages already taken are handled (a training request among them is answered that the host is
     * stopping), all before the connection closes, so every requester gets an answer and no training
     * saves a model after the host has gone. Cancelling only once the taken messages were handled let
     * a training run on for as long as they took (up to 30 s). Requests the model-work thread did not
     * reach within those 30 s are answered that the host is stopping.
     */
    @Override
    public void close() {
        ticker.shutdownNow();
        if (forwarded != null) {
            forwarded.close(); // what it has not forwarded stays unacknowledged: the broker sends it again
        }
        worker.shutdown();
        try {
            requests.stopTrainingsAndHostRequests();
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        requests.answerNeverTaken();
        acks.close();
        listeners.remove(publisher);
        if (forwarding != null) {
            forwarding.results().remove(publisher);
        }
        connection.close();
        requestConnection.close();
        if (ownTrainer != null) {
            ownTrainer.close();
        }
    }
}
