package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.host.Logged;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import io.prognos.jdbc.ResultsWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SensorServiceTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    /**
     * A fault of the plugin's on one sensor (a bug that throws on its forecast) leaves that sensor
     * out of the maintenance schedule, saying why, and the others are ranked: the fault answered the
     * whole plant's schedule with a 500.
     */
    @Test
    void aPluginsFaultOnOneSensorLeavesItOutOfTheScheduleAndRanksTheOthers() throws Exception {
        ForecastingPlugin real =
                PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        real.start(new PluginContext(
                Map.of("lstm.epochs", "2"), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        SensorId faulty = SensorId.of("line-1", "temp");
        SensorId sound = SensorId.of("line-2", "temp");
        AtomicBoolean faultOn = new AtomicBoolean();
        ForecastingPlugin plugin = (ForecastingPlugin) Proxy.newProxyInstance(
                ForecastingPlugin.class.getClassLoader(),
                new Class<?>[] {ForecastingPlugin.class},
                (proxy, method, args) -> {
                    if (faultOn.get()
                            && method.getName().equals("forecast")
                            && ((SensorState) args[0]).sensor().equals(faulty)) {
                        throw new NullPointerException("simulated: a fault in forecast");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (TrainingRunner runner = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {})) {
            SensorCycle cycle = new SensorCycle(
                    plugin,
                    s -> OperatingLimits.between(0, 100),
                    new CycleSettings(200, 2048, 1, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), 1000),
                    Clock.systemUTC(),
                    runner,
                    new SensorCycle.Listener() {});
            SensorContexts contexts = new SensorContexts(1000, 2048, null, cycle::forget);
            for (SensorId s : List.of(faulty, sound)) {
                List<Reading> history = hourly(0, 300, s.deviceId().hashCode());
                plugin.train(new TrainRequest(s, history, Map.of()));
                cycle.accept(contexts.get(s), history);
            }
            SensorService service = new SensorService(
                    plugin,
                    cycle,
                    contexts,
                    null,
                    new ResultsWriter(unavailable(), "prognos", () -> {}),
                    Duration.ofDays(30),
                    Clock.systemUTC());
            faultOn.set(true);
            List<String> errors;
            try (Logged logged = Logged.by(SensorService.class)) {
                for (int asked = 0; asked < 2; asked++) {
                    SensorService.Schedule schedule = service.schedule(Duration.ofDays(7));
                    assertEquals(1, schedule.assessed(), "line-2");
                    assertEquals(List.of(faulty), List.copyOf(schedule.skipped().keySet()));
                    assertTrue(
                            schedule.skipped().get(faulty).contains("simulated: a fault in forecast"),
                            schedule.skipped().toString());
                }
                errors = logged.at(ch.qos.logback.classic.Level.ERROR);
            }
            assertEquals(1, errors.size(), "told once while it repeats, with its trace");
        } finally {
            real.stop();
        }
    }

    private static List<Reading> hourly(int from, int to, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new Reading(
                    T0.plus(Duration.ofHours(i)), 50 + 2 * Math.sin(2 * Math.PI * i / 24) + r.nextGaussian()));
        }
        return out;
    }

    /** A database that is away: the schedule is answered, not stored. */
    private static DataSource unavailable() {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new SQLException("simulated: the database is away");
                });
    }
}
