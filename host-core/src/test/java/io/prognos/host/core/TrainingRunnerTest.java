package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a sensor's training: a queued one never runs, a running one is interrupted. A failure
 * is told once per sensor until it changes or the sensor trains.
 */
class TrainingRunnerTest {

    @Test
    void aTrainingThatFailsTheSameWayAtEveryReadingIsToldOnce() throws Exception {
        SensorId sensor = SensorId.of("press-7", "flow");
        List<Throwable> outcomes = List.of(
                new InsufficientHistoryException(sensor, 42, 10, "training", "", "a pause"),
                new InsufficientHistoryException(sensor, 42, 11, "training", "", "two pauses, the longest 5 h"),
                new BadRequestException("interval", "too fine"),
                new BadRequestException("interval", "too fine"),
                new IllegalStateException("a bug"),
                new IllegalStateException("a bug"),
                new OutOfMemoryError("Java heap space"),
                new OutOfMemoryError("Java heap space"),
                new NoClassDefFoundError("acme/Missing"));
        java.util.concurrent.atomic.AtomicInteger call = new java.util.concurrent.atomic.AtomicInteger();
        ForecastingPlugin plugin = withModel(null, (proxy, m, args) -> {
            int i = call.getAndIncrement();
            if (i == outcomes.size()) {
                return null; // trained
            }
            throw outcomes.get(i);
        });
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong now = new AtomicLong();
        try (TrainingRunner runner = new TrainingRunner(
                plugin, 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()), (s, given) -> given, now::get)) {
            for (int i = 0; i < outcomes.size() + 2; i++) {
                if (i == outcomes.size() + 1) {
                    call.set(2); // after the training, the first failure again
                }
                now.addAndGet(TrainingHolds.LONGEST_HOLD.toNanos()); // past any hold after a failure
                assertTrue(runner.submit(sensor, List.of(), Map.of()));
                assertTrue(runner.awaitIdle(10_000));
            }
        }
        assertEquals(
                List.of(
                        outcomes.get(0).getMessage(),
                        "too fine",
                        "a bug",
                        "the training of press-7/flow ran out of heap memory (Java heap space); give the host more"
                                + " heap (-Xmx) or train the sensor on a shorter history",
                        "the training of press-7/flow failed: java.lang.NoClassDefFoundError: acme/Missing",
                        "too fine"),
                told,
                "a count of readings that grows, or of pauses, is the same failure; told again after the sensor trained;"
                        + " running out of memory is told, not kept by the training's thread");
    }

    /**
     * A training that failed unexpectedly (out of heap, a fault of the plugin) is not tried again
     * at the sensor's next reading but after a hold that doubles with each such failure in a row,
     * nor one refused for bad input other than too few readings; too few readings, which the next reading may mend, is tried again at once; a training that
     * succeeds ends the hold.
     */
    @Test
    void aTrainingThatFailedUnexpectedlyIsTriedAgainOnlyAfterAHoldThatDoubles() throws Exception {
        SensorId sensor = SensorId.of("press-8", "flow");
        java.util.concurrent.BlockingQueue<Object> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ForecastingPlugin plugin = scripted(outcomes, calls);
        AtomicLong now = new AtomicLong();
        long minute = Duration.ofMinutes(1).toNanos();
        try (TrainingRunner runner =
                new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {}, (s, given) -> given, now::get)) {
            outcomes.add(new OutOfMemoryError("Java heap space"));
            assertTrue(runner.submit(sensor, List.of(), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            now.addAndGet(minute - 1);
            assertFalse(runner.takes(sensor, null));
            assertFalse(runner.submit(sensor, List.of(), Map.of()), "held for a minute");
            now.addAndGet(1);
            outcomes.add(new IllegalStateException("a bug"));
            assertTrue(runner.takes(sensor, null));
            assertTrue(runner.submit(sensor, List.of(), Map.of()), "tried again after the minute");
            assertTrue(runner.awaitIdle(10_000));
            now.addAndGet(2 * minute - 1);
            assertFalse(runner.submit(sensor, List.of(), Map.of()), "held for two minutes after the second");
            now.addAndGet(1);
            outcomes.add(new InsufficientHistoryException(sensor, 42, 10, "training", "", null));
            assertTrue(runner.submit(sensor, List.of(), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            outcomes.add(new InsufficientHistoryException(sensor, 42, 11, "training", "", null));
            assertTrue(runner.submit(sensor, List.of(), Map.of()), "too few readings: tried again at once");
            assertTrue(runner.awaitIdle(10_000));
            outcomes.add("trained");
            assertTrue(runner.submit(sensor, List.of(), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            outcomes.add(new IllegalStateException("a bug"));
            assertTrue(runner.submit(sensor, List.of(), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            now.addAndGet(minute);
            outcomes.add("trained");
            assertTrue(
                    runner.submit(sensor, List.of(), Map.of()), "after a training, the hold starts at a minute again");
            assertTrue(runner.awaitIdle(10_000));
            outcomes.add(new BadRequestException("interval", "too fine"));
            assertTrue(runner.submit(sensor, List.of(), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertFalse(runner.submit(sensor, List.of(), Map.of()), "refused for what its readings are: held too");
            now.addAndGet(minute);
            for (int i = 0; i < 8; i++) {
                outcomes.add(new IllegalStateException("a bug"));
                now.addAndGet(TrainingHolds.LONGEST_HOLD.toNanos());
                assertTrue(runner.submit(sensor, List.of(), Map.of()));
                assertTrue(runner.awaitIdle(10_000));
            }
            now.addAndGet(TrainingHolds.LONGEST_HOLD.toNanos() - 1);
            assertFalse(runner.submit(sensor, List.of(), Map.of()), "at most an hour");
            now.addAndGet(1);
            assertTrue(runner.takes(sensor, null), "at most an hour");
        }
        assertEquals(16, calls.get(), "a training refused while held never reached the plugin");
    }

    /**
     * A plugin without models whose every training takes the next of {@code outcomes}, counted in
     * {@code calls}: a throwable is thrown, anything else is a training that succeeded.
     */
    private static ForecastingPlugin scripted(
            java.util.concurrent.BlockingQueue<Object> outcomes, java.util.concurrent.atomic.AtomicInteger calls) {
        return scripted(outcomes, calls, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /** The same, its model of every sensor {@code inPlace}'s (null: none). */
    private static ForecastingPlugin scripted(
            java.util.concurrent.BlockingQueue<Object> outcomes,
            java.util.concurrent.atomic.AtomicInteger calls,
            java.util.concurrent.atomic.AtomicReference<ModelInfo> inPlace) {
        return withModel(inPlace, (proxy, m, args) -> {
            calls.incrementAndGet();
            Object next = outcomes.remove();
            if (next instanceof Throwable t) {
                throw t;
            }
            return null; // trained
        });
    }

    /**
     * A plugin whose every sensor's model is {@code inPlace}'s (none when it or it holds null; the
     * runner asks when a training fails) and whose other calls {@code calls} answers.
     */
    private static ForecastingPlugin withModel(
            java.util.concurrent.atomic.AtomicReference<ModelInfo> inPlace, java.lang.reflect.InvocationHandler calls) {
        return (ForecastingPlugin) Proxy.newProxyInstance(
                TrainingRunnerTest.class.getClassLoader(),
                new Class<?>[] {ForecastingPlugin.class},
                (proxy, m, args) -> m.getName().equals("model")
                        ? java.util.Optional.ofNullable(inPlace == null ? null : inPlace.get())
                        : calls.invoke(proxy, m, args));
    }

    /**
     * A training refused for too little history, where the plugin says when newer readings could
     * mend it, is not tried again before a reading that new (each try read the stored history), nor
     * after an hour at most; not when the plugin cannot say, nor when the refusal came from a part of
     * the history only (the stored one unavailable).
     */
    @Test
    void aTrainingRefusedForTooLittleHistoryWaitsForAReadingAsNewAsThePluginSaid() throws Exception {
        SensorId sensor = SensorId.of("press-9", "flow");
        java.time.Instant ready = readings(0, 101).get(100).timestamp();
        java.util.concurrent.BlockingQueue<Object> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ForecastingPlugin plugin = scripted(outcomes, calls);
        boolean[] storeAway = {false};
        AtomicLong now = new AtomicLong();
        try (TrainingRunner runner = new TrainingRunner(
                plugin,
                1,
                10,
                m -> {},
                (s, e) -> {},
                (s, given) -> {
                    if (storeAway[0]) {
                        throw storeUnavailable();
                    }
                    return given;
                },
                now::get)) {
            outcomes.add(new InsufficientHistoryException(sensor, 65, 40, "training", "", "a pause", ready));
            assertTrue(runner.submit(sensor, readings(0, 50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertFalse(runner.takes(sensor, readings(0, 100).get(99).timestamp()));
            assertFalse(runner.submit(sensor, readings(0, 100), Map.of()), "its newest reading before the time");
            assertTrue(runner.takes(sensor, ready));
            outcomes.add(new InsufficientHistoryException(sensor, 65, 64, "training", "", null, ready.plusSeconds(5)));
            assertTrue(runner.submit(sensor, readings(0, 101), Map.of()), "a reading as new as the time");
            assertTrue(runner.awaitIdle(10_000));
            assertFalse(runner.submit(sensor, readings(0, 105), Map.of()), "waits for the new time");
            now.addAndGet(HistoryWaits.LONGEST_WAIT.toNanos() - 1);
            assertFalse(runner.takes(sensor, ready));
            now.addAndGet(1);
            assertTrue(runner.takes(sensor, ready), "at most an hour");
            outcomes.add(new InsufficientHistoryException(sensor, 65, 64, "training", "", null, ready.plusSeconds(9)));
            assertTrue(runner.submit(sensor, readings(0, 102), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(
                    new InsufficientHistoryException(sensor, 65, 64, "training", "", null).getMessage(),
                    runner.failure(sensor).message(),
                    "why it failed last, for the sensor's view");
            outcomes.add("trained");
            assertTrue(runner.submit(sensor, readings(0, 110), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(null, runner.failure(sensor), "none once it trained");
            outcomes.add(new InsufficientHistoryException(sensor, 65, 64, "training", "", null, null));
            assertTrue(runner.submit(sensor, readings(0, 20), Map.of()), "a training ends the wait");
            assertTrue(runner.awaitIdle(10_000));
            assertTrue(runner.takes(sensor, readings(0, 21).get(20).timestamp()), "no time said: no wait");
            storeAway[0] = true;
            outcomes.add(new InsufficientHistoryException(sensor, 65, 64, "training", "", null, ready));
            assertTrue(runner.submit(sensor, readings(0, 21), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            outcomes.add("trained");
            assertTrue(runner.submit(sensor, readings(0, 22), Map.of()), "refused on the buffer alone: no wait");
            assertTrue(runner.awaitIdle(10_000));
        }
        assertEquals(7, calls.get(), "a training refused while it waited never reached the plugin");
    }

    /**
     * A training is given the longer history the host holds (its stored readings), followed by the
     * given readings newer than it (buffered, not stored yet): the cycle's buffer of 2,048
     * ten-second readings is under 6 hours, and a model of them never saw a day (a healthy day
     * scored 3-5 intervals at the anomaly threshold, against 0-1 for one of the stored 6 days). The
     * buffer when the host holds no longer one, or cannot give it: then the training's own failure
     * is told.
     */
    @Test
    void aTrainingTakesTheLongerStoredHistoryWithTheNewerGivenReadings() throws Exception {
        SensorId sensor = SensorId.of("skid-8", "pressure");
        List<List<io.prognos.api.Reading>> histories = new java.util.concurrent.CopyOnWriteArrayList<>();
        ForecastingPlugin plugin = withModel(null, (proxy, m, args) -> {
            List<io.prognos.api.Reading> h = ((TrainRequest) args[0]).history();
            histories.add(h);
            if (h.size() < 100) {
                throw new InsufficientHistoryException(sensor, 65, h.size() / 60, "training", "", null);
            }
            return null; // trained
        });
        List<io.prognos.api.Reading> stored = readings(0, 150);
        List<io.prognos.api.Reading> buffered = readings(140, 200); // 10 stored, 50 newer
        java.util.function.BiFunction<SensorId, List<io.prognos.api.Reading>, List<io.prognos.api.Reading>>[] longer =
                new java.util.function.BiFunction[] {(s, given) -> stored};
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TrainingRunner runner = new TrainingRunner(
                plugin, 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()), (s, given) -> longer[0].apply(s, given))) {
            assertTrue(runner.submit(sensor, buffered, Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(1, histories.size(), "one training");
            assertEquals(readings(0, 200), histories.get(0), "the stored 150, then the 50 newer buffered");
            assertTrue(told.isEmpty(), told.toString());

            histories.clear();
            longer[0] = (s, given) -> given; // none longer held
            assertTrue(runner.submit(sensor, buffered, Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(buffered), histories);

            histories.clear();
            longer[0] = (s, given) -> {
                throw storeUnavailable();
            };
            assertTrue(runner.submit(sensor, readings(0, 50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(readings(0, 50)), histories, "the buffer when the store is away");
            assertTrue(told.get(told.size() - 1).contains("65"), "the training's own failure told: " + told);
        }
    }

    /**
     * A training asked with {@code submitRecent} (a changed cadence) takes the given readings, and
     * the longer history only when they hold too few intervals; not for pauses, which a longer
     * history holds too, nor when the longer one cannot be had: then the first failure is told.
     */
    @Test
    void aRecentTrainingTakesTheGivenReadingsAndALongerHistoryOnlyWhenTheyFallShort() throws Exception {
        SensorId sensor = SensorId.of("skid-9", "pressure");
        List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        String[] whyShort = {null};
        ForecastingPlugin plugin = withModel(null, (proxy, m, args) -> {
            int n = ((TrainRequest) args[0]).history().size();
            sizes.add(n);
            if (n < 100) {
                throw new InsufficientHistoryException(sensor, 65, n / 60, "training", "", whyShort[0]);
            }
            return null; // trained
        });
        List<io.prognos.api.Reading> stored = readings(0, 150);
        java.util.function.BiFunction<SensorId, List<io.prognos.api.Reading>, List<io.prognos.api.Reading>>[] longer =
                new java.util.function.BiFunction[] {(s, given) -> stored};
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TrainingRunner runner = new TrainingRunner(
                plugin, 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()), (s, given) -> longer[0].apply(s, given))) {
            assertTrue(runner.submitRecent(sensor, readings(0, 120), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(120), sizes, "enough given: the given");

            sizes.clear();
            assertTrue(runner.submitRecent(sensor, readings(0, 50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50, 150), sizes, "too few given: then the longer history");
            assertTrue(told.isEmpty(), told.toString());

            sizes.clear();
            whyShort[0] = "its readings paused 3 times";
            assertTrue(runner.submitRecent(sensor, readings(0, 50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50), sizes, "pauses: no longer history asked for");

            sizes.clear();
            whyShort[0] = null;
            longer[0] = (s, given) -> {
                throw storeUnavailable();
            };
            assertTrue(runner.submitRecent(sensor, readings(0, 50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50), sizes);
            assertTrue(told.get(told.size() - 1).contains("65"), "the training's own failure told: " + told);
        }
    }

    private static io.prognos.api.RetryLaterException storeUnavailable() {
        return new io.prognos.api.RetryLaterException(
                io.prognos.api.RetryLaterException.Reason.STORE_UNAVAILABLE,
                "database unavailable",
                java.time.Duration.ofSeconds(5),
                null);
    }

    /**
     * A failed retraining leaves the sensor served by its older model: why it failed stands, for the
     * sensor's view, while that model serves or none does (the view showed a reason only while there
     * was none, and this one was in the log only); a model trained since (a train request, another
     * host) makes it moot, as it does a failure of a sensor that had no model.
     */
    @Test
    void aFailedRetrainingStandsWhileTheModelItWasToReplaceServes() throws Exception {
        SensorId sensor = SensorId.of("press-11", "flow");
        java.time.Instant monday = java.time.Instant.parse("2026-03-02T06:00:00Z");
        java.util.concurrent.BlockingQueue<Object> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicReference<ModelInfo> inPlace =
                new java.util.concurrent.atomic.AtomicReference<>(modelTrainedAt(sensor, monday));
        ForecastingPlugin plugin = scripted(outcomes, new java.util.concurrent.atomic.AtomicInteger(), inPlace);
        AtomicLong now = new AtomicLong();
        try (TrainingRunner runner =
                new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {}, (s, given) -> given, now::get)) {
            outcomes.add(new OutOfMemoryError("Java heap space"));
            assertTrue(runner.submit(sensor, readings(0, 100), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            TrainingFailure retraining = runner.failure(sensor);
            assertTrue(retraining.message().startsWith("the training of press-11/flow ran out of heap memory"));
            assertTrue(retraining.standsWith(java.util.Optional.of(modelTrainedAt(sensor, monday))), "it still serves");
            assertTrue(retraining.standsWith(java.util.Optional.empty()), "or none does, deleted since");
            assertFalse(
                    retraining.standsWith(java.util.Optional.of(modelTrainedAt(sensor, monday.plusSeconds(1)))),
                    "a model trained since");

            inPlace.set(null);
            now.addAndGet(TrainingHolds.LONGEST_HOLD.toNanos());
            outcomes.add(new InsufficientHistoryException(sensor, 65, 40, "training", "", null));
            assertTrue(runner.submit(sensor, readings(0, 40), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            TrainingFailure first = runner.failure(sensor);
            assertTrue(first.standsWith(java.util.Optional.empty()));
            assertFalse(first.standsWith(java.util.Optional.of(modelTrainedAt(sensor, monday))), "a model since");
        }
    }

    /**
     * A training the plugin does not take because a train request of the sensor runs (the
     * dashboard's "retrain") is no failure: it was told as one, a warning and the view's reason,
     * though the request's model was on its way. The next reading tries again.
     */
    @Test
    void aTrainingRefusedWhileATrainRequestRunsIsNoFailure() throws Exception {
        SensorId sensor = SensorId.of("press-12", "flow");
        java.util.concurrent.BlockingQueue<Object> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TrainingRunner runner = new TrainingRunner(
                scripted(outcomes, calls), 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()), (s, given) -> given)) {
            outcomes.add(io.prognos.api.RetryLaterException.modelBusy(sensor));
            assertTrue(runner.submit(sensor, readings(0, 100), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(), told);
            assertEquals(null, runner.failure(sensor));
            outcomes.add("trained");
            assertTrue(runner.submit(sensor, readings(0, 101), Map.of()), "not held: tried again at the next reading");
            assertTrue(runner.awaitIdle(10_000));
        }
        assertEquals(2, calls.get());
    }

    private static ModelInfo modelTrainedAt(SensorId sensor, java.time.Instant trainedAt) {
        return new ModelInfo(
                sensor,
                "v1",
                1,
                Duration.ofHours(1),
                Duration.ZERO,
                12,
                "last_value",
                400,
                1,
                trainedAt,
                io.prognos.api.ModelStatus.READY,
                Map.of());
    }

    private static List<io.prognos.api.Reading> readings(int from, int to) {
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        return java.util.stream.IntStream.range(from, to)
                .mapToObj(i -> new io.prognos.api.Reading(t0.plusSeconds(i), i))
                .toList();
    }

    @Test
    void aCancelledTrainingNeverRunsOrIsInterruptedAndLeavesNothingPending() throws Exception {
        SensorId running = SensorId.of("pump-1", "temp");
        SensorId queued = SensorId.of("pump-2", "temp");
        Set<SensorId> trained = ConcurrentHashMap.newKeySet();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        // A plugin whose trainings run until interrupted (only train is called here).
        ForecastingPlugin plugin = withModel(null, (proxy, m, args) -> {
            if (!m.getName().equals("train")) {
                throw new UnsupportedOperationException(m.getName());
            }
            trained.add(((TrainRequest) args[0]).sensor());
            started.countDown();
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw new IllegalStateException("interrupted", e);
            }
            return null;
        });
        try (TrainingRunner runner = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {})) {
            assertTrue(runner.submit(running, List.of(), Map.of()));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(runner.submit(queued, List.of(), Map.of()), "queued behind the first on one thread");

            assertTrue(runner.cancel(queued));
            assertFalse(runner.isPending(queued), "a queued training is gone at once");
            assertTrue(runner.submit(queued, List.of(), Map.of()), "and may be asked for again");
            assertTrue(runner.cancel(queued));

            assertTrue(runner.cancel(running));
            assertTrue(interrupted.await(10, TimeUnit.SECONDS), "a running training is interrupted");
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(Set.of(running), trained, "the cancelled queued training never ran");
            assertFalse(runner.cancel(running), "nothing left to cancel");
        }
    }
}
