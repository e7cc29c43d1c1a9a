package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.CycleListeners;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.ReadingsForwarder;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * On a host whose sensors are scored elsewhere (Kafka), MQTT readings go to the forwarder, never
 * into the host's own cycle, and none is lost while the forwarder cannot take them: the message
 * stays unacknowledged, tried again, or sent again by the broker to the next session.
 */
class MqttForwardingTest {

    private static final SensorId SENSOR = SensorId.of("line-4", "temp");

    /** Takes readings after {@code failures} refusals (RetryLaterException), recording each reading taken. */
    private static final class FlakyForwarder implements ReadingsForwarder {
        final List<Reading> taken = new CopyOnWriteArrayList<>();
        final AtomicInteger refusals;
        final Supplier<RuntimeException> failure;

        FlakyForwarder(int failures) {
            this(
                    failures,
                    () -> new RetryLaterException(
                            RetryLaterException.Reason.STORE_UNAVAILABLE,
                            "the test's broker is down",
                            Duration.ZERO,
                            null));
        }

        /** Failing {@code failures} times with what {@code failure} makes. */
        FlakyForwarder(int failures, Supplier<RuntimeException> failure) {
            this.refusals = new AtomicInteger(failures);
            this.failure = failure;
        }

        @Override
        public void checkDevice(String deviceId) {
            if (deviceId.contains(":")) {
                throw new BadRequestException("device_id", "device id '" + deviceId + "' holds ':'");
            }
        }

        @Override
        public void forward(Map<SensorId, List<Reading>> bySensor) {
            if (refusals.getAndDecrement() > 0) {
                throw failure.get();
            }
            bySensor.forEach((sensor, readings) -> {
                assertEquals(SENSOR, sensor);
                taken.addAll(readings);
            });
        }

        @Override
        public String destination() {
            return "the test's topic";
        }
    }

    /** A host's parts around the adapter: its own cycle (which must hear nothing) and the forwarding. */
    private static final class Host implements AutoCloseable {
        final SensorContexts contexts;
        final CycleListeners scoredElsewhere = new CycleListeners();
        final TrainingRunner trainer;
        final MqttAdapter adapter;

        Host(ForecastingPlugin plugin, Broker broker, String clientId, ReadingsForwarder forwarder) {
            CycleSettings settings = CycleSettings.from(Map.of());
            CycleListeners own = new CycleListeners();
            trainer = new TrainingRunner(plugin, 1, 100, m -> {}, (s, e) -> {});
            SensorCycle cycle =
                    new SensorCycle(plugin, s -> OperatingLimits.none(), settings, Clock.systemUTC(), trainer, own);
            contexts = new SensorContexts(settings.maxSensors(), settings.bufferSize(), null, cycle::forget);
            adapter = MqttAdapter.start(
                    plugin,
                    cycle,
                    contexts,
                    own,
                    MqttAdapterTest.config(broker, clientId),
                    Clock.systemUTC(),
                    new SimpleMeterRegistry(),
                    new MqttAdapter.Forwarding(forwarder, scoredElsewhere),
                    Map.of());
        }

        @Override
        public void close() {
            adapter.close();
            trainer.close();
        }
    }

    private static Reading reading(int hour) {
        return new Reading(MqttAdapterTest.T0.plus(Duration.ofHours(hour)), 20 + hour);
    }

    @Test
    void readingsGoToTheForwarderInOrderEachOnceThoughItRefusesThemAWhile() throws Exception {
        sendTenThrough(new FlakyForwarder(3));
    }

    /** A fault that is not a refusal (a bug, a client library's error) is tried again too, not dropped. */
    @Test
    void readingsGoToTheForwarderInOrderEachOnceThoughItFailsAWhile() throws Exception {
        sendTenThrough(new FlakyForwarder(3, () -> new IllegalStateException("the test forwarder's fault")));
    }

