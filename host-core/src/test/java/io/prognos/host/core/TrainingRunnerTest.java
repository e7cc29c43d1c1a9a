package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a sensor's training: a queued one never runs, a running one is interrupted. A failure
 * is told once per sensor until it changes or the sensor trains.
 */
class TrainingRunnerTest {

    @Test
    void aTrainingThatFailsTheSameWayAtEveryReadingIsToldOnce() throws Exception {
        SensorId sensor = SensorId.of("press-7", "flow");
        List<RuntimeException> outcomes = List.of(
                new InsufficientHistoryException(sensor, 42, 10, "training", "", "a pause"),
                new InsufficientHistoryException(sensor, 42, 11, "training", "", "a pause"),
                new BadRequestException("interval", "too fine"),
                new BadRequestException("interval", "too fine"),
                new IllegalStateException("a bug"),
                new IllegalStateException("a bug"));
        java.util.concurrent.atomic.AtomicInteger call = new java.util.concurrent.atomic.AtomicInteger();
        ForecastingPlugin plugin = (ForecastingPlugin) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (proxy, m, args) -> {
                    int i = call.getAndIncrement();
                    if (i == outcomes.size()) {
                        return null; // trained
                    }
                    throw outcomes.get(i);
                });
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TrainingRunner runner = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()))) {
            for (int i = 0; i < outcomes.size() + 2; i++) {
                if (i == outcomes.size() + 1) {
                    call.set(2); // after the training, the first failure again
                }
                assertTrue(runner.submit(sensor, List.of(), Map.of()));
                assertTrue(runner.awaitIdle(10_000));
            }
        }
        assertEquals(
                List.of(outcomes.get(0).getMessage(), "too fine", "a bug", "too fine"),
                told,
                "a count of readings that grows is the same failure; told again after the sensor trained");
    }

    /**
     * A training whose history holds too few intervals is tried again on a longer one (the host's
     * stored readings): the cycle's buffer of one-second readings is 35 intervals of a configured
     * minute. Not for pauses, which a longer history holds too, nor when the longer one cannot be
     * had: then the first failure is told.
     */
    @Test
    void aHistoryTooShortIsTriedAgainOnALongerOne() throws Exception {
        SensorId sensor = SensorId.of("skid-8", "pressure");
        List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        String[] whyShort = {null};
        ForecastingPlugin plugin = (ForecastingPlugin) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (proxy, m, args) -> {
                    int n = ((TrainRequest) args[0]).history().size();
                    sizes.add(n);
                    if (n < 100) {
                        throw new InsufficientHistoryException(sensor, 65, n / 60, "training", "", whyShort[0]);
                    }
                    return null; // trained
                });
        List<io.prognos.api.Reading> stored = readings(150);
        java.util.function.BiFunction<SensorId, List<io.prognos.api.Reading>, List<io.prognos.api.Reading>>[] longer =
                new java.util.function.BiFunction[] {(s, given) -> stored};
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TrainingRunner runner = new TrainingRunner(
                plugin, 1, 10, m -> {}, (s, e) -> told.add(e.getMessage()), (s, given) -> longer[0].apply(s, given))) {
            assertTrue(runner.submit(sensor, readings(50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50, 150), sizes, "trained on the longer history");
            assertTrue(told.isEmpty(), told.toString());

            sizes.clear();
            whyShort[0] = "its readings paused 3 times";
            assertTrue(runner.submit(sensor, readings(50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50), sizes, "pauses: no longer history asked for");

            sizes.clear();
            whyShort[0] = null;
            longer[0] = (s, given) -> {
                throw new io.prognos.api.RetryLaterException(
                        io.prognos.api.RetryLaterException.Reason.STORE_UNAVAILABLE,
                        "database unavailable",
                        java.time.Duration.ofSeconds(5),
                        null);
            };
            assertTrue(runner.submit(sensor, readings(50), Map.of()));
            assertTrue(runner.awaitIdle(10_000));
            assertEquals(List.of(50), sizes);
            assertTrue(told.get(told.size() - 1).contains("65"), "the training's own failure told: " + told);
        }
    }

    private static List<io.prognos.api.Reading> readings(int n) {
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        return java.util.stream.IntStream.range(0, n)
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
        ForecastingPlugin plugin = (ForecastingPlugin) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (proxy, m, args) -> {
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
