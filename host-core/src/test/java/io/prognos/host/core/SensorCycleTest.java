package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.AnomalyScore;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The sensor cycle driven as an adapter drives it, with the real plugin found by ServiceLoader. */
class SensorCycleTest {

    static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");

    ForecastingPlugin plugin;
    TrainingRunner trainer;
    Recorder heard;
    SensorCycle cycle;
    SensorContexts contexts;

    /** What an adapter would publish. */
    static final class Recorder implements SensorCycle.Listener {
        final List<Reading> readings = new CopyOnWriteArrayList<>();
        final List<AnomalyScore> anomalies = new CopyOnWriteArrayList<>();
        final List<SensorCycle.Result> results = new CopyOnWriteArrayList<>();
        final List<List<ScheduleEntry>> schedules = new CopyOnWriteArrayList<>();
        final List<SensorCycle.Result> requested = new CopyOnWriteArrayList<>();
        final List<String> missed = new CopyOnWriteArrayList<>();

        @Override
        public void forecastMissed(SensorId sensor, String why) {
            missed.add(why);
        }

        @Override
        public void requested(SensorCycle.Result result) {
            requested.add(result);
        }

        @Override
        public void readings(SensorId sensor, List<Reading> r) {
            readings.addAll(r);
        }

        @Override
        public void anomalies(SensorId sensor, List<AnomalyScore> scores) {
            anomalies.addAll(scores);
        }

        @Override
        public void result(SensorCycle.Result result) {
            results.add(result);
        }

        @Override
        public void schedule(List<ScheduleEntry> schedule) {
            schedules.add(schedule);
        }
    }

    @BeforeEach
    void start() {
        plugin = PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(
                Map.of("lstm.epochs", "5"), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        heard = new Recorder();
        serveWith(new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {}));
    }