    /** While the forwarder refuses, the adapter says so (the host's /health says DOWN), and UP again after. */
    @Test
    void theAdapterSaysWhileItsForwardingIsRefused() throws Exception {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        FlakyForwarder forwarder = new FlakyForwarder(Integer.MAX_VALUE);
        try (Broker broker = new Broker();
                Host host = new Host(plugin, broker, "prognos-forwarding-state", forwarder);
                MqttAdapterTest.Client plant = new MqttAdapterTest.Client(broker, "plant")) {
            assertEquals("UP", host.adapter.forwardingState());
            plant.send("prognos/readings/line-4/temp", MqttAdapterTest.reading(0, 20));
            MqttAdapterTest.waitFor(() -> host.adapter.forwardingState().equals("DOWN"), Duration.ofSeconds(30));
            assertEquals("DOWN", host.adapter.forwardingState(), "the reading waits for the forwarder");
            assertEquals(List.of(), forwarder.taken);
            forwarder.refusals.set(0);
            MqttAdapterTest.waitFor(
                    () -> host.adapter.forwardingState().equals("UP") && forwarder.taken.size() == 1,
                    Duration.ofSeconds(30));
            assertEquals("UP", host.adapter.forwardingState());
            assertEquals(List.of(MqttForwardingTest.reading(0)), forwarder.taken);
        } finally {
            plugin.stop();
        }
    }

    private static void sendTenThrough(FlakyForwarder forwarder) throws Exception {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        try (Broker broker = new Broker();
                Host host = new Host(plugin, broker, "prognos-forwarding", forwarder);
                MqttAdapterTest.Client plant = new MqttAdapterTest.Client(broker, "plant")) {
            for (int h = 0; h < 10; h++) {
                plant.send("prognos/readings/line-4/temp", MqttAdapterTest.reading(h, 20 + h));
            }
            MqttAdapterTest.waitFor(() -> forwarder.taken.size() >= 10, Duration.ofSeconds(30));
            Thread.sleep(500); // for any second copy
            assertEquals(
                    List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9).stream()
                            .map(MqttForwardingTest::reading)
                            .toList(),
                    forwarder.taken);
            assertNull(host.contexts.peek(SENSOR), "nothing in the host's own cycle");
        } finally {
            plugin.stop();
        }
    }

    @Test
    void aReadingNotForwardedWhenTheHostStopsIsSentAgainToItsNextSession() throws Exception {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        try (Broker broker = new Broker();
                MqttAdapterTest.Client plant = new MqttAdapterTest.Client(broker, "plant")) {
            FlakyForwarder down = new FlakyForwarder(Integer.MAX_VALUE);
            long stopped;
            try (Host host = new Host(plugin, broker, "prognos-forwarding-2", down)) {
                plant.send("prognos/readings/line-4/temp", MqttAdapterTest.reading(0, 20));
                MqttAdapterTest.waitFor(() -> down.refusals.get() < Integer.MAX_VALUE - 1, Duration.ofSeconds(30));
                stopped = System.nanoTime();
            }
            assertTrue(
                    System.nanoTime() - stopped < Duration.ofSeconds(10).toNanos(),
                    "a forward waiting for its destination does not hold the shutdown");
            assertEquals(List.of(), down.taken);
            FlakyForwarder up = new FlakyForwarder(0);
            try (Host again = new Host(plugin, broker, "prognos-forwarding-2", up)) {
                MqttAdapterTest.waitFor(() -> !up.taken.isEmpty(), Duration.ofSeconds(30));
                assertEquals(List.of(reading(0)), up.taken, "sent again by the broker, taken once");
            }
        } finally {
            plugin.stop();
        }
    }

    @Test
    void aDeviceTheForwarderCannotNameIsRefusedOnTheErrorsTopic() throws Exception {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        FlakyForwarder forwarder = new FlakyForwarder(0);
        try (Broker broker = new Broker();
                Host host = new Host(plugin, broker, "prognos-forwarding-3", forwarder);
                MqttAdapterTest.Client plant = new MqttAdapterTest.Client(broker, "plant", "prognos/errors")) {
            plant.send("prognos/readings/line:4/temp", MqttAdapterTest.reading(0, 20));
            MqttAdapterTest.Received error = plant.await("prognos/errors", Duration.ofSeconds(30));
            assertEquals(
                    "bad_topic",
                    error.json().get("reason").asText(),
                    error.json().toString());
            assertTrue(
                    error.json().toString().contains("holds ':'"), error.json().toString());
            assertEquals(List.of(), forwarder.taken);
        } finally {
            plugin.stop();
        }
    }
}
