package io.prognos.mqtt;

import io.prognos.api.ConfigDef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
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
 * The connection to the broker and nothing else: a persistent session (clean start off, so QoS 1
 * readings sent while the adapter was away are delivered when it is back), automatic reconnects
 * with the subscriptions renewed and the retained state republished, the {@code online} status
 * with {@code offline} as the last will, and publishing that waits for a free in-flight slot.
 */
final class MqttConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String SCHEMA_VERSION = "1";

    /** Where incoming messages go; called on the client's thread: keep it short. */
    interface Handler {
        void message(String topic, MqttMessage message);
    }

    private final ConfigDef.Config config;
    private final Topics topics;
    private final String pluginLabel;
    private final MqttAsyncClient client;
    /** Last retained payload per topic, republished after a reconnect. */
    private final ConcurrentMap<String, MqttMessage> retained = new ConcurrentHashMap<>();

    private volatile Handler handler = (t, m) -> {};

    MqttConnection(ConfigDef.Config config, Topics topics, String pluginLabel) throws MqttException {
        this.config = config;
        this.topics = topics;
        this.pluginLabel = pluginLabel;
        this.client = new MqttAsyncClient(
                config.getString("mqtt.url"), config.getString("mqtt.client-id"), new MemoryPersistence());
    }

    void onMessage(Handler h) {
        this.handler = h;
    }

    void connect() throws MqttException {
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
        if (config.getString("mqtt.url").startsWith("tcp://")) {
            o.setSocketFactory(new NoDelaySockets()); // ssl:// keeps Paho's TLS factory
        }
        o.setWill(topics.status(), new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, null));
        client.setCallback(new Callback());
        client.connect(o).waitForCompletion(30_000);
        // Subscribed before start() returns: readings published right after start are not missed.
        subscribeAndAnnounce().waitForCompletion(30_000);
        LOG.info(
                "MQTT adapter connected to {} as {}", config.getString("mqtt.url"), config.getString("mqtt.client-id"));
    }

    boolean isConnected() {
        return client.isConnected();
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
            handler.message(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (!reconnect) {
                return; // the first connect subscribes in connect()
            }
            try {
                subscribeAndAnnounce();
                retained.forEach(MqttConnection.this::publishRaw);
                LOG.info("MQTT reconnected to {}; {} retained topics republished", serverUri, retained.size());
            } catch (MqttException e) {
                LOG.error("subscribing after reconnect failed: {}", e.getMessage());
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    /** Subscribes to readings and requests (again: harmless when the session kept them) and says online. */
    private IMqttToken subscribeAndAnnounce() throws MqttException {
        String shared = config.getString("mqtt.shared-group");
        String filter = shared == null || shared.isBlank()
                ? topics.readingsFilter()
                : "$share/" + shared + "/" + topics.readingsFilter();
        IMqttToken token = client.subscribe(
                new MqttSubscription[] {new MqttSubscription(filter, 1), new MqttSubscription(topics.requests(), 1)});
        publish(topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true, null, new MqttProperties(), null);
        return token;
    }

    /** Publishes with the content type and the schema, plugin and model versions as user properties. */
    void publish(
            String topic,
            byte[] payload,
            int qos,
            boolean retain,
            Long expirySeconds,
            MqttProperties props,
            String modelVersion) {
        props.setContentType("application/json");
        List<UserProperty> user = new ArrayList<>(
                List.of(new UserProperty("schema_version", SCHEMA_VERSION), new UserProperty("plugin", pluginLabel)));
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
     * Waits for a free in-flight slot when a burst fills the window (Paho refuses with "too many
     * publishes in progress" instead of queueing). While disconnected the publish fails: retained
     * state is republished on reconnect.
     */
    private void publishRaw(String topic, MqttMessage m) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, m);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT && attempt < 1000) {
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

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.publish(
                                topics.status(),
                                new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, null))
                        .waitForCompletion(5_000);
                client.disconnect().waitForCompletion(5_000);
            }
            client.close();
        } catch (MqttException e) {
            LOG.warn("closing the MQTT client: {}", e.getMessage());
        }
    }
}
