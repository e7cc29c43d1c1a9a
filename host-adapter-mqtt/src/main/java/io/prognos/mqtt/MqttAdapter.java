package io.prognos.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a {@link ForecastingPlugin} to an MQTT 5 broker: readings in; forecasts, risk, alerts,
 * the schedule and errors out (the topic contract is in {@link Topics}). The session survives
 * reconnects (clean start off, configurable expiry), so QoS 1 readings sent while the adapter was
 * away are delivered when it is back. Model work runs on one worker thread, never on the MQTT
 * client's thread.
 */
public final class MqttAdapter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttAdapter.class);

    public static final ConfigDef CONFIG = new ConfigDef()
            .define("mqtt.url", Type.STRING, "tcp://localhost:1883", "broker URL (tcp:// or ssl:// for TLS)")
            .define("mqtt.client-id", Type.STRING, "prognos", "MQTT client id; the session is kept under it")
            .define("mqtt.username", Type.STRING, null, "user name, if the broker requires one")
            .defineSecret("mqtt.password", "password (never logged)")
            .define("mqtt.prefix", Type.STRING, "prognos", "topic prefix")
            .define("mqtt.shared-group", Type.STRING, "", "subscribe to readings through $share/{group}/ to"
                    + " spread them over several instances (one sensor's readings may then reach different ones)")
            .define("mqtt.session-expiry", Type.DURATION, "1h", 0, 365 * 86400.0,
                    "how long the broker keeps the session (and queued QoS 1 readings) while the adapter is away")
            .define("mqtt.buffer-size", Type.INT, "512", 16, 1_000_000, "recent readings kept per sensor")
            .define("mqtt.forecast-every", Type.INT, "1", 1, 1_000_000, "forecast after this many new readings")
            .define("mqtt.forecast-interval", Type.DURATION, "0s", 0, 86400 * 30.0,
                    "also forecast every sensor with new readings at this interval (0 = only by count)")
            .define("mqtt.train-after", Type.INT, "200", 2, 1_000_000,
                    "train a sensor without a model once this many readings are buffered")
            .define("mqtt.max-payload-bytes", Type.INT, "65536", 16, 16 * 1024 * 1024, "larger payloads are rejected")
            .define("mqtt.max-future-skew", Type.DURATION, "5m", 0, 86400, "readings further in the future are rejected")
            .define("mqtt.ts-field", Type.STRING, "ts", "JSON field of the timestamp")
            .define("mqtt.value-field", Type.STRING, "value", "JSON field of the value")
            .define("mqtt.schedule-interval", Type.DURATION, "1m", 0, 86400,
                    "the retained schedule is republished when a sensor's risk level changes, else at most this often")
            .define("mqtt.error-log-interval", Type.DURATION, "10s", 0, 86400,
                    "bad payloads are logged at most once per interval, with counts");

    /**
     * What a host sees of the adapter's traffic, for example to store readings and results in its
     * database. Called on the adapter's threads: hand slow work to a queue of your own.
     */
    public interface Listener {
        /** Valid readings as they arrive, before any model work. */
        default void readings(SensorId sensor, List<Reading> readings) {
        }

        /** A forecast and its risk, after they were published. */
        default void results(Forecast forecast, RiskAssessment risk) {
        }
    }

    private final ForecastingPlugin plugin;
    private final Function<SensorId, OperatingLimits> limits;
    private final Listener listener;
    private final ConfigDef.Config config;
    private final Topics topics;
    private final ReadingParser parser;
    private final Payloads payloads;
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock;
    private final MqttAsyncClient client;
    private final ExecutorService worker;
    private final java.util.concurrent.ScheduledExecutorService ticker;
    private final ConcurrentMap<SensorId, SensorBuffer> buffers = new ConcurrentHashMap<>();
    private final ConcurrentMap<SensorId, RiskAssessment> latestRisk = new ConcurrentHashMap<>();
    private final ConcurrentMap<SensorId, RiskLevel> alertLevel = new ConcurrentHashMap<>();
    private final ConcurrentMap<SensorId, Boolean> queued = new ConcurrentHashMap<>();
    /** Last retained payload per topic, republished after a reconnect. */
    private final ConcurrentMap<String, MqttMessage> retained = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> errorCounts = new ConcurrentHashMap<>();
    private final AtomicLong readingsIn = new AtomicLong();
    private final AtomicLong lastSchedule = new AtomicLong(Long.MIN_VALUE);
    // Read once: the per-reading and per-forecast paths would otherwise parse the text each time.
    private final int bufferSize;
    private final int forecastEvery;
    private final int trainAfter;
    private final long scheduleIntervalNanos;
    private final long errorLogIntervalNanos;
    private volatile long lastErrorLog;

    private MqttAdapter(ForecastingPlugin plugin, Function<SensorId, OperatingLimits> limits, ConfigDef.Config config,
                        Clock clock, Listener listener) throws MqttException {
        this.plugin = plugin;
        this.limits = limits;
        this.listener = listener;
        this.config = config;
        this.clock = clock;
        this.bufferSize = config.getInt("mqtt.buffer-size");
        this.forecastEvery = config.getInt("mqtt.forecast-every");
        this.trainAfter = config.getInt("mqtt.train-after");
        this.scheduleIntervalNanos = config.getDuration("mqtt.schedule-interval").toNanos();
        this.errorLogIntervalNanos = config.getDuration("mqtt.error-log-interval").toNanos();
        this.topics = new Topics(config.getString("mqtt.prefix"));
        this.parser = new ReadingParser(json, config.getString("mqtt.ts-field"), config.getString("mqtt.value-field"),
                config.getInt("mqtt.max-payload-bytes"), config.getDuration("mqtt.max-future-skew"), clock);
        this.payloads = new Payloads(json);
        this.client = new MqttAsyncClient(config.getString("mqtt.url"), config.getString("mqtt.client-id"),
                new MemoryPersistence());
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(100_000), r -> {
            Thread t = new Thread(r, "prognos-mqtt-worker");
            t.setDaemon(true);
            return t;
        });
        this.ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "prognos-mqtt-ticker");
            t.setDaemon(true);
            return t;
        });
        long every = config.getDuration("mqtt.forecast-interval").toMillis();
        if (every > 0) {
            ticker.scheduleAtFixedRate(this::forecastPending, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** The time-based cadence: every sensor with readings not yet forecast from gets a forecast. */
    private void forecastPending() {
        buffers.forEach((sensor, buffer) -> {
            if (buffer.takeNewCount(false) > 0) {
                schedule(sensor, buffer);
            }
        });
    }

    private void schedule(SensorId sensor, SensorBuffer buffer) {
        if (queued.putIfAbsent(sensor, true) != null) {
            return; // already waiting for the worker: it will see these readings too
        }
        try {
            worker.execute(() -> {
                queued.remove(sensor);
                process(sensor, buffer);
            });
        } catch (RejectedExecutionException e) {
            queued.remove(sensor);
            rejected(topics.prefix() + "/readings/" + sensor.deviceId() + "/" + sensor.sensorKey(), "overloaded",
                    "model work queue is full");
        }
    }

    /** Validates the configuration and connects; reconnects on its own afterwards. */
    public static MqttAdapter start(ForecastingPlugin plugin, Function<SensorId, OperatingLimits> limits,
                                    Map<String, String> config, Clock clock) {
        return start(plugin, limits, config, clock, new Listener() {
        });
    }

    /** As {@link #start(ForecastingPlugin, Function, Map, Clock)}, telling {@code listener} what passes. */
    public static MqttAdapter start(ForecastingPlugin plugin, Function<SensorId, OperatingLimits> limits,
                                    Map<String, String> config, Clock clock, Listener listener) {
        ConfigDef.Config c = CONFIG.parse("the MQTT adapter", config);
        try {
            MqttAdapter a = new MqttAdapter(plugin, limits, c, clock, listener);
            a.connect();
            return a;
        } catch (MqttException e) {
            throw new io.prognos.api.RetryLaterException(io.prognos.api.RetryLaterException.Reason.STORE_UNAVAILABLE,
                    "cannot connect to the MQTT broker at " + c.getString("mqtt.url") + ": " + e.getMessage(),
                    Duration.ofSeconds(5), e);
        }
    }

    private void connect() throws MqttException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(config.getDuration("mqtt.session-expiry").toSeconds());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        if (config.getString("mqtt.username") != null) {
            o.setUserName(config.getString("mqtt.username"));
        }
        if (config.getString("mqtt.password") != null) {
            o.setPassword(config.getString("mqtt.password").getBytes(StandardCharsets.UTF_8));
        }
        MqttMessage will = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, null);
        o.setWill(topics.status(), will);
        client.setCallback(new Callback());
        client.connect(o).waitForCompletion(30_000);
        // Subscribed before start() returns: readings published right after start are not missed.
        subscribeAndAnnounce().waitForCompletion(30_000);
        LOG.info("MQTT adapter connected to {} as {}", config.getString("mqtt.url"), config.getString("mqtt.client-id"));
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("MQTT connection lost ({}); reconnecting with backoff", response.getReasonString());
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.warn("MQTT error: {}", e.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                if (topic.startsWith(topics.prefix() + "/requests/")) {
                    handleRequest(topic, message);
                } else {
                    handleReadings(topic, message.getPayload());
                }
            } catch (RuntimeException e) {
                // Never let one message break the client's thread.
                rejected(topic, "internal_error", e.toString());
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (!reconnect) {
                return; // the first connect subscribes in connect()
            }
            try {
                subscribeAndAnnounce();
                retained.forEach((t, m) -> publishRaw(t, m));
                LOG.info("MQTT reconnected to {}; {} retained topics republished", serverUri, retained.size());
            } catch (MqttException e) {
                LOG.error("subscribing after reconnect failed: {}", e.getMessage());
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    /** Subscribes to readings and requests (again: harmless when the session kept them) and says online. */
    private IMqttToken subscribeAndAnnounce() throws MqttException {
        String shared = config.getString("mqtt.shared-group");
        String filter = shared == null || shared.isBlank() ? topics.readingsFilter()
                : "$share/" + shared + "/" + topics.readingsFilter();
        IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1),
                new MqttSubscription(topics.requests(), 1)});
        publish(topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true, null);
        return token;
    }

    private void handleReadings(String topic, byte[] payload) {
        SensorId sensor;
        List<Reading> readings;
        try {
            sensor = topics.sensorOfReadings(topic);
            readings = parser.parse(payload);
        } catch (BadPayloadException e) {
            rejected(topic, e.reason(), e.getMessage());
            return;
        } catch (PrognosException e) {
            rejected(topic, "bad_topic", e.getMessage());
            return;
        }
        SensorBuffer buffer = buffers.computeIfAbsent(sensor, s -> new SensorBuffer(bufferSize));
        readings.forEach(buffer::add);
        readingsIn.addAndGet(readings.size());
        notifyListener(() -> listener.readings(sensor, readings));
        if (buffer.takeNewCount(false) >= forecastEvery) {
            schedule(sensor, buffer);
        }
    }

    /** Trains when the sensor has enough readings and no model, then forecasts, assesses and publishes. */
    private void process(SensorId sensor, SensorBuffer buffer) {
        buffer.takeNewCount(true);
        List<Reading> recent = buffer.snapshot();
        try {
            java.util.Optional<ModelInfo> model = plugin.model(sensor);
            if (model.isEmpty() || model.get().status() == io.prognos.api.ModelStatus.NEEDS_RETRAINING) {
                if (recent.size() < trainAfter) {
                    return;
                }
                plugin.train(new TrainRequest(sensor, recent));
            }
            Forecast f = plugin.forecast(new ForecastRequest(sensor, recent));
            RiskAssessment a = plugin.assessRisk(f, limits.apply(sensor));
            publishResults(f, a);
            notifyListener(() -> listener.results(f, a));
        } catch (PrognosException e) {
            LOG.debug("{}: {}", sensor, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("model work for {} failed", sensor, e);
        }
    }

    private void publishResults(Forecast f, RiskAssessment a) {
        SensorId s = f.sensor();
        long horizonSeconds = f.interval().multipliedBy(f.horizon()).toSeconds();
        publish(topics.forecast(s), payloads.bytes(payloads.forecast(f)), 0, true, horizonSeconds, new MqttProperties(),
                f.modelVersion());
        publish(topics.risk(s), payloads.bytes(payloads.risk(a)), 1, true, null, new MqttProperties(),
                f.modelVersion());
        latestRisk.put(s, a);
        RiskLevel before = alertLevel.getOrDefault(s, RiskLevel.LOW);
        boolean raised = a.level().compareTo(before) > 0 && a.level().atLeast(RiskLevel.MEDIUM);
        boolean cleared = before.atLeast(RiskLevel.MEDIUM) && !a.level().atLeast(RiskLevel.MEDIUM);
        alertLevel.put(s, a.level());
        if (raised || cleared) {
            ObjectNode alert = payloads.risk(a);
            alert.put("alert_id", UUID.randomUUID().toString());
            alert.put("state", raised ? "raised" : "cleared");
            alert.put("previous_level", before.wireName());
            alert.put("based_on", f.lastObserved().toString());
            publish(topics.alerts(s), payloads.bytes(alert), 1, false, null, new MqttProperties(), f.modelVersion());
        }
        // Ranking every sensor after every reading is O(sensors) per reading; a level change is what
        // reorders the schedule, and the interval keeps act_by and scores fresh in between.
        long now = System.nanoTime();
        long last = lastSchedule.get();
        boolean due = last == Long.MIN_VALUE || now - last >= scheduleIntervalNanos;
        if ((before != a.level() || due) && lastSchedule.compareAndSet(last, now)) {
            publish(topics.schedule(), payloads.bytes(payloads.schedule(plugin.schedule(latestRisk.values(),
                    Duration.ofDays(7)))), 1, true, null);
        }
    }

    private void handleRequest(String topic, MqttMessage message) {
        MqttProperties in = message.getProperties();
        String responseTopic = in == null ? null : in.getResponseTopic();
        if (responseTopic == null) {
            rejected(topic, "no_response_topic", "requests need an MQTT 5 response topic");
            return;
        }
        byte[] correlation = in.getCorrelationData();
        worker.execute(() -> {
            ObjectNode reply = json.createObjectNode();
            try {
                JsonNode req = json.readTree(message.getPayload());
                SensorId sensor = SensorId.of(text(req, "device_id"), text(req, "sensor_key"));
                SensorBuffer buffer = buffers.get(sensor);
                List<Reading> recent = buffer == null ? List.of() : buffer.snapshot();
                if (topic.endsWith("/train")) {
                    ModelInfo m = plugin.train(new TrainRequest(sensor, recent));
                    reply.put("success", true);
                    reply.put("training_time_seconds", m.trainingMillis() / 1000.0);
                    reply.put("val_mae", m.valMae());
                    reply.put("forecast_horizon", m.horizon());
                } else if (topic.endsWith("/forecast")) {
                    Forecast f = plugin.forecast(new ForecastRequest(sensor, recent));
                    reply.setAll(payloads.forecast(f));
                    reply.put("success", true);
                } else {
                    throw new io.prognos.api.BadRequestException("topic", "unknown request " + topic);
                }
            } catch (PrognosException e) {
                reply.put("success", false);
                reply.put("error", e.getMessage());
            } catch (java.io.IOException e) {
                reply.put("success", false);
                reply.put("error", "request is not JSON: " + e.getMessage());
            }
            MqttProperties props = new MqttProperties();
            props.setCorrelationData(correlation);
            publish(responseTopic, payloads.bytes(reply), 1, false, null, props, null);
        });
    }

    /** A failing listener is the host's bug: logged, and the adapter goes on. */
    private static void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.error("MQTT adapter listener failed", e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new io.prognos.api.BadRequestException(field, field + " is required");
        }
        return v.asText();
    }

    /** Counts, logs at a bounded rate and publishes the reason with the original topic. */
    private void rejected(String topic, String reason, String message) {
        long n = errorCounts.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        long now = System.nanoTime();
        if (now - lastErrorLog >= errorLogIntervalNanos) {
            lastErrorLog = now;
            LOG.warn("rejected a message on {} ({}: {}); rejected so far: {}", topic, reason, message, errorCounts);
        }
        ObjectNode e = json.createObjectNode();
        e.put("reason", reason);
        e.put("message", message);
        e.put("topic", topic);
        e.put("received_at", clock.instant().toString());
        e.put("count", n);
        // QoS 1: at QoS 0 the broker dropped reports to a subscriber during a burst of bad payloads.
        publish(topics.errors(), payloads.bytes(e), 1, false, null);
    }

    private void publish(String topic, byte[] payload, int qos, boolean retain, Long expirySeconds) {
        publish(topic, payload, qos, retain, expirySeconds, new MqttProperties(), null);
    }

    private void publish(String topic, byte[] payload, int qos, boolean retain, Long expirySeconds,
                         MqttProperties props, String modelVersion) {
        props.setContentType("application/json");
        List<UserProperty> user = new java.util.ArrayList<>(List.of(
                new UserProperty("schema_version", Payloads.SCHEMA_VERSION),
                new UserProperty("plugin", plugin.id() + " " + plugin.version())));
        if (modelVersion != null) {
            user.add(new UserProperty("model_version", modelVersion));
        }
        props.setUserProperties(user);
        if (expirySeconds != null) {
            props.setMessageExpiryInterval(expirySeconds);
        }
        MqttMessage m = new MqttMessage(payload, qos, retain, props);
        if (retain) {
            retained.put(topic, m);
        }
        publishRaw(topic, m);
    }

    /**
     * Publishes, waiting for a free in-flight slot when a burst fills the window (Paho refuses with
     * "too many publishes in progress" instead of queueing). While disconnected the publish fails:
     * retained state is republished on reconnect.
     */
    private void publishRaw(String topic, MqttMessage m) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, m);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT
                        && attempt < 1000) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
                LOG.warn("publish to {} failed: {}", topic, e.getMessage());
                return;
            }
        }
    }

    public long readingsReceived() {
        return readingsIn.get();
    }

    public Map<String, Long> rejectedCounts() {
        Map<String, Long> m = new java.util.TreeMap<>();
        errorCounts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Waits until queued model work is done; for tests and orderly shutdown. */
    public void drain(Duration timeout) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        worker.execute(done::countDown);
        done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
            if (client.isConnected()) {
                client.publish(topics.status(), new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true,
                        null)).waitForCompletion(5_000);
                client.disconnect().waitForCompletion(5_000);
            }
            client.close();
        } catch (MqttException e) {
            LOG.warn("closing the MQTT client: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
