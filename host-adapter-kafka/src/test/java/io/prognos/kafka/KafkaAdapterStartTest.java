package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.RetryLaterException;
import io.prognos.api.ThreadLimits;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host whose Kafka cannot be reached at start is told why, and may try again. */
class KafkaAdapterStartTest {

    @TempDir
    Path dir;

    ForecastingPlugin plugin;
    TrainingRunner trainer;

    @BeforeEach
    void start() {
        plugin = PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        trainer = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {});
    }

    @AfterEach
    void stop() {
        trainer.close();
        plugin.stop();
    }

    @Test
    void nothingListeningAtTheBootstrapAddressIsSaid() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RetryLaterException e = startFails("127.0.0.1:" + closed);
        assertTrue(
                e.getMessage().contains("Kafka at kafka.bootstrap=127.0.0.1:" + closed + " did not answer within 3 s")
                        && e.getMessage().contains("127.0.0.1:" + closed + " refused the connection"),
                e.getMessage());
        assertEquals(RetryLaterException.Reason.STORE_UNAVAILABLE, e.reason());
    }

    @Test
    void aListenerThatDoesNotSpeakKafkaIsToldApartFromNoListener() throws Exception {
        // Connections complete in the socket's backlog; nothing is ever answered.
        try (ServerSocket mute = new ServerSocket(0)) {
            RetryLaterException e = startFails("127.0.0.1:" + mute.getLocalPort());
            assertTrue(
                    e.getMessage().contains("127.0.0.1:" + mute.getLocalPort() + " takes TCP connections, yet Kafka's"),
                    e.getMessage());
        }
    }

    @Test
    void eachAddressIsDescribed() {
        assertTrue(
                BootstrapProbe.describe("no-such-host.invalid:9092, localhost:x")
                        .equals("no-such-host.invalid is not a known host name; localhost:x is not host:port"),
                BootstrapProbe.describe("no-such-host.invalid:9092, localhost:x"));
    }

    @Test
    void clientPropertiesKafkaRefusesAreAConfigurationErrorNamingTheFile() throws Exception {
        // Kafka's own rule: the admin client's wait may not be shorter than one request's.
        Path client = Files.writeString(dir.resolve("client.properties"), "default.api.timeout.ms=1000\n");
        InvalidConfigurationException e =
                assertThrows(InvalidConfigurationException.class, () -> start("127.0.0.1:9", client));
        assertEquals("kafka.client-properties", e.problems().get(0).key(), e.getMessage());
        assertTrue(
                e.getMessage().contains(client.toString())
                        && e.getMessage()
                                .contains("default.api.timeout.ms must be no smaller than the value of"
                                        + " request.timeout.ms"),
                e.getMessage());
    }

    private RetryLaterException startFails(String bootstrap) throws Exception {
        // The admin client's wait shortened from its minute, through the file a plant would use.
        Path client = Files.writeString(
                dir.resolve("client.properties"), "default.api.timeout.ms=3000\nrequest.timeout.ms=2000\n");
        return assertThrows(RetryLaterException.class, () -> start(bootstrap, client));
    }

    private void start(String bootstrap, Path clientProperties) {
        KafkaSettings settings = KafkaSettings.from(
                Map.of("kafka.bootstrap", bootstrap, "kafka.client-properties", clientProperties.toString()));
        SensorCycle cycle = PrognosTopologyTest.cycle(plugin, trainer, new SensorCycle.Listener() {});
        KafkaAdapter.start(
                        plugin,
                        cycle,
                        trainer,
                        settings,
                        dir.resolve("state"),
                        new SimpleMeterRegistry(),
                        Clock.systemUTC(),
                        null)
                .close();
    }
}
