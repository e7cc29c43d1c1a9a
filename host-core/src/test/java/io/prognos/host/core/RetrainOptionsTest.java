package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The options the host trains a sensor again with, against the real plugin's declaration. */
class RetrainOptionsTest {

    private ForecastingPlugin plugin;

    @BeforeEach
    void start() {
        plugin = PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
    }

    @AfterEach
    void stop() {
        plugin.stop();
    }

    private static ModelInfo trainedWith(Map<String, String> options) {
        return new ModelInfo(
                SensorId.of("pump-1", "temp"),
                "v1",
                10,
                Duration.ofHours(1),
                Duration.ZERO,
                6,
                "blend",
                400,
                1,
                Instant.EPOCH,
                ModelStatus.READY,
                Map.of(),
                options);
    }

    @Test
    void theModelsOptionsAreRepeated() {
        Map<String, String> options = Map.of("interval", "1h", "forecast_horizon", "6");
        assertEquals(options, RetrainOptions.of(plugin, trainedWith(options)));
        assertEquals(Map.of(), RetrainOptions.of(plugin, trainedWith(Map.of())));
    }

    /**
     * A request that keeps the model's options: those the plugin still takes (the dashboard's
     * Retrain after an upgrade that narrowed a bound), the request's own over them; with no model,
     * the request's own.
     */
    @Test
    void aRequestKeepingTheOptionsTakesThoseThePluginStillTakesAndItsOwnOverThem() {
        Map<String, String> old = Map.of("forecast_horizon", "6", "epochs", "-3", "interval", "1h");
        assertEquals(
                Map.of("forecast_horizon", "4", "interval", "1h"),
                RetrainOptions.keeping(plugin, Optional.of(trainedWith(old)), Map.of("forecast_horizon", "4")));
        assertEquals(Map.of("epochs", "2"), RetrainOptions.keeping(plugin, Optional.empty(), Map.of("epochs", "2")));
    }

    /**
     * An option the plugin now refuses (one a later release dropped, or out of its bounds) is left
     * out and said, the others kept: the sensor is trained again rather than refused at every try.
     */
    @Test
    void anOptionThePluginNowRefusesIsLeftOutAndSaid() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger(RetrainOptions.class);
        log.addAppender(logged);
        try {
            assertEquals(
                    Map.of("forecast_horizon", "6"),
                    RetrainOptions.of(
                            plugin, trainedWith(Map.of("forecast_horizon", "6", "dropout", "0.2", "epochs", "-3"))));
        } finally {
            log.detachAppender(logged);
        }
        List<String> said =
                logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, said.size(), said.toString());
        assertTrue(
                said.get(0).contains("pump-1")
                        && said.get(0).contains("dropout")
                        && said.get(0).contains("epochs"),
                said.get(0));
    }
}
