package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Models survive a restart, damaged ones are reported instead of crashing, and the store's faults surface. */
class PersistenceTest {

    private static final SensorId SENSOR = SensorId.of("press-1", "oil_temp");
    private final List<Reading> history = Series.seasonal(400, 0.3, 5);

    private static LstmForecastingPlugin started(ModelStore store, int trainingJobs) {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        p.start(new PluginContext(Map.of(), new ThreadLimits(trainingJobs, 1), store, Clock.systemUTC()));
        return p;
    }

    @Test
    void aRestartedPluginLoadsStoredModelsAndForecastsIdentically() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        ModelInfo trained = first.train(new TrainRequest(SENSOR, history));
        List<Reading> recent = history.subList(history.size() - 40, history.size());
        Forecast before = first.forecast(new ForecastRequest(SENSOR, recent));
        first.stop();

        StoredModel stored = store.load(SENSOR).orElseThrow();
        assertTrue(stored.size() <= 32 * 1024, "stored model is " + stored.size() + " bytes");
        assertEquals(ModelCodec.checksum(stored.bytes()), stored.checksum());

        LstmForecastingPlugin second = started(store, 1);
        assertEquals(trained.modelVersion(), second.model(SENSOR).orElseThrow().modelVersion());
        Forecast after = second.forecast(new ForecastRequest(SENSOR, recent));
        assertEquals(before.points(), after.points().stream().map(p -> p).toList());
        assertEquals(before.method(), after.method());
        second.stop();
    }

    @Test
    void aCorruptStoredModelIsMarkedForRetrainingAndNeverCrashesStart() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        first.train(new TrainRequest(SENSOR, history));
        first.stop();
        store.save(LstmPluginTest.corrupt(store.load(SENSOR).orElseThrow()));

        LstmForecastingPlugin second = started(store, 1);
        assertEquals(ModelStatus.NEEDS_RETRAINING, second.model(SENSOR).orElseThrow().status());
        var e = assertThrows(BadRequestException.class, () -> second.forecast(new ForecastRequest(SENSOR,
                history.subList(0, 40))));
        assertTrue(e.getMessage().contains("train it again"), e.getMessage());
        second.train(new TrainRequest(SENSOR, history));
        assertEquals(ModelStatus.READY, second.model(SENSOR).orElseThrow().status());
        second.stop();
    }

    @Test
    void anUnavailableStoreIsRetryLaterAndKeepsThePreviousModel() {
        boolean[] down = {false};
        ForwardingModelStore flaky = new ForwardingModelStore() {
            @Override
            public void save(StoredModel m) {
                if (down[0]) {
                    throw RetryLaterException.storeUnavailable("connection refused", null);
                }
                super.save(m);
            }
        };
        InMemoryModelStore backing = flaky.backing;
        LstmForecastingPlugin p = started(flaky, 1);
        ModelInfo v1 = p.train(new TrainRequest(SENSOR, history));
        down[0] = true;
        var e = assertThrows(RetryLaterException.class, () -> p.train(new TrainRequest(SENSOR, history)));
        assertEquals(RetryLaterException.Reason.STORE_UNAVAILABLE, e.reason());
        assertEquals(v1.modelVersion(), p.model(SENSOR).orElseThrow().modelVersion());
        assertEquals(v1.modelVersion(), backing.load(SENSOR).orElseThrow().info().modelVersion());
        p.stop();
    }

    @Test
    void trainingTheSameSensorTwiceAtOnceIsRetryLater() throws Exception {
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ModelStore slow = new ForwardingModelStore() {
            @Override
            public void save(StoredModel m) {
                saving.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.save(m);
            }
        };
        LstmForecastingPlugin p = started(slow, 2);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<ModelInfo> first = pool.submit(() -> p.train(new TrainRequest(SENSOR, history)));
            assertTrue(saving.await(120, TimeUnit.SECONDS));
            var e = assertThrows(RetryLaterException.class, () -> p.train(new TrainRequest(SENSOR, history)));
            assertEquals(RetryLaterException.Reason.MODEL_BUSY, e.reason());
            assertEquals(ModelStatus.TRAINING, p.models().stream().filter(m -> m.sensor().equals(SENSOR))
                    .findFirst().map(ModelInfo::status).orElse(ModelStatus.TRAINING));
            release.countDown();
            first.get(120, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
            p.stop();
        }
    }

    @Test
    void noMoreTrainingJobsRunAtOnceThanTheLimit() throws Exception {
        LstmForecastingPlugin p = started(new InMemoryModelStore(), 1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ModelInfo>> jobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SensorId s = SensorId.of("line-" + i, "temp");
                jobs.add(pool.submit(() -> p.train(new TrainRequest(s, history))));
            }
            for (Future<ModelInfo> j : jobs) {
                j.get(300, TimeUnit.SECONDS);
            }
            assertEquals(1, p.peakConcurrentTrainings());
        } finally {
            pool.shutdownNow();
            p.stop();
        }
    }
}
