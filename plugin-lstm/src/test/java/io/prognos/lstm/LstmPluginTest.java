package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.BatchForecast;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ForecastRequest;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.InvalidReadingException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour of the plugin through its SPI, on generated series with known answers. */
class LstmPluginTest {

    static final SensorId SEASONAL = SensorId.of("press-7", "temperature");
    static final SensorId DRIFT = SensorId.of("pump-3", "bearing_temp");
    static final SensorId STABLE = SensorId.of("fan-1", "current");

    static InMemoryModelStore store;
    static LstmForecastingPlugin plugin;
    static List<Reading> seasonalAll;
    static List<Reading> drift;
    static List<Reading> stable;

    @BeforeAll
    static void trainModels() {
        store = new InMemoryModelStore();
        plugin = new LstmForecastingPlugin();
        plugin.start(PluginContext.defaults(store));
        seasonalAll = Series.seasonal(700, 0.3, 1);
        plugin.train(new TrainRequest(SEASONAL, seasonalAll.subList(0, 600)));
        Random r = new Random(2);
        // Rising 0.25 per hour: a bearing heating towards its limit.
        drift = Series.generate(400, Duration.ofHours(1), i -> 40 + 0.25 * i + 0.05 * r.nextGaussian());
        plugin.train(new TrainRequest(DRIFT, drift));
        Random r2 = new Random(3);
        stable = Series.generate(300, Duration.ofHours(1), i -> 20 + 0.1 * r2.nextGaussian());
        plugin.train(new TrainRequest(STABLE, stable));
    }

    @AfterAll
    static void stop() {
        plugin.stop();
    }

    private static List<Reading> tail(List<Reading> all, int n) {
        return all.subList(all.size() - n, all.size());
    }

    @Test
    void seasonalSeriesIsForecastWithBoundedErrorAndBeatsTheLastValue() {
        double err = 0;
        double lastErr = 0;
        int n = 0;
        for (int origin = 600; origin < 680; origin += 4) {
            Forecast f = plugin.forecast(new ForecastRequest(SEASONAL, seasonalAll.subList(origin - 40, origin)));
            assertEquals(12, f.horizon());
            for (ForecastPoint p : f.points()) {
                int i = origin - 1 + p.stepsAhead();
                double truth = 50 + 5 * Math.sin(2 * Math.PI * i / 24);
                err += Math.abs(p.value() - truth);
                lastErr += Math.abs(f.lastValue() - truth);
                n++;
                assertTrue(p.lower() < p.value() && p.value() < p.upper());
            }
        }
        double mae = err / n;
        assertTrue(mae < 1.0, "MAE against the noise-free truth was " + mae);
        assertTrue(mae < 0.5 * lastErr / n, "MAE " + mae + " against last value " + lastErr / n);
    }

    @Test
    void driftTowardsTheHighLimitGivesTimeToFailureWithinTenPercent() {
        List<Reading> recent = tail(drift, 40);
        double last = recent.get(recent.size() - 1).value();
        double limit = last + 0.25 * 8; // the truth: crossing in 8 hours
        Forecast f = plugin.forecast(new ForecastRequest(DRIFT, recent));
        RiskAssessment r = plugin.assessRisk(f, OperatingLimits.above(limit));
        assertNotNull(r.timeToFailureHours(), "a crossing must be forecast: " + f.points());
        assertEquals(8.0, r.timeToFailureHours(), 0.8, "time to failure " + r.timeToFailureHours());
        assertEquals(RiskLevel.HIGH, r.level());
        assertTrue(r.limitsConfigured());
    }

    @Test
    void stableSeriesWithinItsLimitsIsLowRisk() {
        Forecast f = plugin.forecast(new ForecastRequest(STABLE, tail(stable, 40)));
        RiskAssessment r = plugin.assessRisk(f, OperatingLimits.between(10, 30));
        assertEquals(RiskLevel.LOW, r.level());
        assertEquals("Continue normal monitoring", r.recommendedAction());
        assertTrue(r.score() < 40);
        assertEquals(null, r.timeToFailureHours());
    }

    @Test
    void readingsThatKeepMissingTheirIntervalsRaiseTheRiskInsideTheLimits() {
        SensorId sensor = SensorId.of("fan-2", "current");
        plugin.train(new TrainRequest(sensor, stable));
        Random r = new Random(9);
        List<Reading> live = new ArrayList<>(tail(stable, 40));
        RiskAssessment last = null;
        for (int h = 0; h < 30; h++) {
            Forecast f = plugin.forecast(new ForecastRequest(sensor, tail(live, 40)));
            last = plugin.assessRisk(f, OperatingLimits.none());
            // The fan starts to shudder: 30x the noise the model was trained on, still around 20.
            live.add(new Reading(f.lastObserved().plus(Duration.ofHours(1)), 20 + 3 * r.nextGaussian()));
        }
        assertTrue(last.level().atLeast(RiskLevel.MEDIUM), "level " + last.level() + " " + last.reasons());
        assertFalse(last.limitsConfigured());
        assertTrue(last.reasons().stream().anyMatch(s -> s.contains("no longer matches")), last.reasons().toString());
    }

