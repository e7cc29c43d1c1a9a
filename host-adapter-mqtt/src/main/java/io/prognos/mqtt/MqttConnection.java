package io.prognos.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to the broker and nothing else: a persistent session (clean start off, so QoS 1
 * readings sent while the adapter was away are delivered when it is back), automatic reconnects
 * with backoff, the {@code online} status with {@code offline} as the last will, and the retained
 * state republished after a reconnect (a broker that lost it, restarted without persistence, has
 * it again).
 *
 * <p>Built on the HiveMQ MQTT client. Paho 1.2.5 (the last release) was replaced because it could
 * hang for good after a broker restart under CPU load: its reconnect threads waited forever for a
 * sender that had already ended (eclipse-paho/paho.mqtt.java#953), every later reconnect was
 * refused as "already in progress", and nothing more arrived (2 of 4 runs of the broker-restart
 * test with the CPU busy). This client resubscribes by itself when the broker lost the session,
 * resends unacknowledged publishes and queues new ones while it reconnects.
 *
 * <p>The adapter keeps two: one for readings, one for requests and their replies. A reading is
 * acknowledged only once stored, and a broker sends one session at most a window of
 * unacknowledged messages: while the database is down that window fills and no more messages reach
 * the session (HiveMQ CE with its default settings delivered nothing more behind one reading held
 * unacknowledged). Requests on the readings' session went unanswered for as long as the outage
 * lasted; on a session of their own, acknowledged on arrival, they are answered.
 */
final class MqttConnection implements AutoCloseable {

    /** The request session's client id is the adapter's + this. */
    static final String REQUESTS_SUFFIX = "-requests";

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    /** The backoff of every retry, the start's and the client's reconnects: doubling from the first to the last. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    static final String SCHEMA_VERSION = "1";

    /** Where incoming messages go; called on the client's thread: keep it short. */
    interface Handler {
        void message(Inbound message);
    }

    /** What a connection carries. */
    enum Session {
        /** Readings in (acknowledged once stored), results out; the {@code online} status and its will. */
        READINGS,
        /** Requests in (acknowledged on arrival) and their replies out, under the client id + {@code -requests}. */
        REQUESTS
    }

    private final ConfigDef.Config config;
    private final Session session;
    private final Topics topics;
    private final String pluginLabel;
    private final Mqtt5AsyncClient client;
    /** Last retained payload per topic, republished after a reconnect. */
    private final ConcurrentMap<String, Outbound> retained = new ConcurrentHashMap<>();

    private final AtomicLong failedPublishes = new AtomicLong();
    private volatile long lastFailureLog;
    private volatile boolean connectedOnce;
    /**
     * Publishes made before the first connect was done, sent in order once it is: the client
     * refuses a publish before its first connect ("not connected"). A kept session delivers its
     * queued messages right after the CONNACK, before the other session is up: a request the
     * readings' session of an earlier release held was answered while the requests' session was
     * still connecting, and the answer was lost (seen on a loaded machine). Guarded by itself.
     */
    private final List<Outbound> beforeConnect = new ArrayList<>();
    /**
     * Set when the start gave up or the connection was closed: a reconnect still pending is called
     * off, and a connection that arrives anyway is closed on arrival.
     */
    private volatile boolean ended;

    private volatile Handler handler = m -> {};
    /**
     * The requests' session only: the newest reply's completion (publishes go out in order, so close
     * waits for it alone). The readings' session, which publishes several results per reading, does
     * not keep it.
     */
    private volatile CompletableFuture<?> lastSent = CompletableFuture.completedFuture(null);

    /**
     * A publish: QoS 0 or 1; {@code expirySeconds}, {@code correlationData} and
     * {@code modelVersion} may be null. Kept to be made again when retained.
     */
    record Outbound(
            String topic,
            byte[] payload,
            int qos,
            boolean retain,
            Long expirySeconds,
            byte[] correlationData,
            String modelVersion) {}

    MqttConnection(ConfigDef.Config config, Session session, Topics topics, String pluginLabel) {
        this.config = config;
        this.session = session;
        this.topics = topics;
        this.pluginLabel = pluginLabel;
        URI url = brokerUrl(config.getString("mqtt.url"));
        ownClientId(config.getString("mqtt.client-id"));
        boolean tls = url.getScheme().equals("ssl") || url.getScheme().equals("mqtts");
        Mqtt5ClientBuilder b = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId())
                .serverHost(url.getHost())
                .serverPort(url.getPort() > 0 ? url.getPort() : tls ? 8883 : 1883)
                .automaticReconnect()
                .initialDelay(FIRST_RETRY.toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(LAST_RETRY.toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(ctx -> onConnected())
                .addDisconnectedListener(this::disconnected);
        Optional<MqttClientSslConfig> ssl = BrokerTls.of(config, tls);
        if (ssl.isPresent()) {
            b = b.sslConfig(ssl.get());
        }
        String user = config.getString("mqtt.username");
        String password = config.getString("mqtt.password");
        byte[] secret = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        if (user != null) {
            var auth = Mqtt5SimpleAuth.builder().username(user);
            b = b.simpleAuth(
                    secret == null ? auth.build() : auth.password(secret).build());
        } else if (secret != null) {
            b = b.simpleAuth(Mqtt5SimpleAuth.builder().password(secret).build());
        }
        // The will is kept on the client so that every reconnect carries it too.
        this.client = session == Session.REQUESTS
                ? b.buildAsync()
                : b.willPublish()
                        .topic(topics.status())
                        .payload("offline".getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .retain(true)
                        .applyWillPublish()
                        .buildAsync();
    }

    private void disconnected(MqttClientDisconnectedContext ctx) {
        if (ctx.getSource() == MqttDisconnectSource.USER) {
            LOG.info("MQTT adapter {} disconnected from {}", clientId(), config.getString("mqtt.url"));
            return;
        }
        if (!connectedOnce || ended) {
            // Before start is done, connect() tries again itself, within its wait; the client's own
            // reconnect would carry on after start gave up (a failed start was seen connecting again
            // later). This listener runs after the automatic reconnect's and overrides its decision.
            ctx.getReconnector().reconnect(false);
            return;
        }
        // The reconnect is scheduled after its delay, and the client's disconnect does not cancel it:
        // an adapter closed while its broker was down connected again later, under its client id
        // (taking the session from the host that replaced it). So it also waits for its delay here,
        // and is called off then if the connection has ended meanwhile.
        MqttClientReconnector reconnector = ctx.getReconnector();
        reconnector.reconnectWhen(
                new CompletableFuture<Void>()
                        .completeOnTimeout(null, reconnector.getDelay(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS),
                (due, failure) -> {
                    if (ended) {
                        reconnector.reconnect(false);
                    }
                });
        LOG.warn(
                "MQTT connection of {} lost or refused ({}: {}); reconnecting with backoff",
                clientId(),
                ctx.getSource(),
                ctx.getCause().getMessage());
    }

    private String clientId() {
        String id = config.getString("mqtt.client-id");
        return session == Session.REQUESTS ? id + REQUESTS_SUFFIX : id;
    }

    /**
     * A client id whose request session cannot take another instance's session over: the requests'
     * id is this one + {@value #REQUESTS_SUFFIX}, so an instance named {@code x-requests} and one
     * named {@code x} would each disconnect the other (the broker keeps the newest connection of
     * an id), over and over.
     */
    static void ownClientId(String id) {
        if (id.endsWith(REQUESTS_SUFFIX)) {
            throw new InvalidConfigurationException(
                    "the MQTT adapter",
                    List.of(new ConfigProblem(
                            "mqtt.client-id",
                            "must not end in '" + REQUESTS_SUFFIX + "' ('" + id
                                    + "'): the request session of an instance"
                                    + " with the id before it would take this one's connection over")));
        }
    }

    /** {@code tcp://host:port} or {@code ssl://host:port} ({@code mqtt://} and {@code mqtts://} too). */
    static URI brokerUrl(String value) {
        URI u = null;
        try {
            u = URI.create(value);
        } catch (IllegalArgumentException e) {
            // reported below, naming the key
        }
        if (u == null
                || u.getScheme() == null
                || !List.of("tcp", "ssl", "mqtt", "mqtts").contains(u.getScheme())
                || u.getHost() == null) {
            throw new InvalidConfigurationException(
                    "the MQTT adapter",
                    List.of(new ConfigProblem(
                            "mqtt.url", "expected tcp://host:port or ssl://host:port, not '" + value + "'")));
        }
        return u;
    }

    void onMessage(Handler h) {
        this.handler = h;
    }

    /**
     * Connects and subscribes, waiting for both; afterwards the client reconnects on its own.
     *
     * @throws IOException when the broker cannot be reached within {@code mqtt.connect-timeout}
     *     (nothing keeps trying then), naming the last failure
     * @throws InvalidConfigurationException at once when the broker refuses the credentials, the
     *     client id or the protocol version, naming the key
     */
    void connect() throws IOException {
        long wait = config.getDuration("mqtt.connect-timeout").toMillis();
        // Before the connect: a kept session delivers queued readings right after the CONNACK.
        // Acknowledged by hand, each message when its work is done (a reading once it is durable).
        client.publishes(MqttGlobalPublishFilter.ALL, this::arrived, true);
        try {
            connectWithin(wait);
            // Subscribed before start() returns: readings published right after start are not missed.
            subscribe().get(wait, TimeUnit.MILLISECONDS);
            if (session == Session.READINGS) {
                // The readings' session of an earlier release took requests too, and readings
                // under a narrower filter: those subscriptions go, so that each request and each
                // reading arrives once (what they still held is handled anyway).
                client.unsubscribeWith()
                        .topicFilter(topics.requests())
                        .addTopicFilter(shared(topics.earlierReadingsFilter()))
                        .send()
                        .get(wait, TimeUnit.MILLISECONDS);
            }
            String own = session == Session.REQUESTS ? topics.requests() : topics.readingsFilter();
            if (!shared(own).equals(own)) {
                // An instance that joins a group keeps its session, and with it the plain
                // subscription it held before: each message would come by both.
                client.unsubscribeWith().topicFilter(own).send().get(wait, TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            abandon();
            throw new IOException("subscribing: " + reason(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            abandon();
            throw new IOException("the broker did not answer the subscriptions within " + wait + " ms", e);
        } catch (InterruptedException e) {
            abandon();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", e);
        }
        if (session == Session.READINGS) {
            publish(new Outbound(
                    topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true, null, null, null));
        }
        synchronized (beforeConnect) {
            connectedOnce = true;
            beforeConnect.forEach(this::send); // in order, before any made from now on
            beforeConnect.clear();
        }
        LOG.info("MQTT adapter connected to {} as {}", config.getString("mqtt.url"), clientId());
    }

    /**
     * Until connected or {@code waitMillis} are over (by at most a second: the last attempt gets
     * that long), trying again after 1, 2, 4... s, at once failing on a refusal that will not change.
     */
    private void connectWithin(long waitMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        long pause = FIRST_RETRY.toMillis();
        boolean everyOneReset = true;
        for (int attempt = 1; ; attempt++) {
            Throwable failure;
            try {
                client.connectWith()
                        .cleanStart(false)
                        // Readings are acknowledged once stored, so the broker's window of unacknowledged
                        // messages bounds what waits in the adapter: never more than its work queue holds.
                        .restrictions()
                        .receiveMaximum(Math.min(65_535, config.getInt("mqtt.work-queue")))
                        .applyRestrictions()
                        .sessionExpiryInterval(
                                config.getDuration("mqtt.session-expiry").toSeconds())
                        .send()
                        .get(Math.max(1_000, millisUntil(deadline)), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException e) {
                abandon();
                throw new IOException(notConnected(waitMillis, attempt, "no answer"), e);
            }
            Optional<InvalidConfigurationException> refusal = BrokerRefusal.of(failure, config, clientId());
            if (refusal.isPresent()) {
                throw refusal.get();
            }
            everyOneReset &= reset(failure);
            long left = millisUntil(deadline);
            if (left <= 0) {
                throw new IOException(
                        notConnected(waitMillis, attempt, reason(failure)) + (everyOneReset ? WRONG_SCHEME : ""),
                        failure);
            }
            long next = Math.min(pause, left);
            LOG.warn(
                    "MQTT adapter {} cannot connect to {} ({}); trying again in {} ms",
                    clientId(),
                    config.getString("mqtt.url"),
                    reason(failure),
                    next);
            Thread.sleep(next);
            pause = Math.min(2 * pause, LAST_RETRY.toMillis());
        }
    }

    /**
     * Said when every attempt was accepted and reset: what Mosquitto does to a TLS handshake on its
     * plain port and to a plain connect on its TLS port (each retried for the whole wait and told
     * only as "Connection reset", which a broker going down gives too).
     */
    static final String WRONG_SCHEME = "; a broker that takes the connection and resets it at every attempt is often"
            + " spoken to in the other protocol: ssl:// to a plain port or tcp:// to a TLS one (mqtt.url)";

    /** Whether the connection was taken and then reset by the broker. */
    private static boolean reset(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketException
                    && String.valueOf(c.getMessage()).contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    private static long millisUntil(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static String notConnected(long waitMillis, int attempts, String last) {
        return "not connected within " + TimeUnit.MILLISECONDS.toSeconds(waitMillis) + " s (" + attempts + " attempt"
                + (attempts == 1 ? "" : "s") + ", the last: " + last + ")";
    }

    /**
     * Ends a start that failed: a connection made is closed, and one still on its way is closed when
     * it arrives (onConnected); close() then finds the client disconnected.
     */
    private void abandon() {
        ended = true;
        dropUnsent();
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Not connected (yet): nothing to end now.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Publishes made while a first connect that failed was under way: counted and told, not kept. */
    private void dropUnsent() {
        synchronized (beforeConnect) {
            if (!beforeConnect.isEmpty()) {
                failedPublishes.addAndGet(beforeConnect.size());
                LOG.warn(
                        "{} publish(es) made while {} was connecting not sent: it never connected (the first to {})",
                        beforeConnect.size(),
                        clientId(),
                        beforeConnect.get(0).topic());
                beforeConnect.clear();
            }
        }
    }

    /** The innermost message: the client wraps the network's (Connection refused: host/port) in its own. */
    private static String reason(Throwable t) {
        String why = t.toString();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                why = c.getMessage();
            }
        }
        return why;
    }

    boolean isConnected() {
        return client.getState().isConnected();
    }

    private void arrived(Mqtt5Publish p) {
        handler.message(new Inbound(
                p.getTopic().toString(),
                p.getPayloadAsBytes(),
                p.getResponseTopic().map(Object::toString).orElse(null),
                p.getCorrelationData().map(MqttConnection::bytes).orElse(null),
                p.getUserProperties().asList().stream()
                        .map(u -> Map.entry(u.getName().toString(), u.getValue().toString()))
                        .toList(),
                p::acknowledge));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * On a reconnect (the first connect is handled by {@link #connect}): the status and the
     * retained state are published again. The subscriptions need nothing: a kept session keeps
     * them, and the client subscribes again by itself when the broker lost the session.
     */
    private void onConnected() {
        if (ended) {
            client.disconnect();
            return;
        }
        if (!connectedOnce || session == Session.REQUESTS) {
            return;
        }
        publish(new Outbound(topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true, null, null, null));
        retained.values().forEach(this::send);
        LOG.info(
                "MQTT reconnected to {}; {} retained topics republished",
                config.getString("mqtt.url"),
                retained.size());
    }

    /** The session's topics, through {@code $share/{group}/} when the instance is one of a group. */
    private CompletableFuture<?> subscribe() {
        return client.subscribeWith()
                .topicFilter(shared(session == Session.REQUESTS ? topics.requests() : topics.readingsFilter()))
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
    }

    private String shared(String filter) {
        String group = config.getString("mqtt.shared-group");
        return group != null && !group.isBlank() ? "$share/" + group + "/" + filter : filter;
    }

    /**
     * Publishes with the content type and the schema, plugin and model versions as user
     * properties. Never blocks: the client queues publishes (while reconnecting too) and resends
     * the unacknowledged ones after a reconnect; a publish that fails is logged at a bounded rate.
     */
    void publish(Outbound m) {
        if (m.retain()) {
            retained.put(m.topic(), m);
        }
        send(m);
    }

    private void send(Outbound m) {
        if (!connectedOnce) {
            synchronized (beforeConnect) {
                if (!connectedOnce) {
                    beforeConnect.add(m);
                    return;
                }
            }
        }
        Mqtt5UserPropertiesBuilder user = Mqtt5UserProperties.builder()
                .add("schema_version", SCHEMA_VERSION)
                .add("plugin", pluginLabel);
        if (m.modelVersion() != null) {
            user = user.add("model_version", m.modelVersion());
        }
        Mqtt5PublishBuilder.Send.Complete<
                        java.util.concurrent.CompletableFuture<
                                com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult>>
                p = client.publishWith()
                        .topic(m.topic())
                        .payload(m.payload())
                        .qos(MqttQos.fromCode(m.qos()))
                        .retain(m.retain())
                        .contentType("application/json")
                        .userProperties(user.build());
        if (m.expirySeconds() != null) {
            p = p.messageExpiryInterval(m.expirySeconds());
        }
        if (m.correlationData() != null) {
            p = p.correlationData(m.correlationData());
        }
        CompletableFuture<?> sent = p.send().whenComplete((result, e) -> {
            Throwable failure = e != null ? e : result.getError().orElse(null);
            if (failure != null) {
                publishFailed(m.topic(), failure);
            }
        });
        if (session == Session.REQUESTS) {
            lastSent = sent;
        }
    }

    private void publishFailed(String topic, Throwable e) {
        long n = failedPublishes.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastFailureLog > TimeUnit.SECONDS.toNanos(10)) {
            lastFailureLog = now;
            LOG.warn("publish to {} failed ({} failed publishes so far): {}", topic, n, e.getMessage());
        }
    }

    /** Publishes that the broker refused or that could not be sent. */
    long failedPublishes() {
        return failedPublishes.get();
    }

    @Override
    public void close() {
        ended = true;
        dropUnsent();
        try {
            if (isConnected()) {
                lastWords().get(5, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("closing the MQTT client: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Disconnected or reconnecting, there is nothing to end now: a reconnect still pending
            // is called off by `ended` (disconnect() failed on it as "not connected" and left it be).
            if (client.getState().isConnected()) {
                client.disconnect().get(5, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("closing the MQTT client: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What goes out before the disconnect: the {@code offline} status, or the last replies sent. */
    private CompletableFuture<?> lastWords() {
        if (session == Session.REQUESTS) {
            return lastSent.exceptionally(failedAndLogged -> null);
        }
        return client.publishWith()
                .topic(topics.status())
                .payload("offline".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send();
    }
}