    /** The cycle and contexts under test, training with {@code runner}. */
    private void serveWith(TrainingRunner runner) {
        trainer = runner;
        cycle = new SensorCycle(
                plugin,
                s -> OperatingLimits.none(),
                new CycleSettings(200, 2048, 1, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), 1000),
                Clock.systemUTC(),
                trainer,
                heard);
        contexts = new SensorContexts(1000, 2048, null, cycle::forget);
        cycle.forecastWhenTrained(contexts);
    }

    @AfterEach
    void stop() {
        trainer.close();
        plugin.stop();
    }

    /** {@code n} readings a minute apart from T0: {@code level} of the minute, with noise. */
    static List<Reading> minutely(int n, java.util.function.IntToDoubleFunction level, double noise, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(T0.plus(Duration.ofMinutes(i)), level.applyAsDouble(i) + noise * r.nextGaussian()));
        }
        return out;
    }

    static List<Reading> hourly(int from, int to, double level, double noise, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new Reading(
                    T0.plus(Duration.ofHours(i)),
                    level + 2 * Math.sin(2 * Math.PI * i / 24) + noise * r.nextGaussian()));
        }
        return out;
    }

    /** Feeds readings one at a time, as they arrive over MQTT. */
    List<SensorCycle.Outcome> feed(SensorContext ctx, List<Reading> readings) {
        List<SensorCycle.Outcome> out = new ArrayList<>();
        for (Reading r : readings) {
            out.add(cycle.accept(ctx, List.of(r)));
        }
        return out;
    }

    SensorContext trained(SensorId sensor, double level, double noise) throws InterruptedException {
        SensorContext ctx = contexts.get(sensor);
        List<SensorCycle.Outcome> warmup = feed(ctx, hourly(0, 200, level, noise, 1));
        assertTrue(
                warmup.subList(0, 199).stream().noneMatch(SensorCycle.Outcome::trainingQueued),
                "no training before cycle.train-after readings");
        assertTrue(warmup.get(199).trainingQueued(), "a training at the 200th reading");
        assertTrue(trainer.awaitIdle(120_000), "training finished");
        assertTrue(plugin.model(sensor).isPresent());
        return ctx;
    }

    /** The context as another host would have it from its bytes, its state restored by the plugin. */
    SensorContext throughBytes(SensorContext ctx) throws IOException {
        SensorContext.Restored restored = SensorContext.fromBytes(ctx.toBytes(), 2048);
        SensorContext copy = restored.context();
        copy.state = plugin.openState(ctx.sensor(), restored.stateBytes());
        return copy;
    }

    /**
     * A device set to report hourly instead of every minute: its model of a minute interpolated 59
     * intervals between readings until its next scheduled training (never, by default). Trained
     * again once each of its newest 30 spacings is an hour, and again after waits that double while
     * the new interval has too few readings to train on; told once.
     */
    /**
     * A context warmed with more readings than its buffer keeps (an hourly model of a sensor that
     * reports every minute: a buffer of 64 is an hour) warms its state with all of them, once, and
     * forecasts at once: warmed from its buffer, it waited 30 hours (30 intervals) for a forecast.
     */
    @Test
    void aStateIsWarmedWithWhatWarmingReadBeyondTheBuffer() throws Exception {
        SensorId sensor = SensorId.of("skid-7", "pressure");
        List<Reading> minutes = minutely(5 * 1440, i -> 3 + Math.sin(i / 300.0), 0.02, 7);
        plugin.train(new TrainRequest(sensor, minutes.subList(0, 4 * 1440), Map.of("interval", "1h")));
        List<Reading> lastDays = minutes.subList(2 * 1440, minutes.size() - 1);
        SensorContexts small = new SensorContexts(10, 64, s -> new ArrayList<>(lastDays), cycle::forget);
        SensorContext ctx = small.get(sensor);
        assertEquals(64, ctx.buffered());
        SensorCycle.Outcome first = cycle.accept(ctx, List.of(minutes.get(minutes.size() - 1)));
        assertNotNull(first.result(), "forecast at the first reading");
        assertEquals(Duration.ofHours(1), first.result().forecast().interval());
        assertNull(ctx.warmedBeyondBuffer, "held for the warm-up only");
    }

    /**
     * An interval chosen coarser than the readings (a training's interval option: an hourly model of
     * a sensor that reports every minute) is kept: every buffered reading came as far from it, so it
     * was not learnt from this cadence. The cadence check asked for a training after 30 readings,
     * which at the detected interval replaced the hourly model with one of a minute.
     */
    @Test
    void anIntervalChosenCoarserThanTheReadingsIsKept() throws Exception {
        SensorId sensor = SensorId.of("skid-6", "pressure");
        Random r = new Random(6);
        List<Reading> minutes = new ArrayList<>();
        for (int i = 0; i < 4 * 1440 + 300; i++) {
            minutes.add(new Reading(T0.plus(Duration.ofMinutes(i)), 3 + Math.sin(i / 300.0) + 0.02 * r.nextGaussian()));
        }
        plugin.train(new TrainRequest(sensor, minutes.subList(0, 4 * 1440), Map.of("interval", "1h")));
        SensorContext ctx = contexts.get(sensor);
        for (SensorCycle.Outcome o : feed(ctx, minutes.subList(4 * 1440, minutes.size()))) {
            assertFalse(o.trainingQueued(), "a training asked for");
        }
        assertEquals(Duration.ofHours(1), plugin.model(sensor).orElseThrow().interval());
    }

    /**
     * A sensor served before it had a model was warmed with its newest readings only (what a
     * context keeps); its model, trained on more, looks back a day (the seasonal candidates of a
     * minute sensor, beyond a buffer of 64): the fresh state reads the sensor's readings back from
     * the store and forecasts at the first reading after the training. From the buffer alone it
     * waited a day.
     */
    @Test
    void aFreshStateForAModelThatLooksBackFurtherThanTheBufferReadsBack() throws Exception {
        SensorId sensor = SensorId.of("kiln-3", "temp");
        List<Reading> minutes = minutely(5 * 1440, i -> 20 + 4 * Math.sin(2 * Math.PI * i / 1440), 0.1, 3);
        List<Reading> stored = minutes.subList(0, minutes.size() - 1);
        // As the host's warm-up reads: the newest 64 while the sensor has no model, back as far
        // as its model looks once it has one.
        java.util.function.Function<SensorId, List<Reading>> warm = s -> new ArrayList<>(
                plugin.model(s).isPresent()
                        ? stored.subList(2 * 1440, stored.size())
                        : stored.subList(stored.size() - 64, stored.size()));
        SensorContexts small = new SensorContexts(10, 64, warm, cycle::forget);
        cycle.readsBackFrom(warm);
        SensorContext ctx = small.get(sensor);
        ModelInfo m = plugin.train(new TrainRequest(sensor, stored, Map.of()));
        assertEquals(Duration.ofMinutes(1), m.interval());
        assertTrue(m.contextIntervals() >= 1440, "a model that looks back a day: " + m.contextIntervals());
        SensorCycle.Outcome first = cycle.accept(ctx, List.of(minutes.get(minutes.size() - 1)));
        assertNotNull(first.result(), "forecast at the first reading after its training");
        assertEquals(64, ctx.buffered(), "the context keeps no more");
    }

    @Test
    void aSensorWhoseReadingsComeLessOftenIsTrainedAgainAtItsNewInterval() throws Exception {
        SensorId sensor = SensorId.of("press-4", "temp");
        SensorContext ctx = contexts.get(sensor);
        Random r = new Random(4);
        List<Reading> minutes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            minutes.add(new Reading(T0.plus(Duration.ofMinutes(i)), 50 + Math.sin(i / 20.0) + 0.1 * r.nextGaussian()));
        }
        feed(ctx, minutes);
        assertTrue(trainer.awaitIdle(120_000));
        assertEquals(Duration.ofMinutes(1), plugin.model(sensor).orElseThrow().interval());
        Instant from = minutes.get(minutes.size() - 1).timestamp();
        int asked = 0;
        int hours = 0;
        while (hours < 200 && plugin.model(sensor).orElseThrow().interval().equals(Duration.ofMinutes(1))) {
            hours++;
            Reading next = new Reading(from.plus(Duration.ofHours(hours)), 50 + 2 * Math.sin(2 * Math.PI * hours / 24));
            if (cycle.accept(ctx, List.of(next)).trainingQueued()) {
                asked++;
                assertTrue(trainer.awaitIdle(120_000));
            }
        }
        assertEquals(Duration.ofHours(1), plugin.model(sensor).orElseThrow().interval(), "after " + hours + " hours");
        // 400 minutes and the hourly readings make 7 hours and more: the first ask, at 30 hourly
        // readings, fails on too short a history, and the waits double (30, 60, ...).
        assertTrue(hours >= 30 && hours < 200 && asked <= 4, asked + " trainings asked in " + hours + " hours");
        SensorCycle.Outcome after = cycle.accept(ctx, List.of(new Reading(from.plus(Duration.ofHours(hours + 1)), 50)));
        assertFalse(after.trainingQueued(), "not again at the new interval");
        assertNotNull(after.result(), "forecast at the new interval");
        assertEquals(Duration.ofHours(1), after.result().forecast().interval());
    }

    /**
     * The reverse: an hourly sensor set to report every 10 minutes is trained again at 10 minutes
     * once they are most of its history (its hourly past interpolated), asked at waits that double.
     * So a sensor that came to a coarse interval for a long pause returns to its own.
     */
    @Test
    void aSensorWhoseReadingsComeMoreOftenIsTrainedAgainOnceTheyAreMostOfItsHistory() throws Exception {
        SensorId sensor = SensorId.of("press-5", "temp");
        SensorContext ctx = trained(sensor, 50, 0.3);
        assertEquals(Duration.ofHours(1), plugin.model(sensor).orElseThrow().interval());
        int[] sent = everyTenMinutesUntilRetrained(sensor, ctx, 400);
        int readings = sent[0];
        int asked = sent[1];
        assertEquals(
                Duration.ofMinutes(10),
                plugin.model(sensor).orElseThrow().interval(),
                "after " + readings + " readings, " + asked + " trainings asked");
        // 200 hourly readings in the history: 10 minutes is its median after 201 of them.
        assertTrue(readings > 200 && asked <= 5, asked + " trainings asked in " + readings + " readings");
    }

    /**
     * Readings every 10 minutes after the 200 hourly ones, one at a time, until the model is no
     * longer hourly or {@code max} were sent; each training asked for waited for. Returns the
     * readings sent and the trainings asked.
     */
    private int[] everyTenMinutesUntilRetrained(SensorId sensor, SensorContext ctx, int max) throws Exception {
        Instant from = T0.plus(Duration.ofHours(199));
        int asked = 0;
        int readings = 0;
        while (readings < max && plugin.model(sensor).orElseThrow().interval().equals(Duration.ofHours(1))) {
            readings++;
            Duration at = Duration.ofMinutes(10L * readings);
            Reading next = new Reading(from.plus(at), 50 + 2 * Math.sin(2 * Math.PI * at.toMinutes() / 1440.0));
            if (cycle.accept(ctx, List.of(next)).trainingQueued()) {
                asked++;
                assertTrue(trainer.awaitIdle(120_000));
            }
        }
        return new int[] {readings, asked};
    }

    /**
     * The same with a month of hourly readings stored, which the host's trainings take: the
     * trainings a changed cadence asks for take the buffered readings, as above, not the stored
     * month of the old cadence, which the new readings every 10 minutes outnumber only after 720
     * of them (at most 400 are sent here).
     */
    @Test
    void aChangedCadenceIsLearntFromTheBufferNotFromTheStoredHistoryOfTheOldOne() throws Exception {
        List<Reading> month = hourly(-520, 0, 50, 0.3, 3);
        trainer.close();
        serveWith(new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {}, (s, given) -> {
            List<Reading> stored = new ArrayList<>(month);
            stored.addAll(heard.readings); // what the host stored of the readings handed on
            return stored;
        }));
        SensorId sensor = SensorId.of("press-6", "temp");
        SensorContext ctx = trained(sensor, 50, 0.3);
        assertEquals(720, plugin.model(sensor).orElseThrow().sampleCount(), "the first training took the month");
        int readings = everyTenMinutesUntilRetrained(sensor, ctx, 400)[0];
        assertEquals(
                Duration.ofMinutes(10),
                plugin.model(sensor).orElseThrow().interval(),
                "after " + readings + " readings");
    }

    /**
     * A new sensor whose readings paused longer than the plugin bridges: each training the cycle
     * asks for reads its stored history, and it asked one at every reading until the stretch since
     * the last pause was long enough (57 readings here). It waits for the time the plugin says, and
     * still trains as soon as the stretch is long enough.
     */
    @Test
    void aSensorWhosePausesLeaveTooShortAStretchIsNotTrainedAgainAtEveryReading() throws Exception {
        java.util.concurrent.atomic.AtomicInteger storedReads = new java.util.concurrent.atomic.AtomicInteger();
        trainer.close();
        serveWith(new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {}, (s, given) -> {
            storedReads.incrementAndGet();
            return given;
        }));
        SensorId sensor = SensorId.of("press-10", "temp");
        SensorContext ctx = contexts.get(sensor);
        // 25 runs of eight hourly readings, each followed by five hours without (lstm.max-gap 3 h),
        // then hourly: trainable once the last run and the hours after it span 65 intervals.
        List<Reading> readings = new ArrayList<>();
        Random r = new Random(4);
        for (int i = 0; i < 300; i++) {
            readings.add(new Reading(T0.plus(Duration.ofHours(i + 4L * Math.min(i / 8, 24))), 60 + r.nextGaussian()));
        }
        int trainedAt = -1;
        for (int i = 0; i < readings.size() && trainedAt < 0; i++) {
            cycle.accept(ctx, List.of(readings.get(i)));
            assertTrue(trainer.awaitIdle(120_000));
            if (plugin.model(sensor).isPresent()) {
                trainedAt = i;
            }
        }
        assertEquals(192 + 65 - 1, trainedAt, "trained at the reading that made the stretch 65 intervals long");
        assertTrue(
                storedReads.get() <= 3,
                storedReads + " trainings asked; one at each of the 58 readings from the 200th before");
    }

    @Test
    void aNewSensorIsTrainedFromItsReadingsThenEveryReadingIsScoredAndForecast() throws Exception {
        SensorId sensor = SensorId.of("pump-1", "temp");
        SensorContext ctx = trained(sensor, 70, 0.5);
        assertEquals(200, heard.readings.size(), "every valid reading handed on, model or not");
        assertEquals(1, heard.results.size(), "forecast once, as soon as the model is ready");
        assertEquals(
                T0.plus(Duration.ofHours(199)),
                heard.results.get(0).risk().basedOn(),
                "from the readings buffered while it trained");
        heard.results.clear();

        List<SensorCycle.Outcome> after = feed(ctx, hourly(200, 224, 70, 0.5, 2));
        for (SensorCycle.Outcome o : after) {
            assertNotNull(o.result(), "a forecast after every reading (cycle.forecast-every 1)");
            assertEquals(1, o.anomalies().size(), "the reading's hour scored once");
            assertEquals(o.anomalies().get(0), o.result().anomaly(), "the result carries the newest score");
        }
        assertEquals(24, heard.results.size());
        assertEquals(24, heard.anomalies.size());
        Instant last = T0.plus(Duration.ofHours(223));
        SensorCycle.Result newest = heard.results.get(23);
        assertEquals(last, newest.risk().basedOn(), "risk counts from the last reading");
        assertEquals(
                last.plus(Duration.ofHours(1)),
                newest.forecast().points().get(0).timestamp());
        assertTrue(heard.results.stream().allMatch(r -> r.alert() == null), "a steady sensor raises nothing");
        assertFalse(heard.schedules.isEmpty(), "the schedule was ranked");
        assertTrue(heard.schedules.get(heard.schedules.size() - 1).isEmpty(), "low risk is not scheduled");
    }

    /**
     * A fault of the plugin's in ranking the schedule (a bug) fails no reading: the reading that
     * came to ask for the ranking was forecast and its result published, but it was failed as an
     * internal error. Told once while it repeats; ranked again once the plugin ranks.
     */
    @Test
    void aFaultInRankingTheScheduleFailsNoReadingAndIsToldOnce() throws Exception {
        SensorId sensor = SensorId.of("pump-8", "temp");
        SensorContext ctx = trained(sensor, 60, 0.5);
        boolean[] faulty = {true};
        ForecastingPlugin ranksBadly = (ForecastingPlugin) java.lang.reflect.Proxy.newProxyInstance(
                ForecastingPlugin.class.getClassLoader(),
                new Class<?>[] {ForecastingPlugin.class},
                (proxy, m, args) -> {
                    if (faulty[0] && m.getName().equals("schedule")) {
                        throw new ArithmeticException("simulated: a fault in schedule");
                    }
                    try {
                        return m.invoke(plugin, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Recorder heardHere = new Recorder();
        // Ranked at every forecast (schedule-interval zero), so that each reading asks for it.
        SensorCycle ranking = new SensorCycle(
                ranksBadly,
                s -> OperatingLimits.none(),
                new CycleSettings(200, 2048, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, 1000),
                Clock.systemUTC(),
                null,
                heardHere);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger(SensorCycle.class);
        log.addAppender(logged);
        List<SensorCycle.Outcome> outcomes = new ArrayList<>();
        try {
            for (Reading r : hourly(200, 203, 60, 0.5, 19)) {
                outcomes.add(ranking.accept(ctx, List.of(r)));
            }
        } finally {
            log.detachAppender(logged);
        }
        assertTrue(outcomes.stream().allMatch(o -> o.result() != null), "each reading forecast");
        assertEquals(3, heardHere.results.size(), "and its result published");
        assertTrue(heardHere.missed.isEmpty(), heardHere.missed.toString());
        assertTrue(heardHere.schedules.isEmpty(), "nothing ranked");
        List<ILoggingEvent> errors = logged.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .toList();
        assertEquals(1, errors.size(), "told once: " + errors);
        assertTrue(errors.get(0).getFormattedMessage().contains("schedule could not be ranked"), errors.toString());
        faulty[0] = false;
        ranking.accept(ctx, hourly(203, 204, 60, 0.5, 19));
        assertEquals(1, heardHere.schedules.size(), "ranked again once the plugin ranks");
    }

    /**
     * After a gap longer than lstm.max-gap a sensor cannot be forecast until a window's worth of
     * readings has come: a predict says so as "try again", with when, not as the plugin's
     * "send more history", which a predict cannot do; its readings go on without results until then.
     */
    @Test
    void aPredictAfterAGapInTheReadingsIsToldWhenForecastsResume() throws Exception {
        SensorId sensor = SensorId.of("pump-5", "temp");
        SensorContext ctx = trained(sensor, 70, 0.5);
        heard.results.clear();
        // Six hours without readings (lstm.max-gap is 3 h), then ten hourly readings again.
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger(SensorCycle.class);
        log.addAppender(logged);
        List<SensorCycle.Outcome> after;
        try {
            after = feed(ctx, hourly(206, 216, 70, 0.5, 5));
        } finally {
            log.detachAppender(logged);
        }
        assertTrue(after.stream().allMatch(o -> o.result() == null), "no forecast from ten readings");
        RetryLaterException e = assertThrows(RetryLaterException.class, () -> cycle.predict(ctx, null));
        assertEquals(RetryLaterException.Reason.AWAITING_READINGS, e.reason());
        assertEquals(Duration.ofHours(20), e.retryAfter(), "20 more hourly readings: " + e.getMessage());
        assertTrue(e.getMessage().contains("has 10 of the 30 consecutive intervals"), e.getMessage());
        // Why, in the plugin's words: the pause, and the key that would bridge it.
        String pause = "its readings paused for 6 intervals of PT1H (PT6H) before 2025-06-09T14:00:00Z, longer than"
                + " lstm.max-gap (PT3H)";
        assertTrue(e.getMessage().contains("its forecast needs (" + pause), e.getMessage());
        assertEquals(
                e.getMessage(),
                heard.missed.get(heard.missed.size() - 1),
                "the sensor's view is told why its forecasts stopped");
        assertEquals(10, heard.missed.size(), "at each reading while it lasts");
        // Said once for the pause while its readings went without forecasts, not once per reading.
        List<String> said = logged.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("forecasts resume"))
                .toList();
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains(pause), said.get(0));
        feed(ctx, hourly(216, 236, 70, 0.5, 6));
        assertNotNull(cycle.predict(ctx, null).forecast(), "forecast again once 30 have come");
        assertFalse(heard.results.isEmpty(), "and the readings' own results are back");
        assertEquals(29, heard.missed.size(), "till the 30th reading: " + heard.missed);
    }

    /** The blind spot: 70 +- 5 jumping to 105, no limits configured. */
    @Test
    void aLevelShiftWithoutLimitsRaisesOneAlertWithinThreeReadings() throws Exception {
        SensorId sensor = SensorId.of("pump-2", "temp");
        SensorContext ctx = trained(sensor, 70, 5.0 / 3);
        feed(ctx, hourly(200, 260, 70, 5.0 / 3, 3));
        assertEquals(
                RiskLevel.LOW,
                ctx.alertLevel(),
                "steady before the shift: " + ctx.latestRisk().reasons());
        List<SensorCycle.Outcome> shifted = feed(ctx, hourly(260, 280, 105, 5.0 / 3, 4));
        int firstAlert = -1;
        int raised = 0;
        for (int i = 0; i < shifted.size(); i++) {
            SensorCycle.Alert a = shifted.get(i).result().alert();
            if (a != null && a.state().equals("raised")) {
                raised++;
                firstAlert = firstAlert < 0 ? i + 1 : firstAlert;
            }
        }
        assertTrue(firstAlert >= 1 && firstAlert <= 3, "first alert at shifted reading " + firstAlert);
        assertTrue(raised <= 2, "an alert per level rise, not per reading: " + raised);
        assertTrue(shifted.get(firstAlert - 1).result().risk().level().atLeast(RiskLevel.MEDIUM));
        assertTrue(
                heard.schedules.stream()
                        .anyMatch(l -> !l.isEmpty() && l.get(0).worstSensor().equals(sensor)),
                "a level change re-ranks the schedule at once, inside the schedule interval of a minute");
    }

    /**
     * A REST predict is answered, not published: it must not move the level that alerts are
     * raised from. Against a caller's own limits (high 60 for a sensor at 70) it says high, and
     * the readings after it, assessed without limits, then neither raise nor "clear" anything.
     */
    @Test
    void aPredictRequestLeavesTheAlertLevelAlone() throws Exception {
        SensorId sensor = SensorId.of("pump-4", "temp");
        SensorContext ctx = trained(sensor, 70, 0.5);
        feed(ctx, hourly(200, 210, 70, 0.5, 7));
        assertEquals(RiskLevel.LOW, ctx.alertLevel());
        SensorCycle.Result whatIf = cycle.predict(ctx, new OperatingLimits(null, null, null, 60.0));
        assertTrue(
                whatIf.risk().level().atLeast(RiskLevel.HIGH),
                whatIf.risk().reasons().toString());
        assertNull(whatIf.alert(), "a request's answer is no alert");
        assertEquals(RiskLevel.LOW, ctx.alertLevel(), "the published level is unchanged");
        assertTrue(heard.requested.isEmpty(), "a what-if against the caller's limits is not the sensor's forecast");
        int published = heard.results.size();
        SensorCycle.Result own = cycle.predict(ctx, null);
        assertEquals(List.of(own), heard.requested, "one against its own limits is, for views such as a dashboard");
        assertEquals(published, heard.results.size(), "and is still not a published result");
        heard.results.clear();
        feed(ctx, hourly(210, 214, 70, 0.5, 8));
        assertEquals(4, heard.results.size());
        assertTrue(heard.results.stream().allMatch(r -> r.alert() == null), "no alert cleared that was never raised");
    }

    @Test
    void aContextRestoredFromBytesCarriesOnExactlyWhereItWas() throws Exception {
        SensorId sensor = SensorId.of("pump-3", "temp");
        SensorContext ctx = trained(sensor, 40, 0.3);
        feed(ctx, hourly(200, 230, 40, 0.3, 5));
        SensorContext copy = throughBytes(ctx);
        assertEquals(ctx.readings(), copy.readings());
        assertEquals(ctx.alertLevel(), copy.alertLevel());

        List<Reading> next = hourly(230, 236, 40, 0.3, 6);
        List<SensorCycle.Outcome> original = feed(ctx, next);
        List<SensorCycle.Outcome> resumed = feed(copy, next);
        for (int i = 0; i < next.size(); i++) {
            assertEquals(
                    original.get(i).anomalies().get(0).score(),
                    resumed.get(i).anomalies().get(0).score(),
                    0.0);
            assertEquals(
                    original.get(i).result().forecast().points(),
                    resumed.get(i).result().forecast().points());
        }
    }

    /**
     * A scheduled retraining ({@code cycle.retrain-every}) repeats the options the sensor's model
     * was trained with: a model a user trained with a horizon of 6 was replaced by one of the
     * plugin's 12 steps.
     */
    @Test
    void aScheduledRetrainingRepeatsTheOptionsTheModelWasTrainedWith() throws Exception {
        cycle = new SensorCycle(
                plugin,
                s -> OperatingLimits.none(),
                new CycleSettings(200, 2048, 1, Duration.ZERO, Duration.ofMillis(1), Duration.ofMinutes(1), 1000),
                Clock.systemUTC(),
                trainer,
                heard);
        contexts = new SensorContexts(1000, 2048, null, cycle::forget);
        SensorId sensor = SensorId.of("pump-9", "temp");
        SensorContext ctx = trained(sensor, 60, 0.3);
        Map<String, String> options = Map.of("forecast_horizon", "6");
        ModelInfo asked = plugin.train(new TrainRequest(sensor, ctx.readings(), options));
        Thread.sleep(5); // older than cycle.retrain-every
        assertTrue(cycle.accept(ctx, hourly(200, 201, 60, 0.3, 2)).trainingQueued(), "due for retraining");
        assertTrue(trainer.awaitIdle(120_000));
        ModelInfo retrained = plugin.model(sensor).orElseThrow();
        assertNotEquals(asked.modelVersion(), retrained.modelVersion(), "retrained");
        assertEquals(6, retrained.horizon());
        assertEquals(options, retrained.trainOptions());
    }

    /**
     * A retrained model carries on with the sensor's state (the plugin keeps what it learnt from live
     * errors) instead of a fresh one warmed with the readings the model was trained on, also after
     * the context went through its bytes; a model of another interval cannot and gets a warmed state,
     * forecasting at once.
     */
    @Test
    void aRetrainedModelCarriesOnWithTheSensorsStateUnlessItsIntervalDiffers() throws Exception {
        SensorId sensor = SensorId.of("pump-6", "temp");
        SensorContext ctx = trained(sensor, 70, 0.5);
        feed(ctx, hourly(200, 230, 70, 0.5, 9));
        SensorContext copy = throughBytes(ctx);
        SensorState live = copy.state();
        long scored = live.intervalsScored();

        ModelInfo retrained = plugin.train(new TrainRequest(sensor, copy.readings()));
        SensorCycle.Outcome next = cycle.accept(copy, hourly(230, 231, 70, 0.5, 10));
        assertSame(live, copy.state(), "the state carries on");
        assertEquals(retrained.modelVersion(), copy.state().modelVersion());
        assertEquals(scored + 1, live.intervalsScored(), "one interval more, not the buffer scored again");
        assertEquals(1, next.anomalies().size(), "the reading's hour scored, right after the retraining");
        assertNotNull(next.result());

        plugin.train(new TrainRequest(sensor, copy.readings(), Map.of("interval", "2h")));
        SensorCycle.Outcome other = cycle.accept(copy, hourly(231, 232, 70, 0.5, 11));
        assertNotSame(live, copy.state(), "a model of another interval gets a state of its own");
        assertEquals(Duration.ofHours(2), other.result().forecast().interval(), "warmed: forecast at once");
    }

    /**
     * A context saved before its sensor's model was retrained (a Kafka task moving to another host
     * meanwhile, say) is restored with its state, which carries on with the retrained model: the
     * next reading is scored and forecast at once. One whose state is unreadable is warmed afresh.
     */
    @Test
    void aContextRestoredAfterARetrainingCarriesOnAndAnUnreadableStateIsWarmed() throws Exception {
        SensorId sensor = SensorId.of("pump-7", "temp");
        SensorContext ctx = trained(sensor, 55, 0.4);
        feed(ctx, hourly(200, 230, 55, 0.4, 12));
        byte[] saved = ctx.toBytes();
        String earlier = ctx.state().modelVersion();
        plugin.train(new TrainRequest(sensor, ctx.readings()));

        SensorContext restored = SensorContext.restore(saved, 2048, List.of(), plugin);
        String restoredFor = restored.state().modelVersion();
        SensorCycle.Outcome next = cycle.accept(restored, hourly(230, 231, 55, 0.4, 13));
        assertEquals(1, next.anomalies().size(), "the reading's hour scored");
        assertNotNull(next.result(), "and forecast, from the state's own recent intervals");
        assertEquals(earlier, restoredFor, "restored as it was saved");
        assertEquals(
                plugin.model(sensor).orElseThrow().modelVersion(),
                restored.state().modelVersion());

        ctx.state = new SensorState() {
            @Override
            public SensorId sensor() {
                return sensor;
            }

            @Override
            public String modelVersion() {
                return earlier;
            }

            @Override
            public long intervalsScored() {
                return 0;
            }

            @Override
            public byte[] toBytes() {
                return new byte[] {1, 2, 3};
            }
        };
        SensorContext unreadable = SensorContext.restore(ctx.toBytes(), 2048, List.of(), plugin);
        assertNull(unreadable.state().modelVersion(), "a fresh state, bound to no model yet");
        assertNotNull(cycle.accept(unreadable, hourly(231, 232, 55, 0.4, 14)).result(), "warmed: forecast at once");
    }

    /** A context saved by a release that did not record its state's interval learns it from its model. */
    @Test
    void aContextOfAnEarlierReleaseCarriesOnAfterARetrainingToo() throws Exception {
        SensorId sensor = SensorId.of("pump-8", "temp");
        SensorContext ctx = trained(sensor, 62, 0.4);
        feed(ctx, hourly(200, 220, 62, 0.4, 15));
        ctx.stateInterval = null; // as an earlier release wrote it: an empty string
        SensorContext earlier = throughBytes(ctx);
        cycle.accept(earlier, hourly(220, 221, 62, 0.4, 16));
        SensorState live = earlier.state();
        plugin.train(new TrainRequest(sensor, earlier.readings()));
        cycle.accept(earlier, hourly(221, 222, 62, 0.4, 17));
        assertSame(live, earlier.state(), "the state carries on");
    }

    /**
     * A request's forecast does not wait for as long as the sensor's other work takes: while that
     * work is stuck in the listener (a database down long enough for its waiting writes to fill their
     * room holds the readings back), the request is refused to be asked again, and it is answered
     * once the work is done. Before, it waited as long as the database stayed down.
     */
    @Test
    void aRequestIsRefusedToBeAskedAgainWhileTheSensorsWorkIsStuck() throws Exception {
        SensorId sensor = SensorId.of("pump-9", "temp");
        SensorContext ctx = trained(sensor, 45, 0.4);
        CountDownLatch stuckIn = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SensorCycle.Listener waiting = new SensorCycle.Listener() {
            @Override
            public void anomalies(SensorId s, List<AnomalyScore> scores) {
                stuckIn.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SensorCycle stuck = new SensorCycle(
                plugin, s -> OperatingLimits.none(), cycle.settings(), Clock.systemUTC(), null, waiting);
        Thread reading = new Thread(() -> stuck.accept(ctx, hourly(200, 201, 45, 0.4, 18)));
        reading.setDaemon(true);
        try {
            reading.start();
            assertTrue(stuckIn.await(30, TimeUnit.SECONDS), "the reading's work reached the listener");
            RetryLaterException busy = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(RetryLaterException.class, () -> stuck.predict(ctx, null)));
            assertTrue(busy.getMessage().contains(sensor + " is busy"), busy.getMessage());
        } finally {
            release.countDown();
        }
        reading.join(30_000);
        assertNotNull(stuck.predict(ctx, null).forecast(), "answered once the work is done");
    }

    @Test
    void readingsOfAnUntrainableSensorWaitInTheBufferWithoutResults() {
        SensorContext ctx = new SensorContext(SensorId.of("pump-4", "temp"), 16);
        for (SensorCycle.Outcome o : feed(ctx, hourly(0, 40, 1, 0.1, 7))) {
            assertNull(o.result());
            assertFalse(o.trainingQueued(), "train-after 200 is beyond a buffer of 16: never enough");
        }
        assertEquals(16, ctx.buffered(), "the ring keeps the newest, bounded");
        assertEquals(T0.plus(Duration.ofHours(39)), ctx.readings().get(15).timestamp());
    }

    @Test
    void theLeastRecentlyUsedSensorIsEvictedAndWarmedAgainWhenItReturns() {
        List<SensorId> warmed = new ArrayList<>();
        List<SensorId> evicted = new ArrayList<>();
        SensorContexts contexts = new SensorContexts(
                2,
                64,
                s -> {
                    warmed.add(s);
                    return hourly(0, 10, 5, 0, 8);
                },
                evicted::add);
        SensorId a = SensorId.of("a", "x");
        SensorId b = SensorId.of("b", "x");
        SensorId c = SensorId.of("c", "x");
        SensorContext first = contexts.get(a);
        assertEquals(10, first.buffered(), "warmed from the store");
        contexts.get(b);
        assertTrue(first == contexts.get(a), "a used again: b is now the least recent");
        contexts.get(c);
        assertEquals(List.of(b), evicted);
        assertEquals(2, contexts.size());
        contexts.get(b);
        assertEquals(List.of(a, b, c, b), warmed);
        assertEquals(2, contexts.evictions());
    }
}
