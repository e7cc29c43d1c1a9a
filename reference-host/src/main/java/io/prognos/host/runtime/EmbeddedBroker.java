package io.prognos.host.runtime;

import com.codahale.metrics.Counter;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real MQTT 5 broker (HiveMQ CE) on localhost, keeping retained messages and sessions in the data directory. */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    /**
     * Messages the broker holds for one client that has not taken them yet. With HiveMQ's default
     * of 1,000 a 5,000/s stream lost 79 % of its acknowledged readings, uncounted; 200,000 (about
     * 100 MB at the worst) holds a long burst. What it still drops is counted in
     * prognos_broker_messages_dropped_total.
     */
    static final int QUEUED_PER_CLIENT = 200_000;

    /**
     * Unacknowledged QoS 1 messages HiveMQ sends one subscriber, and how many it takes from the
     * subscriber's queue at a time. At HiveMQ's 50 one Paho subscriber received 1,121 messages/s
     * here; at 500 it received 8,192/s (the same client takes 10,500/s from Mosquitto).
     */
    static final int DELIVERY_WINDOW = 500;

    /**
     * Unacknowledged QoS 1 messages in flight to one subscriber. The adapter acknowledges a reading
     * only once it is stored, a database transaction later; with the window at 500 that held the
     * readings back in the broker (bench-ingest at 5,000/s: probe latency p90 372 ms against 37 ms).
     */
    static final int INFLIGHT_WINDOW = 5_000;

    private final EmbeddedHiveMQ hivemq;
    private final int port;

    private final BrokerAccess access;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, int port, BrokerAccess access) {
        this.hivemq = hivemq;
        this.port = port;
        this.access = access;
    }

    /** Sets the device login on a client's options, for the demo and load runs that play the plant's devices. */
    public MqttConnectionOptions asDevice(MqttConnectionOptions options) {
        deviceCredentials().ifPresent(c -> {
            options.setUserName(c.username());
            options.setPassword(c.password().getBytes(StandardCharsets.UTF_8));
        });
        return options;
    }

    /** What device clients log in with; empty when the broker is open to any local client. */
    public Optional<BrokerAccess.Credentials> deviceCredentials() {
        return Optional.ofNullable(access).map(BrokerAccess::device);
    }

    /** A broker any local client may use without credentials (tests standing in for a plant's broker). */
    public static EmbeddedBroker start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, null, false);
    }

    /**
     * A broker only the clients {@code access} names may use, each for what it allows; with
     * {@code onDisk} its sessions and queued messages are kept in the data directory across a kill
     * and a restart, else in memory only.
     */
    public static EmbeddedBroker start(Path dataDir, int port, BrokerAccess access, boolean onDisk) throws IOException {
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        } else {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                // The operator's to mend, said in a line naming the key (was an IOException and its stack).
                throw new InvalidConfigurationException(
                        "the embedded MQTT broker",
                        List.of(new ConfigProblem(
                                "prognos.mqtt.port",
                                "port " + port + " is taken (" + e.getMessage() + "; another broker?): set a free"
                                        + " port, or mqtt.url to use that broker")));
            }
        }
        Path root = dataDir.resolve("hivemq");
        Path conf = Files.createDirectories(root.resolve("conf"));
        // In memory, the broker lives and dies with the host and a session kept from an earlier run
        // would be stale, so its files go. On disk, they are what lets the adapter's session, with
        // the readings it had not acknowledged (not stored yet), outlive a kill: 300,000 of 300,000
        // stored at 2,754 readings/s (bench-ingest), against 4,880/s in memory, where the
        // publishers' acknowledgements wait for the broker's disk.
        Path data = root.resolve("data");
        if (!onDisk) {
            FileTrees.deleteTree(data);
        }
        Files.createDirectories(data);
        Path extensions = Files.createDirectories(root.resolve("extensions"));
        Files.writeString(
                conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                  </listeners>
                  <persistence><mode>%s</mode></persistence>
                  <mqtt>
                    <queued-messages>
                      <max-queue-size>%d</max-queue-size>
                      <strategy>discard</strategy>
                    </queued-messages>
                  </mqtt>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, onDisk ? "file" : "in-memory", QUEUED_PER_CLIENT));
        // HiveMQ reads these internal settings (static fields, no configuration element) when it starts.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = INFLIGHT_WINDOW;
        InternalConfigurations.PUBLISH_POLL_BATCH_SIZE = DELIVERY_WINDOW;
        // The host's logging stays the host's: HiveMQ's bootstrap would reset logback to a
        // configuration of its own (the conf folder's logback.xml, else its default, with a warning)
        // and print logback's status to standard output, where a --json answer goes.
        var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap();
        if (access != null) {
            builder.withEmbeddedExtension(access.extension());
        }
        EmbeddedHiveMQ hivemq = builder.build();
        try {
            hivemq.start().join();
        } catch (RuntimeException e) {
            try {
                hivemq.close();
            } catch (Exception ignored) {
                // the start failure is the one to report
            }
            throw new IOException("the embedded MQTT broker did not start: " + e.getMessage(), e);
        }
        LOG.info(
                "embedded MQTT broker listening on 127.0.0.1:{}{}",
                port,
                access == null
                        ? " (open to any local client)"
                        : "; device clients log in as '" + access.device().username() + "'");
        return new EmbeddedBroker(hivemq, port, access);
    }

    /** Messages the broker dropped (queues full, overload): published but never delivered. */
    public long messagesDropped() {
        Counter c = hivemq.getMetricRegistry().getCounters().get("com.hivemq.messages.dropped.count");
        return c == null ? 0 : c.getCount();
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            hivemq.stop().join();
            hivemq.close();
        } catch (Exception e) {
            throw new IllegalStateException("the embedded MQTT broker did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
