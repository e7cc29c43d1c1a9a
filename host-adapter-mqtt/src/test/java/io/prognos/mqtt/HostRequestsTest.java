package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import io.prognos.host.core.CycleListeners;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import io.prognos.mqtt.MqttAdapterTest.Client;
import io.prognos.mqtt.MqttAdapterTest.Received;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host's own request kinds ({@link HostRequest}; the reference host closes alerts so): carried
 * as the adapter's own requests are, answered on a thread of their own, never lost at a close.
 */
class HostRequestsTest {

    private final List<TrainingRunner> trainers = new ArrayList<>();

    @AfterEach
    void closeTrainers() {
        trainers.forEach(TrainingRunner::close);
    }

    /** The adapter on a cycle of its own, as a host that runs the cycle starts it, with {@code requests}. */
    private MqttAdapter started(
            ForecastingPlugin plugin, String url, String clientId, Map<String, HostRequest> requests) {
        CycleSettings settings = CycleSettings.from(Map.of());
        CycleListeners listeners = new CycleListeners();
        TrainingRunner trainer = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {});
        trainers.add(trainer);
        SensorCycle cycle =
                new SensorCycle(plugin, s -> OperatingLimits.none(), settings, Clock.systemUTC(), trainer, listeners);
        SensorContexts contexts = new SensorContexts(settings.maxSensors(), settings.bufferSize(), null, cycle::forget);
        return MqttAdapter.start(
                plugin,
                cycle,
                contexts,
                listeners,
                MqttAdapterTest.config(url, clientId),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                null,
                requests);
    }

    /**
     * A host request's answer, refusal (naming its field) and fault each reach the requester; one
     * that runs long holds neither the model-work thread (a forecast request is answered meanwhile)
     * nor the adapter's close: the requests waiting behind it are answered at once that the host is
     * stopping, and the running one is let end and answered before the connection goes.
     */
    @Test
    void hostRequestsAreAnsweredOffTheModelWorkThreadAndNoneIsLostAtClose() throws Exception {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Map<String, HostRequest> requests = new HashMap<>();
        requests.put("slow", payload -> {
            running.countDown();
            try {
                assertTrue(letGo.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
            return Map.of("success", true, "echo", new String(payload, StandardCharsets.UTF_8));
        });
        requests.put("refusing", payload -> {
            throw new BadRequestException("note", "note is not a line of text");
        });
        requests.put("failing", payload -> {
            throw new IllegalStateException("a fault of the host's");
        });
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant")) {
            MqttAdapter adapter = started(plugin, broker.url(), "prognos-host-kinds", requests);
            Thread closing = new Thread(adapter::close, "closing-adapter");
            try {
                plant.request("refusing", "{}", "prognos/replies/plant", new byte[] {1});
                JsonNode refused = reply(plant, 1);
                assertFalse(refused.get("success").asBoolean(), refused.toString());
                assertEquals("note", refused.path("field").asText(), refused.toString());
                assertEquals("note is not a line of text", refused.path("error").asText(), refused.toString());

                plant.request("failing", "{}", "prognos/replies/plant", new byte[] {2});
                JsonNode failed = reply(plant, 2);
                assertFalse(failed.get("success").asBoolean(), failed.toString());
                assertTrue(failed.path("error").asText().contains("a fault of the host's"), failed.toString());

                plant.request("nope", "{}", "prognos/replies/plant", new byte[] {3});
                JsonNode unknown = reply(plant, 3);
                assertEquals("topic", unknown.path("field").asText(), unknown.toString());
                assertTrue(
                        unknown.path("error")
                                .asText()
                                .endsWith("requests are forecast, train, failing, refusing, slow"),
                        unknown.toString());

                plant.request("slow", "{\"n\":4}", "prognos/replies/plant", new byte[] {4});
                assertTrue(running.await(20, TimeUnit.SECONDS), "the host request never ran");
                plant.request("slow", "{\"n\":5}", "prognos/replies/plant", new byte[] {5}); // waits behind it
                // The model-work thread is free: a forecast of a sensor without a model is answered.
                plant.request(
                        "forecast",
                        "{\"device_id\":\"mill-1\",\"sensor_key\":\"temp\"}",
                        "prognos/replies/plant",
                        new byte[] {6});
                JsonNode forecast = reply(plant, 6);
                assertFalse(forecast.get("success").asBoolean(), forecast.toString());
                assertTrue(forecast.path("error").asText().contains("mill-1/temp"), forecast.toString());

                closing.start();
                JsonNode waiting = reply(plant, 5);
                assertFalse(waiting.get("success").asBoolean(), waiting.toString());
                assertEquals("capacity", waiting.path("reason").asText(), waiting.toString());
                assertTrue(waiting.path("error").asText().contains("host is stopping"), waiting.toString());
                assertTrue(closing.isAlive(), "the close waits for the running host request");
                letGo.countDown();
                JsonNode ran = reply(plant, 4);
                assertTrue(ran.get("success").asBoolean(), ran.toString());
                assertEquals("{\"n\":4}", ran.path("echo").asText(), ran.toString());
            } finally {
                letGo.countDown();
                if (closing.getState() == Thread.State.NEW) {
                    closing.start();
                }
                closing.join(60_000);
                plugin.stop();
            }
        }
    }

    /** A kind the adapter answers itself, or one that is no single topic level, is refused at the start. */
    @Test
    void aKindThatIsNoSingleLevelOrTheAdaptersOwnIsRefused() {
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        try {
            for (String kind : new String[] {"train", "forecast", "a/b", "+", "#", ""}) {
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> started(plugin, "tcp://localhost:1", "never", Map.of(kind, payload -> Map.of())),
                        kind);
                assertTrue(e.getMessage().contains("'" + kind + "'"), e.getMessage());
            }
        } finally {
            plugin.stop();
        }
    }

    /** The reply correlated {@code n}, which must come within 20 s and before any other. */
    private static JsonNode reply(Client plant, int n) throws Exception {
        Received r = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
        assertNotNull(r, "no reply to request " + n);
        assertEquals(
                n, r.message().getProperties().getCorrelationData()[0], r.json().toString());
        return r.json();
    }
}
