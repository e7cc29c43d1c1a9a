package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.BatchForecast;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.InvalidReadingException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.Observation;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
        plugin.start(new PluginContext(Map.of(), new ThreadLimits(2, 1), store, Clock.systemUTC()));
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

    /** A state for the sensor that has seen {@code readings}, as a host warms one. */
    static SensorState state(SensorId sensor, List<Reading> readings) {
        SensorState s = plugin.openState(sensor, null);
        plugin.observe(s, readings);
        return s;
    }

    private static List<Reading> tail(List<Reading> all, int n) {
        return all.subList(all.size() - n, all.size());
    }

    /**
     * On a series with upward bursts the mean sits above the typical value: the served point, from
     * the head fitted to the absolute error, is nearer the readings than the middle of its interval,
     * which stays centred on the head fitted to the squared error (the intervals were calibrated
     * around it), and the interval always contains the point.
     */
    @Test
    void theServedPointIsNearerTheReadingsThanTheIntervalsMiddleOnASkewedSeries() {
        SensorId sensor = SensorId.of("line-9", "flow");
        Random r = new Random(21);
        List<Reading> all = Series.generate(
                900, Duration.ofHours(1), i -> 50 + 0.5 * r.nextGaussian() + (r.nextDouble() < 0.2 ? 10 : 0));
        plugin.train(new TrainRequest(sensor, all.subList(0, 700)));
        SensorState s = state(sensor, all.subList(0, 700));
        double pointAbs = 0;
        double middleAbs = 0;
        for (int origin = 700; origin < all.size() - 1; origin++) {
            plugin.observe(s, List.of(all.get(origin)));
            ForecastPoint next = plugin.forecast(s).points().get(0);
            assertTrue(next.lower() <= next.value() && next.value() <= next.upper(), next.toString());
            double y = all.get(origin + 1).value();
            pointAbs += Math.abs(y - next.value());
            middleAbs += Math.abs(y - (next.lower() + next.upper()) / 2);
        }
        assertTrue(pointAbs < 0.9 * middleAbs, "point " + pointAbs + " against the middle's " + middleAbs);
    }

    @Test
    void seasonalSeriesIsForecastWithBoundedErrorAndBeatsTheLastValue() {
        SensorState s = state(SEASONAL, seasonalAll.subList(0, 600));
        double err = 0;
        double lastErr = 0;
        int n = 0;
        for (int origin = 600; origin < 680; origin++) {
            plugin.observe(s, List.of(seasonalAll.get(origin)));
            if (origin % 4 != 0) {
                continue;
            }
            Forecast f = plugin.forecast(s);
            assertEquals(12, f.horizon());
            assertEquals(seasonalAll.get(origin).timestamp(), f.lastObserved(), "from the newest complete hour");
            for (ForecastPoint p : f.points()) {
                int i = origin + p.stepsAhead();
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

    /**
     * A 5-minute sensor with a daily pattern: its seasonal candidates look back a whole day (324
     * intervals with their level). After a gap longer than lstm.max-gap the state starts afresh;
     * forecasts and anomaly scores come back once the LSTM's window (30 intervals) is full, from the
     * other candidates, and the seasonal ones join again once a day has come in. Before, the sensor
     * had neither forecast nor score for 27 hours after every such gap.
     */
    /**
     * A device that stamps each hourly reading near the hour, its clock a few seconds either side of
     * it, is forecast and scored as the same device stamping exactly on the hour: its readings fall
     * into the hours they were meant for. On the plain grid half of them fell into the hour before,
     * an hour with two readings (the second dropped as late) and the next with none.
     */
    @Test
    void aSensorWhoseClockJittersAcrossTheHourIsForecastAsIfItReportedOnTheHour() throws Exception {
        List<Reading> exact = Series.seasonal(460, 0.3, 5);
        Random r = new Random(4);
        List<Reading> jittered = exact.stream()
                .map(x -> new Reading(x.timestamp().plusSeconds(r.nextInt(41) - 20), x.value()))
                .toList();
        SensorId onTheHour = SensorId.of("line-4", "on_the_hour");
        SensorId jittery = SensorId.of("line-4", "jittery");
        plugin.train(new TrainRequest(onTheHour, exact.subList(0, 400)));
        plugin.train(new TrainRequest(jittery, jittered.subList(0, 400)));
        Grid grid = ModelCodec.decode(store.load(jittery).orElseThrow().bytes()).grid();
        assertTrue(
                Math.abs(grid.shiftMs() - Duration.ofMinutes(30).toMillis()) < 20_000,
                "stored with its boundaries half an hour from the readings' usual time: " + grid);
        SensorState a = plugin.openState(onTheHour, null);
        SensorState b = plugin.openState(jittery, null);
        plugin.observe(a, exact.subList(360, 400));
        plugin.observe(b, jittered.subList(360, 400));
        for (int i = 400; i < 460; i++) {
            if (i == 430) {
                b = plugin.openState(jittery, b.toBytes()); // and a saved state keeps its grid
            }
            Observation onTime = plugin.observe(a, List.of(exact.get(i)));
            Observation jitter = plugin.observe(b, List.of(jittered.get(i)));
            assertEquals(
                    0,
                    jitter.lateReadings(),
                    "reading " + i + " at " + jittered.get(i).timestamp());
            assertEquals(
                    onTime.scores().stream().map(AnomalyScore::score).toList(),
                    jitter.scores().stream().map(AnomalyScore::score).toList(),
                    "reading " + i);
            assertEquals(plugin.forecast(a).points(), plugin.forecast(b).points(), "reading " + i);
        }
    }

    /**
     * A device whose clock is set half an hour later after its model was trained: its readings, now
     * about half past the hour, straddle the boundaries the model keeps at half past (half of them
     * late, half of the hours without one). The state follows their usual time and moves its grid.
     */
    @Test
    void aSensorWhoseClockIsResetAfterTrainingHasItsIntervalsFollowIt() {
        List<Reading> exact = Series.seasonal(800, 0.3, 5);
        SensorId sensor = SensorId.of("line-4", "reset_clock");
        plugin.train(new TrainRequest(sensor, exact.subList(0, 400)));
        SensorState s = plugin.openState(sensor, null);
        plugin.observe(s, exact.subList(360, 400));
        Random r = new Random(8);
        int late = 0;
        int scored = 0;
        for (int i = 400; i < 800; i++) {
            Instant t = exact.get(i).timestamp().plus(Duration.ofMinutes(30)).plusSeconds(r.nextInt(41) - 20);
            Observation o =
                    plugin.observe(s, List.of(new Reading(t, exact.get(i).value())));
            if (i >= 600) {
                late += o.lateReadings();
                scored += o.scores().size();
            }
            if (i == 700) {
                s = plugin.openState(sensor, s.toBytes()); // a saved state keeps following
            }
        }
        assertEquals(0, late, "readings late among the last 200");
        assertEquals(200, scored, "each of the last 200 hours scored once");
    }

    @Test
    void afterALongGapForecastsAndScoresReturnOnceTheLstmsWindowIsFull() {
        SensorId sensor = SensorId.of("press-9", "vibration");
        Duration step = Duration.ofMinutes(5);
        Random r = new Random(21);
        int day = 288;
        java.util.function.IntToDoubleFunction truth = i -> 50 + 5 * Math.sin(2 * Math.PI * i / day);
        List<Reading> history = Series.generate(4 * day, step, i -> truth.applyAsDouble(i) + 0.3 * r.nextGaussian());
        plugin.train(new TrainRequest(sensor, history));
        SensorState s = state(sensor, history);
        // Six hours without readings (lstm.max-gap is 3 h), then readings every 5 minutes again.
        int restart = history.size() + 72;
        Instant t0 = Series.T0;
        for (int i = restart; i < restart + 29; i++) {
            plugin.observe(s, List.of(new Reading(t0.plus(step.multipliedBy(i)), truth.applyAsDouble(i))));
        }
        InsufficientHistoryException early = assertThrows(InsufficientHistoryException.class, () -> plugin.forecast(s));
        assertTrue(early.getMessage().contains("at least 30 consecutive intervals"), early.getMessage());
        // Why the window is short, for the host to say: the pause, its length, its end and the key.
        assertEquals(
                "its readings paused for 72 intervals of PT5M (PT6H) before "
                        + t0.plus(step.multipliedBy(restart))
                        + ", longer than lstm.max-gap (PT3H), and the window of consecutive intervals started afresh;"
                        + " a sensor that reports only when its value changes needs an lstm.max-gap longer than its"
                        + " steady spells",
                early.whyShort());
        assertNull(
                assertThrows(
                                InsufficientHistoryException.class,
                                () -> plugin.forecast(plugin.openState(sensor, s.toBytes())))
                        .whyShort(),
                "a restored state does not know the pause, and says nothing rather than something wrong");
        int i = restart + 29;
        plugin.observe(s, List.of(new Reading(t0.plus(step.multipliedBy(i)), truth.applyAsDouble(i))));
        Forecast f = plugin.forecast(s);
        assertFalse(f.methodReason().contains("seasonal"), "no season of context yet: " + f.methodReason());
        double err = 0;
        for (ForecastPoint p : f.points()) {
            // The candidates that sat out leave their weight to the others, not a forecast short of it.
            err += Math.abs(p.value() - truth.applyAsDouble(i + p.stepsAhead()));
            assertTrue(p.lower() <= p.value() && p.value() <= p.upper());
        }
        assertTrue(err / f.horizon() < 1.5, "MAE " + err / f.horizon() + " against the noise-free truth");
        i++;
        Observation o = plugin.observe(s, List.of(new Reading(t0.plus(step.multipliedBy(i)), truth.applyAsDouble(i))));
        assertEquals(1, o.scores().size(), "the interval after the first forecast is scored");
        assertTrue(
                o.scores().get(0).score() < 0.5,
                "an ordinary reading after the gap: " + o.scores().get(0));
        for (i++; i < restart + 330; i++) {
            plugin.observe(s, List.of(new Reading(t0.plus(step.multipliedBy(i)), truth.applyAsDouble(i))));
        }
        assertTrue(
                plugin.forecast(s).methodReason().contains("seasonal"),
                plugin.forecast(s).methodReason());
    }

    /**
     * The daily pattern stops (the sensor stays at its mean, as NAB's art_daily_flatmiddle does): the
     * seasonal candidates, best all through training, are now wrong by up to the pattern's amplitude,
     * and the served forecast must come back to the last value within hours, not days.
     */
    @Test
    void aBrokenDailyPatternIsSoonForecastAsWellAsTheLastValueDoes() {
        SensorState s = state(SEASONAL, seasonalAll.subList(0, 600));
        Random r = new Random(11);
        Instant t = seasonalAll.get(599).timestamp();
        double[] served = new double[3];
        double[] last = new double[3];
        for (int hour = 1; hour <= 72; hour++) {
            plugin.observe(s, List.of(new Reading(t.plus(Duration.ofHours(hour)), 50 + 0.3 * r.nextGaussian())));
            Forecast f = plugin.forecast(s);
            int day = (hour - 1) / 24;
            for (ForecastPoint p : f.points()) {
                served[day] += Math.abs(p.value() - 50);
                last[day] += Math.abs(f.lastValue() - 50);
            }
        }
        // Each day's served error against the truth (50), relative to the last value's: measured 0.97
        // on the second day and 0.92 on the third (11.0 on the first). With the losses clipped at four
        // last-value MAEs and the weights rebuilt from the validation losses: 2.83 and 1.41 (13.4).
        assertTrue(served[1] < 1.5 * last[1], "second day: " + served[1] / last[1] + " x the last value's error");
        assertTrue(served[2] < 1.2 * last[2], "third day: " + served[2] / last[2] + " x the last value's error");
    }

    @Test
    void driftTowardsTheHighLimitGivesTimeToFailureAndItsRange() {
        SensorState s = state(DRIFT, drift);
        double last = drift.get(drift.size() - 1).value();
        double limit = last + 0.25 * 8; // the truth: crossing in 8 hours
        Forecast f = plugin.forecast(s);
        RiskAssessment r = plugin.assessRisk(f, s, OperatingLimits.above(limit));
        assertNotNull(r.timeToFailureHours(), "a crossing must be forecast: " + f.points());
        assertEquals(8.0, r.timeToFailureHours(), 0.8, "time to failure " + r.timeToFailureHours());
        assertTrue(r.timeToFailureLowHours() <= r.timeToFailureHours(), r.toString());
        assertTrue(r.timeToFailureHighHours() == null || r.timeToFailureHighHours() >= r.timeToFailureHours());
        assertTrue(r.crossingProbability() > 0.5, r.toString());
        assertEquals(RiskLevel.HIGH, r.level());
        assertTrue(r.limitsConfigured());
        assertEquals(drift.get(drift.size() - 1).timestamp(), r.basedOn(), "counted from the last reading");
        assertEquals(r.basedOn().plusSeconds(Math.round(r.timeToFailureLowHours() * 3600)), r.actBy());
    }

    @Test
    void stableSeriesWithinItsLimitsIsLowRisk() {
        SensorState s = state(STABLE, stable);
        RiskAssessment r = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.between(10, 30));
        assertEquals(RiskLevel.LOW, r.level());
        assertEquals("Continue normal monitoring", r.recommendedAction());
        assertTrue(r.score() < 40);
        assertNull(r.timeToFailureHours());
        assertEquals(0.0, r.crossingProbability(), 0.0);
    }

    /**
     * A sensor stuck at its last reading (a frozen sensor, a gateway repeating the last value it
     * had): no surprise, shift, range or shape shows it, and it scored 0.00 for 48 hours. A run of
     * unchanged values longer than any in the training history is novel: medium or above within
     * three readings, and it stays so.
     */
    @Test
    void aSensorStuckAtItsLastValueIsAnomalousWithinThreeReadings() {
        SensorId sensor = SensorId.of("kiln-2", "temperature");
        Random r = new Random(21);
        List<Reading> normal = Series.generate(600, Duration.ofHours(1), i -> 70 + 2.5 * r.nextGaussian());
        plugin.train(new TrainRequest(sensor, normal.subList(0, 500)));
        SensorState s = state(sensor, normal.subList(0, 500));
        plugin.observe(s, normal.subList(500, 600));
        Instant t = normal.get(599).timestamp();
        double stuck = normal.get(599).value();
        RiskLevel reached = RiskLevel.LOW;
        AnomalyScore last = null;
        int readings = 0;
        while (readings < 3 && !reached.atLeast(RiskLevel.MEDIUM)) {
            t = t.plus(Duration.ofHours(1));
            last = plugin.observe(s, List.of(new Reading(t, stuck))).scores().get(0);
            readings++;
            reached = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.none())
                    .level();
        }
        assertTrue(reached.atLeast(RiskLevel.MEDIUM), "level after 3 readings stuck: " + reached);
        assertTrue(last.reason().contains("unchanged longer than ever"), last.reason());
        RiskAssessment risk = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.none());
        String stillFor = "has not changed for " + (readings + 1) + " intervals"; // the last reading and the stuck ones
        assertTrue(
                risk.reasons().stream().anyMatch(x -> x.contains(stillFor)),
                risk.reasons().toString());
        assertTrue(
                risk.recommendedAction().startsWith("Check the sensor and its connection"), risk.recommendedAction());
        for (int i = 0; i < 48; i++) {
            t = t.plus(Duration.ofHours(1));
            last = plugin.observe(s, List.of(new Reading(t, stuck))).scores().get(0);
        }
        assertTrue(last.score() >= 0.57, "two days stuck: " + last);
    }

    /**
     * A sensor whose readings are coarse (whole degrees, so a value often repeats): its training
     * history holds runs of equal values, and a month of the same behaviour is never taken for a
     * stuck sensor.
     */
    @Test
    void aCoarseSensorWhoseValuesRepeatIsNeverStill() {
        SensorId sensor = SensorId.of("hall-1", "temperature");
        Random r = new Random(5);
        List<Reading> all =
                Series.generate(500 + 720, Duration.ofHours(1), i -> (double) Math.round(20 + 0.4 * r.nextGaussian()));
        plugin.train(new TrainRequest(sensor, all.subList(0, 500)));
        SensorState s = state(sensor, all.subList(0, 500));
        int scored = 0;
        for (Reading reading : all.subList(500, all.size())) {
            for (AnomalyScore a : plugin.observe(s, List.of(reading)).scores()) {
                assertFalse(a.reason().contains("unchanged"), reading + ": " + a);
                scored++;
            }
        }
        assertEquals(720, scored);
    }

    /** The blind spot the issue names: 70 +- 5, then 105 and staying there, with no limits configured. */
    @Test
    void aLevelShiftReachesMediumWithinThreeReadingsWithoutLimits() {
        SensorId sensor = SensorId.of("kiln-1", "temperature");
        Random r = new Random(21);
        List<Reading> normal = Series.generate(500, Duration.ofHours(1), i -> 70 + 2.5 * r.nextGaussian());
        plugin.train(new TrainRequest(sensor, normal));
        SensorState s = state(sensor, normal);
        Instant t = normal.get(normal.size() - 1).timestamp();
        RiskLevel reached = RiskLevel.LOW;
        int readings = 0;
        while (readings < 3 && !reached.atLeast(RiskLevel.MEDIUM)) {
            t = t.plus(Duration.ofHours(1));
            plugin.observe(s, List.of(new Reading(t, 105 + 2.5 * r.nextGaussian())));
            readings++;
            reached = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.none())
                    .level();
        }
        assertTrue(reached.atLeast(RiskLevel.MEDIUM), "level after 3 readings at 105: " + reached);
        // And it stays raised while the new level is new.
        for (int i = 0; i < 5; i++) {
            t = t.plus(Duration.ofHours(1));
            plugin.observe(s, List.of(new Reading(t, 105 + 2.5 * r.nextGaussian())));
        }
        RiskAssessment later = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.none());
        assertTrue(later.level().atLeast(RiskLevel.MEDIUM), later.reasons().toString());
        assertFalse(later.limitsConfigured());
    }

    /**
     * A day whose plateau is well below its usual height, every value inside the range seen (the
     * shape of NAB's art_daily_jumpsdown): no value is new, the shape is, and the score's novelty
     * says so all day (the novelty component is in the score's own units, 0.5 standing for a
     * chance of 1e-3), while the ordinary days before it stay well below. Before the shape library
     * the novelty saw only values beyond the range: 0 all that day.
     */
    @Test
    void aDayOfLowerPeaksInsideTheRangeIsNovelThoughNoValueIs() {
        SensorId sensor = SensorId.of("oven-4", "temperature");
        Random r = new Random(41);
        int perDay = 288; // five-minute readings
        List<Reading> all = Series.generate(6 * perDay, Duration.ofMinutes(5), i -> {
            boolean daytime = i % perDay >= 108 && i % perDay < 216; // 09:00 to 18:00
            double plateau = i / perDay == 5 ? 45 : 75;
            return (daytime ? plateau : 20) + 1.5 * r.nextGaussian();
        });
        int trained = 700; // two and a half days, as NAB's runner trains its five-minute files
        plugin.train(new TrainRequest(sensor, all.subList(0, trained)));
        SensorState s = state(sensor, all.subList(0, trained));
        double ordinary = 0;
        List<Double> plateau = new ArrayList<>();
        for (int i = trained; i < all.size(); i++) {
            for (AnomalyScore a : plugin.observe(s, List.of(all.get(i))).scores()) {
                if (i < 5 * perDay) {
                    ordinary = Math.max(ordinary, a.novelty());
                } else if (i % perDay >= 108 + 12 && i % perDay < 216) {
                    plateau.add(a.novelty()); // a whole stretch of the lower plateau
                }
            }
        }
        assertTrue(ordinary < 0.5, "highest novelty on the ordinary days: " + ordinary);
        assertFalse(plateau.isEmpty());
        assertTrue(
                plateau.stream().allMatch(n -> n >= 0.5),
                "novelty along the lower plateau: "
                        + plateau.stream().mapToDouble(Double::doubleValue).min());
    }

    @Test
    void aSpikeBeyondEverythingSeenIsAnomalousWhereSpikesAreUsual() throws IOException {
        // Spikes of 12-20 above a level of 50 every 25 hours: the anomaly baseline learns that such
        // surprises are ordinary. A spike to 90, far beyond anything the sensor showed, is not.
        SensorId sensor = SensorId.of("press-4", "load");
        Random r = new Random(41);
        List<Reading> all = Series.generate(
                800, Duration.ofHours(1), i -> 50 + r.nextGaussian() + (i % 25 == 7 ? 12 + 8 * r.nextDouble() : 0));
        plugin.train(new TrainRequest(sensor, all.subList(0, 500)));
        SensorState s = state(sensor, all.subList(0, 500));
        double usual = 0;
        for (Reading reading : all.subList(500, all.size())) {
            for (AnomalyScore a : plugin.observe(s, List.of(reading)).scores()) {
                usual = Math.max(usual, a.score());
            }
        }
        Instant t = all.get(all.size() - 1).timestamp().plus(Duration.ofHours(1));
        AnomalyScore spike =
                plugin.observe(s, List.of(new Reading(t, 90))).scores().get(0);
        double threshold = LstmSettings.from(Map.of()).anomalyThreshold();
        assertTrue(usual < threshold, "usual spikes scored up to " + usual);
        assertTrue(spike.score() >= threshold, spike.toString());
        assertTrue(spike.reason().contains("beyond the range seen"), spike.reason());

        // The range seen is part of the saved state: after a restart, 90 is no longer new.
        byte[] saved = s.toBytes();
        Reading again = new Reading(t.plus(Duration.ofHours(1)), 90);
        assertFalse(beyondRangeSeen(sensor, saved, again));
        // Format 9, before the risk's one-step errors (the last field), reads as well.
        byte[] nine = Arrays.copyOf(saved, saved.length - centreBiasBytes(s));
        ByteBuffer.wrap(nine).putInt(4, 9);
        assertFalse(beyondRangeSeen(sensor, nine, again));
        // Format 8, before the live error scale (its last byte before those says there is none), too.
        byte[] eight = Arrays.copyOf(nine, nine.length - 1);
        ByteBuffer.wrap(eight).putInt(4, 8);
        assertFalse(beyondRangeSeen(sensor, eight, again));
        // States saved before the interval experts (format 4), before the width factors (format 3) and
        // before the range (format 2) are read; format 2 takes its range from the model.
        assertFalse(beyondRangeSeen(sensor, earlierFormat(s, saved, 4), again));
        assertFalse(beyondRangeSeen(sensor, earlierFormat(s, saved, 3), again));
        assertTrue(beyondRangeSeen(sensor, earlierFormat(s, saved, 2), again));
    }

    /**
     * {@code saved} (this format: ..., the pending forecasts with their served points, the
     * forecasts' aggregation, the served points' aggregation, the tail from the miss rate to the
     * range seen, the interval experts, the grid's shift, the live error scale's flag) in an earlier format: the pending forecasts without their
     * points and no points' aggregation (format 6's layout), one miscoverage per step after the
     * aggregation, then the tail (without the range before format 3), then one width factor per step
     * (format 4 only). The aggregation's weights stay as this format wrote them; an earlier format's
     * reader takes them as logarithms and so gets other weights, which these checks do not look at.
     */
    private static byte[] earlierFormat(SensorState state, byte[] saved, int format) throws IOException {
        LstmSensorState s = (LstmSensorState) state;
        ByteArrayOutputStream anomaly = new ByteArrayOutputStream();
        s.anomaly.write(new DataOutputStream(anomaly));
        ByteArrayOutputStream experts = new ByteArrayOutputStream();
        s.intervals.write(new DataOutputStream(experts));
        ByteArrayOutputStream weights = new ByteArrayOutputStream();
        s.aggregator.write(new DataOutputStream(weights));
        ByteArrayOutputStream pointWeights = new ByteArrayOutputStream();
        s.pointAggregator.write(new DataOutputStream(pointWeights));
        int tail = 8 + anomaly.size() + 8 * 5;
        // Format 8's last fields (the grid's shift, the phase, the last reading taken), format 9's
        // (whether a live error scale follows: none at the defaults) and format 10's (the risk's
        // one-step errors), which no earlier format has.
        int gridShift = 8 + 8 + 8 + 4 + 8 + 8 + 1 + centreBiasBytes(state);
        // Everything before the pending forecasts (their count included) is as long without them.
        List<LstmSensorState.Pending> pending = new ArrayList<>(s.pending);
        s.pending.clear();
        int header = s.toBytes().length - weights.size() - pointWeights.size() - experts.size() - tail - gridShift;
        s.pending.addAll(pending);
        ByteArrayOutputStream old = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(old);
        out.write(saved, 0, header);
        for (LstmSensorState.Pending p : pending) {
            out.writeLong(p.origin);
            out.writeDouble(p.local);
            out.writeDouble(p.lastValue);
            DataArrays.writeFloats(out, p.served);
            out.writeInt(p.candidates.length);
            for (float[] c : p.candidates) {
                out.writeBoolean(c != null);
                if (c != null) {
                    DataArrays.writeFloats(out, c);
                }
            }
        }
        out.write(weights.toByteArray());
        double[] perStep = new double[12];
        Arrays.fill(perStep, 0.1);
        DataArrays.writeDoubles(out, perStep);
        out.write(saved, saved.length - gridShift - experts.size() - tail, format == 2 ? tail - 16 : tail);
        if (format == 4) {
            DataArrays.writeDoubles(out, new double[12]);
        }
        byte[] bytes = old.toByteArray();
        ByteBuffer.wrap(bytes).putInt(4, format);
        return bytes;
    }

    /** How many bytes the state's last field, the risk's one-step errors (format 10), takes. */
    private static int centreBiasBytes(SensorState state) throws IOException {
        ByteArrayOutputStream bias = new ByteArrayOutputStream();
        ((LstmSensorState) state).centreBias.write(new DataOutputStream(bias));
        return bias.size();
    }

    /** Whether {@code reading}, observed by the state in {@code saved}, is scored as beyond the range seen. */
    private static boolean beyondRangeSeen(SensorId sensor, byte[] saved, Reading reading) {
        SensorState s = plugin.openState(sensor, saved);
        return plugin.observe(s, List.of(reading)).scores().get(0).reason().contains("beyond the range seen");
    }

    @Test
    void intervalsKeepTheirCoverageWhenTheErrorsOutgrowTheCalibration() {
        // Trained on noise around a level; then the sensor wanders as a random walk: 12 hours ahead its
        // errors are about three times what the calibration saw, relative to the recent changes.
        Calm calm = trainedOnNoise(SensorId.of("mill-2", "vibration"), 51);
        Random r = calm.random();
        SensorState s = calm.state();
        Instant t = calm.last();
        double level = 50;
        int n = 2000;
        double[] actual = new double[n];
        double[][] interval = new double[n][];
        for (int i = 0; i < n; i++) {
            t = t.plus(Duration.ofHours(1));
            level += r.nextGaussian();
            actual[i] = level;
            plugin.observe(s, List.of(new Reading(t, level)));
            ForecastPoint twelve = plugin.forecast(s).points().get(11);
            interval[i] = new double[] {twelve.lower(), twelve.upper()};
        }
        int covered = 0;
        int judged = 0;
        for (int i = n / 2; i + 12 < n; i++) {
            judged++;
            covered += actual[i + 12] >= interval[i][0] && actual[i + 12] <= interval[i][1] ? 1 : 0;
        }
        double coverage = (double) covered / judged;
        double width = 0;
        for (int i = n / 2; i < n; i++) {
            width += (interval[i][1] - interval[i][0]) / (n - n / 2);
        }
        // Seeds 51-56: coverage 0.82-0.88, mean width 9.3-11.9 (a normal 90 % interval of the 12-hour
        // change is 11.4 wide); held at the calibration's largest score instead (measured when the
        // scale was each window's own recent changes): 0.41-0.63.
        assertTrue(coverage >= 0.8, "12-hour coverage of the 90 % intervals in the second half: " + coverage);
        assertTrue(width < 2 * 2 * 1.645 * Math.sqrt(12), "and informative: mean width " + width);
    }

    /**
     * A sensor's state after training on 600 hourly readings of noise around 50, their last time,
     * and the random source that made them (for the readings after).
     */
    private record Calm(SensorState state, Instant last, Random random) {}

    private static Calm trainedOnNoise(SensorId sensor, long seed) {
        Random r = new Random(seed);
        List<Reading> calm = Series.generate(600, Duration.ofHours(1), i -> 50 + r.nextGaussian());
        plugin.train(new TrainRequest(sensor, calm));
        return new Calm(state(sensor, calm), calm.get(calm.size() - 1).timestamp(), r);
    }

    /**
     * A sensor drifting up from the level it was trained on (0.1 standard deviations an hour) reads
     * above its forecast: its risk's paths are shifted up by that (CentreBias), and so cross a
     * limit above sooner than the forecast's own centre would.
     */
    @Test
    void aDriftingSensorsRiskFollowsTheReadingsAboveItsForecast() {
        Calm calm = trainedOnNoise(SensorId.of("kiln-9", "temperature"), 12);
        LstmSensorState state = (LstmSensorState) calm.state();
        Instant t = calm.last();
        for (int i = 1; i <= 36; i++) {
            t = t.plus(Duration.ofHours(1));
            plugin.observe(
                    state, List.of(new Reading(t, 50 + 0.1 * i + calm.random().nextGaussian())));
        }
        double shift = state.centreBias.mean();
        assertTrue(shift > 0, "readings above their forecasts shift the paths up: " + shift);
        Forecast f = plugin.forecast(state);
        OperatingLimits limits = OperatingLimits.above(f.points().get(11).upper());
        double corrected = plugin.assessRisk(f, state, limits).crossingProbability();
        state.centreBias.clear();
        double plain = plugin.assessRisk(f, state, limits).crossingProbability();
        assertTrue(corrected > plain, corrected + " against " + plain + " unshifted");
    }

    @Test
    void oneSpikeDoesNotWidenTheIntervalsThatFollowIt() {
        Calm calm = trainedOnNoise(SensorId.of("press-7", "pressure"), 8);
        double before = 0;
        Instant t = calm.last();
        // A single outlier (a glitch, a dropped bit) says little about the next hours: the intervals
        // after it must stay about as wide as before, not become uninformative for a whole window.
        for (int i = 0; i < 20; i++) {
            t = t.plus(Duration.ofHours(1));
            plugin.observe(
                    calm.state(), List.of(new Reading(t, 50 + calm.random().nextGaussian())));
            before = Math.max(before, widthTwelveHoursAhead(plugin.forecast(calm.state())));
        }
        t = t.plus(Duration.ofHours(1));
        plugin.observe(calm.state(), List.of(new Reading(t, 80))); // 30 standard deviations, once
        double after = 0;
        for (int i = 0; i < 12; i++) {
            t = t.plus(Duration.ofHours(1));
            plugin.observe(
                    calm.state(), List.of(new Reading(t, 50 + calm.random().nextGaussian())));
            after = Math.max(after, widthTwelveHoursAhead(plugin.forecast(calm.state())));
        }
        // Widest 12-hour interval in the 12 hours after the spike against the 20 before it: 0.89-1.08
        // over seeds 8-13; 9.5 (seed 8) when the scale was the window's own recent changes.
        assertTrue(after < 2 * before, "widest interval after the spike " + after + ", before " + before);
    }

    private static double widthTwelveHoursAhead(Forecast f) {
        ForecastPoint p = f.points().get(11);
        return p.upper() - p.lower();
    }

    /**
     * A retrained model takes over the state bound to the earlier one with what it learnt from live
     * errors: a reading that breaks the daily pattern (within the range seen) right after the
     * retraining is as anomalous as it was before it. Started afresh, the anomaly baseline would give
     * no score for its first 30 intervals.
     */
    @Test
    void aRetrainedModelJudgesTheNextReadingByWhatTheStateLearntLive() {
        SensorId sensor = SensorId.of("fan-10", "current");
        List<Reading> all = Series.daily(700, 12, 3, 0.1, 43);
        plugin.train(new TrainRequest(sensor, all.subList(0, 500)));
        SensorState s = state(sensor, all.subList(0, 500));
        for (Reading reading : all.subList(500, all.size())) {
            plugin.observe(s, List.of(reading));
        }
        String before = s.modelVersion();
        plugin.train(new TrainRequest(sensor, all));
        // Hour 700 is near the daily peak (about 14.6); the trough's value, 9, is in the range but hours early.
        Instant t = all.get(all.size() - 1).timestamp().plus(Duration.ofHours(1));
        List<AnomalyScore> scores =
                plugin.observe(s, List.of(new Reading(t, 9))).scores();
        assertNotEquals(before, s.modelVersion(), "the state was bound to the retrained model");
        assertEquals(1, scores.size(), "the interval right after the retraining is scored");
        AnomalyScore broken = scores.get(0);
        assertFalse(broken.reason().contains("beyond the range seen"), broken.reason());
        assertTrue(broken.score() >= LstmSettings.from(Map.of()).anomalyThreshold(), broken.toString());
    }

    /**
     * One healthy series, for the target; not all are so quiet: of 300 generated healthy
     * series 21 (7 %) raise a false alert within 30 days (docs/evaluation.md, "False alerts on
     * healthy sensors", by {@code evaluate} with an empty windows file).
     */
    @Test
    void aStableSeriesRaisesNoAlertInThirtyDays() {
        SensorId sensor = SensorId.of("fan-9", "current");
        Random r = new Random(31);
        List<Reading> all = Series.generate(
                500 + 720,
                Duration.ofHours(1),
                i -> 12 + 0.3 * Math.sin(2 * Math.PI * i / 24) + 0.1 * r.nextGaussian());
        plugin.train(new TrainRequest(sensor, all.subList(0, 500)));
        SensorState s = state(sensor, all.subList(0, 500));
        int alerts = 0;
        double highest = 0;
        for (Reading reading : all.subList(500, all.size())) {
            plugin.observe(s, List.of(reading));
            RiskAssessment a = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.none());
            alerts += a.level().atLeast(RiskLevel.MEDIUM) ? 1 : 0;
            highest = Math.max(highest, a.anomalyScore());
        }
        assertEquals(0, alerts, "720 hourly readings of the same process; highest anomaly score " + highest);
    }

    @Test
    void readingsThatKeepMissingTheirIntervalsRaiseTheRiskInsideTheLimits() {
        SensorId sensor = SensorId.of("fan-2", "current");
        plugin.train(new TrainRequest(sensor, stable));
        SensorState s = state(sensor, stable);
        Random r = new Random(9);
        Instant t = stable.get(stable.size() - 1).timestamp();
        RiskAssessment first = null;
        int raisedAt = -1;
        for (int h = 0; h < 30 && first == null; h++) {
            // The fan starts to shudder: 30x the noise the model was trained on, still around 20.
            t = t.plus(Duration.ofHours(1));
            plugin.observe(s, List.of(new Reading(t, 20 + 3 * r.nextGaussian())));
            RiskAssessment a = plugin.assessRisk(plugin.forecast(s), s, OperatingLimits.between(0, 100));
            if (a.level().atLeast(RiskLevel.MEDIUM)) {
                first = a;
                raisedAt = h + 1;
            }
        }
        assertTrue(first != null, "a change of variance inside the limits was never raised");
        assertTrue(raisedAt <= 3, "raised only after " + raisedAt + " readings");
        assertTrue(
                first.reasons().stream().anyMatch(x -> x.contains("anomaly score")),
                first.reasons().toString());
    }

    /**
     * A reading delivered twice (MQTT's at-least-once after a reconnect) is counted late once, and
     * the sensor's hours are still scored at their own reading: the copy was taken for a second
     * reading per hour, after which each hour waited for the next one's reading, for about 14 hours.
     */
    @Test
    void aReadingDeliveredTwiceDoesNotDelayTheHoursAfterIt() {
        SensorState s = state(STABLE, stable);
        Instant next = stable.get(stable.size() - 1).timestamp().plus(Duration.ofHours(1));
        Reading once = new Reading(next, 20.05);
        assertEquals(1, plugin.observe(s, List.of(once)).scores().size());
        Observation again = plugin.observe(s, List.of(once));
        assertEquals(1, again.lateReadings(), "the copy is counted, not used");
        for (int h = 1; h <= 20; h++) {
            assertScoredAtItsReading(s, next.plus(Duration.ofHours(h)));
        }
    }

    /** A reading of 20 at the hour {@code hour} completes that hour's interval, scored then and once. */
    private static void assertScoredAtItsReading(SensorState s, Instant hour) {
        List<AnomalyScore> scores =
                plugin.observe(s, List.of(new Reading(hour, 20.0))).scores();
        assertEquals(1, scores.size(), "the hour of " + hour + " scored at its reading");
        assertEquals(hour, scores.get(0).intervalStart());
    }

    /**
     * The same with two readings per hour: a copy of an hour's first reading neither closes the hour
     * early nor makes its second reading late, after which the hours waited one hour longer each.
     */
    @Test
    void aCopyOfAReadingInAnOpenIntervalDoesNotCloseIt() {
        SensorState s = state(STABLE, stable);
        // Half-hourly from here on. The history's readings were on the hour, so an hour's interval
        // runs from half an hour before it (Grid): its readings are at half past and on the hour.
        Instant start = stable.get(stable.size() - 1).timestamp().plus(Duration.ofHours(1));
        for (int k = 0; k < 59; k++) {
            plugin.observe(s, List.of(new Reading(start.plus(Duration.ofMinutes(30L * k)), 20.0)));
        }
        Instant hour = start.plus(Duration.ofHours(30));
        Reading first = new Reading(hour.minus(Duration.ofMinutes(30)), 20.02);
        assertTrue(plugin.observe(s, List.of(first)).scores().isEmpty(), "the hour waits for its second reading");
        Observation copy = plugin.observe(s, List.of(first));
        assertEquals(1, copy.lateReadings(), "the copy is counted, not used");
        assertTrue(copy.scores().isEmpty(), "and does not close the hour");
        for (int h = 0; h < 10; h++) {
            Instant t = hour.plus(Duration.ofHours(h));
            if (h > 0) {
                assertTrue(plugin.observe(s, List.of(new Reading(t.minus(Duration.ofMinutes(30)), 20.0)))
                        .scores()
                        .isEmpty());
            }
            assertScoredAtItsReading(s, t);
        }
    }

    /** Five-minute readings of an hourly model, forecast after each: every hour is scored exactly once. */
    @Test
    void everyIntervalIsScoredOnceWhateverTheReadingCadence() {
        SensorState s = state(STABLE, stable);
        Instant hour = stable.get(stable.size() - 1).timestamp().plus(Duration.ofHours(1));
        List<AnomalyScore> scores = new ArrayList<>();
        Random r = new Random(4);
        int lateInFirstHour = 0;
        for (int k = 0; k < 12 * 6; k++) {
            Instant t = hour.plus(Duration.ofMinutes(5L * k));
            Observation o = plugin.observe(s, List.of(new Reading(t, 20 + 0.1 * r.nextGaussian())));
            scores.addAll(o.scores());
            lateInFirstHour += k < 12 ? o.lateReadings() : 0;
            plugin.forecast(s);
        }
        Set<Instant> hours = scores.stream().map(AnomalyScore::intervalStart).collect(Collectors.toSet());
        assertEquals(scores.size(), hours.size(), "no hour scored twice: " + scores);
        assertEquals(6, scores.size(), "each of the 6 hours scored");
        // The state learnt one reading per hour from its history: the first hour at the new cadence is
        // closed at its first reading, and from then on an hour closes at its twelfth. The history's
        // readings were on the hour, so the model's intervals run from half an hour before the hour
        // to half an hour after it (Grid): the hour's value is centred on it, as in training.
        // That first interval had only its second half at the new cadence, so the state expects six
        // readings per interval from it, closes the next at its sixth (and counts its other six late),
        // and from then on at its twelfth.
        assertEquals(5, lateInFirstHour, "the first hour's other readings, to :25, are counted late, not used");
        for (AnomalyScore a : scores.subList(2, scores.size())) {
            assertEquals(
                    Duration.ofMinutes(25),
                    Duration.between(a.intervalStart(), a.at()),
                    "stamped at the hour's last reading, 25 minutes past it");
        }
        Observation late = plugin.observe(s, List.of(new Reading(hour, 99)));
        assertEquals(1, late.lateReadings(), "a reading for an hour already scored is counted, not used");
        assertTrue(late.scores().isEmpty());
    }

    @Test
    void aStateRestoredFromItsBytesContinuesExactlyWhereItWas() {
        SensorState a = state(SEASONAL, seasonalAll.subList(0, 620));
        SensorState b = plugin.openState(SEASONAL, a.toBytes());
        for (Reading next : seasonalAll.subList(620, 640)) {
            AnomalyScore sa = plugin.observe(a, List.of(next)).latest();
            AnomalyScore sb = plugin.observe(b, List.of(next)).latest();
            assertEquals(sa.score(), sb.score(), 0, next.toString());
        }
        assertEquals(plugin.forecast(a).points(), plugin.forecast(b).points());
        SensorState garbage = plugin.openState(SEASONAL, new byte[] {1, 2, 3});
        assertEquals(0, garbage.intervalsScored(), "unreadable bytes give a fresh state, not a failure");
        byte[] whole = a.toBytes();
        IOException cut = assertThrows(
                IOException.class, () -> LstmSensorState.fromBytes(Arrays.copyOf(whole, whole.length / 2), 0.1, 0.128));
        assertTrue(cut.getMessage().contains("truncated"), "the log says what is wrong: " + cut.getMessage());
    }

    @Test
    void theIntervalIsDetectedFromTheReadings() {
        SensorId fast = SensorId.of("press-1", "pressure");
        Random r = new Random(5);
        List<Reading> fiveMinutes =
                Series.generate(400, Duration.ofMinutes(5).plusSeconds(3), i -> 5 + 0.1 * r.nextGaussian());
        ModelInfo m = plugin.train(new TrainRequest(fast, fiveMinutes));
        assertEquals(Duration.ofMinutes(5), m.interval(), "5 min 3 s apart rounds to 5 minutes");
        SensorId pump = SensorId.of("bench-1", "flow");
        List<Reading> seconds = Series.generate(400, Duration.ofSeconds(1), i -> 3 + 0.01 * r.nextGaussian());
        assertEquals(
                Duration.ofSeconds(1),
                plugin.train(new TrainRequest(pump, seconds)).interval());
    }

    @Test
    void intervalsCoverTheirNominalShareOnAStationarySeries() {
        SensorId sensor = SensorId.of("tank-1", "level");
        List<Reading> all = Series.daily(1400, 30, 2, 0.5, 6);
        plugin.train(new TrainRequest(sensor, all.subList(0, 900)));
        SensorState s = state(sensor, all.subList(0, 900));
        int covered = 0;
        int total = 0;
        List<Forecast> issued = new ArrayList<>();
        for (int i = 900; i < all.size(); i++) {
            for (Forecast f : issued) {
                for (ForecastPoint p : f.points()) {
                    if (p.timestamp().equals(all.get(i).timestamp())) {
                        covered += p.contains(all.get(i).value()) ? 1 : 0;
                        total++;
                        assertTrue(Double.isFinite(p.upper() - p.lower()));
                    }
                }
            }
            plugin.observe(s, List.of(all.get(i)));
            issued.add(plugin.forecast(s));
            if (issued.size() > 12) {
                issued.remove(0);
            }
        }
        double coverage = (double) covered / total;
        assertTrue(coverage > 0.85 && coverage < 0.95, "90 % intervals covered " + coverage);
    }

    /** A sensor that never changed trains and forecasts its value; no MASE is listed, as it has no scale. */
    @Test
    void aHistoryThatNeverChangedHasNoMase() {
        SensorId stuck = SensorId.of("valve-9", "position");
        List<Reading> same = Series.generate(300, Duration.ofHours(1), i -> 7.0);
        ModelInfo info = plugin.train(new TrainRequest(stuck, same));
        assertEquals(0.0, info.metric("calibration_mae"), 1e-9, info.metrics().toString());
        assertFalse(info.metrics().containsKey("mase"), info.metrics().toString());
        assertFalse(
                info.metrics().containsKey("in_sample_naive_mae"),
                info.metrics().toString());
        SensorState s = state(stuck, same.subList(200, 300));
        assertTrue(plugin.forecast(s).points().stream().allMatch(p -> Math.abs(p.value() - 7.0) < 1e-6));
        // A change is certain to such a model; its reason says why rather than 2e21 decimal digits.
        AnomalyScore moved = plugin.observe(
                        s, List.of(new Reading(same.get(299).timestamp().plusSeconds(3600), 7.5)))
                .scores()
                .get(0);
        assertEquals(1.0, moved.score(), 1e-9, moved.toString());
        assertTrue(
                moved.reason().startsWith("surprise more than 300,")
                        && moved.reason().endsWith("a model trained on a history that held only 7.0"),
                moved.reason());
        plugin.deleteModel(stuck);
    }

    @Test
    void modelsReportTheirMetricsAndTheMethodServed() {
        ModelInfo info = plugin.model(SEASONAL).orElseThrow();
        assertEquals(30, info.metric("sequence_length"));
        assertEquals(12, info.horizon());
        assertEquals(Duration.ofHours(1), info.interval());
        assertEquals(ModelStatus.READY, info.status());
        assertTrue(
                info.metric(ModelInfo.VAL_MAE) < info.metric(ModelInfo.BASELINE_MAE),
                "a daily cycle is learnt: " + info.metrics());
        assertTrue(info.metric("calibration_windows") >= 5, info.metrics().toString());
        // MASE as Hyndman and Koehler define it: the in-sample MAE of the one-step naive forecast
        // over the training history (600 hourly readings, one per interval), and the served
        // forecast's MAE over all steps of the held-out calibration windows divided by it.
        double naive = 0;
        for (int i = 1; i < 600; i++) {
            naive +=
                    Math.abs(seasonalAll.get(i).value() - seasonalAll.get(i - 1).value());
        }
        naive /= 599;
        assertEquals(
                naive,
                info.metric("in_sample_naive_mae"),
                1e-9 * naive,
                info.metrics().toString());
        assertEquals(
                info.metric("calibration_mae") / naive,
                info.metric("mase"),
                1e-9,
                info.metrics().toString());
        assertTrue(info.metric("mase") < 1, "a daily cycle is learnt: " + info.metrics());
        assertTrue(
                Set.of("lstm", "last_value", "seasonal", "seasonal_level", "damped_trend", "blend")
                        .contains(info.servedMethod()),
                info.servedMethod());
        assertTrue(plugin.models().stream()
                .map(ModelInfo::sensor)
                .collect(Collectors.toSet())
                .containsAll(Set.of(SEASONAL, DRIFT, STABLE)));
        assertFalse(plugin.forecast(state(SEASONAL, seasonalAll.subList(560, 600)))
                .methodReason()
                .isBlank());
    }

    @Test
    void tooShortHistoryIsABadRequestSayingWhatIsNeeded() {
        SensorId s = SensorId.of("new", "sensor");
        var e = assertThrows(
                InsufficientHistoryException.class, () -> plugin.train(new TrainRequest(s, stable.subList(0, 40))));
        assertEquals(30 + 12 + 24 - 1, e.needed());
        assertEquals(40, e.available());
        assertTrue(e.getMessage().contains("sequence_length"), "names the plugin's own option: " + e.getMessage());
        assertNull(e.whyShort(), "one stretch: too few readings, nothing more to say");
        // Eight hourly readings, then five hours without (lstm.max-gap is 3 h), 400 times over:
        // plenty of readings, none of the stretches long enough, and more of them never mends it.
        List<Reading> paused = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            paused.add(new Reading(Series.T0.plus(Duration.ofHours(i + 4L * (i / 8))), 20 + 0.3 * (i % 8)));
        }
        var p = assertThrows(InsufficientHistoryException.class, () -> plugin.train(new TrainRequest(s, paused)));
        assertEquals(8, p.available());
        assertEquals(
                "its readings paused 49 times for longer than lstm.max-gap (PT3H), the longest for 4 intervals"
                        + " of PT1H (PT4H), and each pause starts the consecutive intervals afresh; a sensor that"
                        + " reports only when its value changes needs an lstm.max-gap longer than its steady spells",
                p.whyShort());
        var f = assertThrows(
                InsufficientHistoryException.class, () -> plugin.forecast(state(STABLE, tail(stable, 10))));
        assertEquals(30, f.needed());
        assertEquals(10, f.available());
    }

    /**
     * A host offers a sensor without a model for training at each reading; the refusal says the
     * newest reading's time before which newer readings cannot mend it, so that the host need not
     * offer it again before: not later (the readings just before it are refused, those soon after
     * train), whether the history is short or broken by pauses.
     */
    @Test
    void tooShortHistorySaysWhenNewerReadingsCanMendIt() {
        SensorId s = SensorId.of("new", "sensor-ready");
        Instant ready = assertThrows(
                        InsufficientHistoryException.class,
                        () -> plugin.train(new TrainRequest(s, stable.subList(0, 40))))
                .readyAt();
        assertThrows(
                InsufficientHistoryException.class, () -> plugin.train(new TrainRequest(s, before(stable, ready))));
        plugin.train(new TrainRequest(s, before(stable, ready.plus(Duration.ofHours(2)))));

        // Eight hourly readings, then five hours without (lstm.max-gap is 3 h), 50 times, then hourly.
        List<Reading> paused = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            paused.add(new Reading(Series.T0.plus(Duration.ofHours(i + 4L * Math.min(i / 8, 49))), 20 + 0.3 * (i % 8)));
        }
        SensorId p = SensorId.of("new", "sensor-paused");
        Instant resumes = assertThrows(
                        InsufficientHistoryException.class,
                        () -> plugin.train(new TrainRequest(p, paused.subList(0, 400))))
                .readyAt();
        assertTrue(resumes.isAfter(paused.get(399).timestamp()), resumes.toString());
        assertThrows(
                InsufficientHistoryException.class, () -> plugin.train(new TrainRequest(p, before(paused, resumes))));
        plugin.train(new TrainRequest(p, before(paused, resumes.plus(Duration.ofHours(2)))));
    }

    /** The readings of {@code all} before {@code until}. */
    private static List<Reading> before(List<Reading> all, Instant until) {
        return all.stream().filter(r -> r.timestamp().isBefore(until)).toList();
    }

    @Test
    void nanValuesAndUnknownSensorsAreRejectedClearly() {
        List<Reading> withNan = new ArrayList<>(tail(stable, 40));
        withNan.set(5, new Reading(withNan.get(5).timestamp(), Double.NaN));
        SensorState s = plugin.openState(STABLE, null);
        var e = assertThrows(InvalidReadingException.class, () -> plugin.observe(s, withNan));
        assertEquals(withNan.get(5).timestamp(), e.firstTimestamp());
        assertThrows(InvalidReadingException.class, () -> plugin.train(new TrainRequest(STABLE, withNan)));
        // 1e308, finite: taken, it left the sensor's forecasts NaN (and a predict a 500).
        List<Reading> huge = new ArrayList<>(tail(stable, 40));
        huge.set(7, new Reading(huge.get(7).timestamp(), 1e308));
        var h = assertThrows(InvalidReadingException.class, () -> plugin.observe(s, huge));
        assertEquals(huge.get(7).timestamp(), h.firstTimestamp());
        assertTrue(plugin.model(STABLE).isPresent(), "a rejected request leaves the existing model alone");
        var u = assertThrows(
                UnknownSensorException.class, () -> plugin.forecast(plugin.openState(SensorId.of("ghost", "x"), null)));
        assertTrue(u.getMessage().contains("ghost/x") && u.getMessage().contains("train it first"));
    }

    @Test
    void batchForecastMatchesSingleForecastsAndIsolatesFailures() {
        SensorState a = state(STABLE, stable);
        SensorState b = state(DRIFT, drift);
        SensorState ghost = plugin.openState(SensorId.of("ghost", "y"), null);
        Forecast single = plugin.forecast(a);
        BatchForecast batch = plugin.forecastBatch(List.of(a, b, ghost));
        assertEquals(2, batch.forecasts().size());
        assertTrue(batch.failures().get(ghost.sensor()) instanceof UnknownSensorException);
        double[] expected =
                single.points().stream().mapToDouble(ForecastPoint::value).toArray();
        double[] actual = batch.forecasts().get(STABLE).points().stream()
                .mapToDouble(ForecastPoint::value)
                .toArray();
        assertArrayEquals(expected, actual, 1e-9);
    }

    @Test
    void invalidConfigurationNamesEveryBadKey() {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        var e = assertThrows(
                InvalidConfigurationException.class,
                () -> p.start(new PluginContext(
                        Map.of("lstm.units", "0", "lstm.coverage", "2", "lstm.colour", "red"),
                        ThreadLimits.defaults(),
                        new InMemoryModelStore(),
                        Clock.systemUTC())));
        assertEquals(
                Set.of("lstm.units", "lstm.coverage", "lstm.colour"),
                e.problems().stream().map(pr -> pr.key()).collect(Collectors.toSet()));
        assertThrows(
                IllegalStateException.class,
                () -> p.openState(STABLE, null),
                "a plugin that failed to start serves nothing");
        var engine = assertThrows(
                InvalidConfigurationException.class,
                () -> new LstmForecastingPlugin()
                        .start(new PluginContext(
                                Map.of("lstm.engine", "samediff"),
                                ThreadLimits.defaults(),
                                new InMemoryModelStore(),
                                Clock.systemUTC())));
        assertEquals("lstm.engine", engine.field(), "the SameDiff module is not on this class path");
    }

    @Test
    void perRequestOptionsOverrideTheDefaultsAndBadOnesAreNamed() {
        SensorId s = SensorId.of("fan-3", "current");
        ModelInfo info = plugin.train(new TrainRequest(
                s,
                stable,
                Map.of(
                        "sequence_length",
                        "12",
                        "forecast_horizon",
                        "6",
                        "epochs",
                        "3",
                        "batch_size",
                        "32",
                        "patience",
                        "2")));
        assertEquals(12, info.metric("sequence_length"));
        assertEquals(6, info.horizon());
        assertTrue(info.metric("epochs_run") <= 3);
        assertEquals(6, plugin.forecast(state(s, tail(stable, 60))).horizon());
        var bad = assertThrows(
                BadRequestException.class, () -> plugin.train(new TrainRequest(s, stable, Map.of("epochs", "0"))));
        assertEquals("epochs", bad.field());
        var typo = assertThrows(
                BadRequestException.class, () -> plugin.train(new TrainRequest(s, stable, Map.of("epoch", "30"))));
        assertEquals("epoch", typo.field(), "a typo is refused, not trained with defaults");
        var tooFine = assertThrows(
                BadRequestException.class, () -> plugin.train(new TrainRequest(s, stable, Map.of("interval", "1ms"))));
        assertEquals("interval", tooFine.field(), "refused before allocating a billion intervals");
    }

    @Test
    void aHistoryLongerThanAModelHoldsIsTrainedOnItsNewestIntervals() {
        // A sensor read once a second has more intervals than a model holds in 23 days, and a host's
        // training reads 30 (prognos.history): it was refused, "send less history". Here a reading
        // from 25 days before 300 one-second readings makes the span 2.16 million intervals.
        SensorId s = SensorId.of("skid-2", "pressure");
        Random r = new Random(5);
        List<Reading> recent = Series.generate(300, Duration.ofSeconds(1), i -> 3 + 0.01 * r.nextGaussian());
        List<Reading> history = new ArrayList<>();
        history.add(new Reading(recent.get(0).timestamp().minus(Duration.ofDays(25)), 3));
        history.addAll(recent);
        ModelInfo info = plugin.train(new TrainRequest(s, history));
        assertEquals(Duration.ofSeconds(1), info.interval());
        assertEquals(300, info.sampleCount(), "the reading of 25 days before left out");
        assertEquals(12, plugin.forecast(state(s, recent)).horizon());
    }

    /**
     * An hourly model of a sensor that reports every second keeps whole hours as its intervals, in
     * training and live: the latest readings' phases (17 minutes of one hour at training, one minute
     * live) looked like a usual time, the training's grid was moved to about half past and the live
     * one moved again every few minutes, its readings then late or its intervals cut short.
     */
    @Test
    void anHourlyModelOfASensorThatReportsEverySecondKeepsWholeHours() {
        SensorId s = SensorId.of("skid-5", "pressure");
        Random r = new Random(9);
        List<Reading> seconds = Series.generate(
                80 * 3600, Duration.ofSeconds(1), i -> 3 + Math.sin(i / 9000.0) + 0.05 * r.nextGaussian());
        ModelInfo info = plugin.train(new TrainRequest(s, seconds.subList(0, 72 * 3600), Map.of("interval", "1h")));
        assertEquals(Duration.ZERO, info.intervalOffset(), "on the hour");
        SensorState state = state(s, seconds.subList(0, 72 * 3600)); // warmed as a host warms it
        int late = 0;
        List<AnomalyScore> scores = new ArrayList<>();
        for (int from = 72 * 3600; from < seconds.size(); from += 60) {
            Observation o = plugin.observe(state, seconds.subList(from, from + 60));
            late += o.lateReadings();
            scores.addAll(o.scores());
        }
        assertEquals(0, late, "no reading late");
        assertEquals(
                8,
                scores.size(),
                "one score an hour: " + scores.stream().map(AnomalyScore::at).toList());
        for (AnomalyScore a : scores) {
            assertEquals(3599, a.at().getEpochSecond() % 3600, "each at its hour's last reading: " + a.at());
        }
    }

    @Test
    void deletedModelsAreGoneFromCacheAndStore() {
        SensorId s = SensorId.of("fan-4", "current");
        plugin.train(new TrainRequest(s, stable));
        assertTrue(store.load(s).isPresent());
        assertTrue(plugin.deleteModel(s));
        assertTrue(store.load(s).isEmpty());
        assertThrows(UnknownSensorException.class, () -> plugin.forecast(state(s, tail(stable, 40))));
        assertFalse(plugin.deleteModel(s));
    }

    static StoredModel corrupt(StoredModel m) {
        byte[] b = m.bytes();
        b[b.length / 2] ^= 0x5a;
        return new StoredModel(m.info(), b, m.checksum());
    }
}