    @Test
    void modelsReportTheirMetricsAndTheMethodServed() {
        ModelInfo info = plugin.model(SEASONAL).orElseThrow();
        assertEquals(30, info.sequenceLength());
        assertEquals(12, info.horizon());
        assertEquals(ModelStatus.READY, info.status());
        assertTrue(info.valMae() <= info.baselineMae(), "served method validates no worse than last value: " + info);
        assertTrue(Set.of("lstm", "last_value", "seasonal", "damped_trend", "blend").contains(info.servedMethod()));
        assertTrue(plugin.models().stream().map(ModelInfo::sensor).collect(Collectors.toSet())
                .containsAll(Set.of(SEASONAL, DRIFT, STABLE)));
        Forecast f = plugin.forecast(new ForecastRequest(SEASONAL, seasonalAll.subList(560, 600)));
        assertFalse(f.methodReason().isBlank());
    }

    @Test
    void tooShortHistoryIsABadRequestSayingWhatIsNeeded() {
        SensorId s = SensorId.of("new", "sensor");
        var e = assertThrows(InsufficientHistoryException.class,
                () -> plugin.train(new TrainRequest(s, stable.subList(0, 40))));
        assertEquals(30 + 12 + 24 - 1, e.needed());
        assertEquals(40, e.available());
        var f = assertThrows(InsufficientHistoryException.class,
                () -> plugin.forecast(new ForecastRequest(STABLE, tail(stable, 10))));
        assertEquals(30, f.needed());
        assertEquals(10, f.available());
    }

    @Test
    void nanValuesAndUnknownSensorsAreRejectedClearly() {
        List<Reading> withNan = new ArrayList<>(tail(stable, 40));
        withNan.set(5, new Reading(withNan.get(5).timestamp(), Double.NaN));
        assertThrows(InvalidReadingException.class, () -> plugin.forecast(new ForecastRequest(STABLE, withNan)));
        assertThrows(InvalidReadingException.class, () -> plugin.train(new TrainRequest(STABLE, withNan)));
        assertTrue(plugin.model(STABLE).isPresent(), "a rejected request leaves the existing model alone");
        var e = assertThrows(UnknownSensorException.class,
                () -> plugin.forecast(new ForecastRequest(SensorId.of("ghost", "x"), tail(stable, 40))));
        assertTrue(e.getMessage().contains("ghost/x") && e.getMessage().contains("train it first"));
    }

    @Test
    void batchForecastMatchesSingleForecastsAndIsolatesFailures() {
        ForecastRequest a = new ForecastRequest(STABLE, tail(stable, 40));
        ForecastRequest b = new ForecastRequest(DRIFT, tail(drift, 40));
        ForecastRequest ghost = new ForecastRequest(SensorId.of("ghost", "y"), tail(stable, 40));
        Forecast single = plugin.forecast(a);
        BatchForecast batch = plugin.forecastBatch(List.of(a, b, ghost));
        assertEquals(2, batch.forecasts().size());
        assertTrue(batch.failures().get(ghost.sensor()) instanceof UnknownSensorException);
        double[] expected = single.points().stream().mapToDouble(ForecastPoint::value).toArray();
        double[] actual = batch.forecasts().get(STABLE).points().stream().mapToDouble(ForecastPoint::value).toArray();
        assertArrayEquals(expected, actual, 1e-9);
    }

    @Test
    void invalidConfigurationNamesEveryBadKey() {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        var e = assertThrows(InvalidConfigurationException.class, () -> p.start(new PluginContext(
                Map.of("lstm.units", "0", "lstm.coverage", "2", "lstm.colour", "red"), ThreadLimits.defaults(),
                new InMemoryModelStore(), Clock.systemUTC())));
        assertEquals(Set.of("lstm.units", "lstm.coverage", "lstm.colour"),
                e.problems().stream().map(pr -> pr.key()).collect(Collectors.toSet()));
        assertThrows(IllegalStateException.class, () -> p.forecast(new ForecastRequest(STABLE, stable)),
                "a plugin that failed to start serves nothing");
    }

    @Test
    void perRequestOptionsOverrideTheDefaults() {
        SensorId s = SensorId.of("fan-3", "current");
        ModelInfo info = plugin.train(new TrainRequest(s, stable,
                new io.prognos.api.TrainingOptions(12, 6, 3, 32, 2, null)));
        assertEquals(12, info.sequenceLength());
        assertEquals(6, info.horizon());
        assertTrue(info.epochsRun() <= 3);
        assertEquals(6, plugin.forecast(new ForecastRequest(s, tail(stable, 12))).horizon());
        var bad = assertThrows(BadRequestException.class,
                () -> new io.prognos.api.TrainingOptions(null, null, 0, null, null, null));
        assertEquals("epochs", bad.field());
    }

    @Test
    void deletedModelsAreGoneFromCacheAndStore() {
        SensorId s = SensorId.of("fan-4", "current");
        plugin.train(new TrainRequest(s, stable));
        assertTrue(store.load(s).isPresent());
        assertTrue(plugin.deleteModel(s));
        assertTrue(store.load(s).isEmpty());
        assertThrows(UnknownSensorException.class, () -> plugin.forecast(new ForecastRequest(s, tail(stable, 40))));
        assertFalse(plugin.deleteModel(s));
    }

    static StoredModel corrupt(StoredModel m) {
        byte[] b = m.bytes();
        b[b.length / 2] ^= 0x5a;
        return new StoredModel(m.info(), b, m.checksum());
    }
}
