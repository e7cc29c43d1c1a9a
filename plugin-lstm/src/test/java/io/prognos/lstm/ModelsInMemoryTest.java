package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A plugin holds at most {@code lstm.models-in-memory} models and reads the others from the store
 * when their sensors report, forecasting as if it had held them all; a start reads none.
 */
class ModelsInMemoryTest {

    private static final Map<String, String> QUICK = Map.of("epochs", "2", "patience", "1");

    /** Counts the models read from the store. */
    private static final class CountingStore extends ForwardingModelStore {
        final AtomicInteger loads = new AtomicInteger();

        @Override
        public Optional<StoredModel> load(SensorId sensor) {
            loads.incrementAndGet();
            return super.load(sensor);
        }
    }

    /** A store whose reads, once made, wait until released: the test acts while a read is under way. */
    private static final class HeldReads extends ForwardingModelStore {
        final CountDownLatch read = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Optional<StoredModel> load(SensorId sensor) {
            Optional<StoredModel> found = super.load(sensor);
            read.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return found;
        }
    }

    private static LstmForecastingPlugin started(ModelStore store, Map<String, String> config) {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        p.start(new PluginContext(config, new ThreadLimits(1, 1), store, Clock.systemUTC()));
        return p;
    }

    private static SensorId sensor(int i) {
        return SensorId.of("press-" + i, "oil_temp");
    }

    /** Three sensors' series of {@code n} readings, each sensor's model trained on its first 400 and stored. */
    private static List<List<Reading>> threeTrained(ModelStore store, int n, long seed) {
        List<List<Reading>> series = new ArrayList<>();
        LstmForecastingPlugin trainer = started(store, Map.of());
        for (int i = 0; i < 3; i++) {
            series.add(Series.seasonal(n, 0.3, seed + i));
            trainer.train(new TrainRequest(sensor(i), series.get(i).subList(0, 400), QUICK));
        }
        trainer.stop();
        return series;
    }

    @Test
    void aBoundedPluginForecastsEverySensorAsAnUnboundedOneAndHoldsNoMoreThanItsBound() {
        CountingStore store = new CountingStore();
        List<List<Reading>> series = threeTrained(store, 460, 10);

        LstmForecastingPlugin all = started(store, Map.of());
        LstmForecastingPlugin two = started(store, Map.of("lstm.models-in-memory", "2"));
        List<SensorState> allStates = new ArrayList<>();
        List<SensorState> twoStates = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            allStates.add(all.openState(sensor(i), null));
            twoStates.add(two.openState(sensor(i), null));
            all.observe(allStates.get(i), series.get(i).subList(320, 360));
            two.observe(twoStates.get(i), series.get(i).subList(320, 360));
        }
        int loadsBefore = store.loads.get();
        // The sensors report by turns, each reading its own round: every model is dropped and read
        // again between two readings of its sensor.
        for (int t = 360; t < 460; t += 10) {
            for (int i = 0; i < 3; i++) {
                List<Reading> next = series.get(i).subList(t, t + 10);
                assertEquals(
                        all.observe(allStates.get(i), next).scores(),
                        two.observe(twoStates.get(i), next).scores(),
                        "sensor " + i + " scored the same from reading " + t);
                assertEquals(
                        all.forecast(allStates.get(i)).points(),
                        two.forecast(twoStates.get(i)).points(),
                        "sensor " + i + " forecast the same after reading " + t);
            }
        }
        Map<String, Object> details = two.describe().details();
        assertEquals(2, details.get("models_in_memory"));
        assertTrue((Long) details.get("models_dropped_from_memory") >= 20, details.toString());
        assertTrue(store.loads.get() - loadsBefore >= 20, "models read again: " + (store.loads.get() - loadsBefore));
        assertEquals(3, all.describe().details().get("models_in_memory"));
        assertEquals(
                List.of(sensor(0), sensor(1), sensor(2)),
                two.models().stream().map(ModelInfo::sensor).toList(),
                "every stored model is listed, held or not");
        all.stop();
        two.stop();
    }

    @Test
    void aRiskAfterItsModelLeftMemoryTakesTheForecastsCalibrationWithoutReadingTheStore() {
        CountingStore store = new CountingStore();
        List<List<Reading>> series = threeTrained(store, 460, 30);
        LstmForecastingPlugin all = started(store, Map.of());
        LstmForecastingPlugin one = started(store, Map.of("lstm.models-in-memory", "1"));
        SensorState allFirst = all.openState(sensor(0), null);
        SensorState oneFirst = one.openState(sensor(0), null);
        SensorState oneSecond = one.openState(sensor(1), null);
        all.observe(allFirst, series.get(0).subList(320, 460));
        one.observe(oneFirst, series.get(0).subList(320, 460));
        one.observe(oneSecond, series.get(1).subList(320, 460));
        Forecast held = all.forecast(allFirst);
        Forecast dropped = one.forecast(oneFirst);
        one.forecast(oneSecond); // the first sensor's model leaves memory
        // A high limit on the highest interval edge of the horizon: some paths cross it, how many
        // depends on the law of the calibration errors the paths take beyond the edge.
        OperatingLimits limits = OperatingLimits.above(
                held.points().stream().mapToDouble(ForecastPoint::upper).max().orElseThrow());
        int loads = store.loads.get();

        RiskAssessment expected = all.assessRisk(held, allFirst, limits);
        RiskAssessment risk = one.assessRisk(dropped, oneFirst, limits);

        assertEquals(loads, store.loads.get(), "models read from the store for the risks");
        assertTrue(
                expected.crossingProbability() > 0 && expected.crossingProbability() < 1,
                "crossing probability " + expected.crossingProbability());
        assertEquals(expected.crossingProbability(), risk.crossingProbability());
        assertEquals(expected.timeToFailureHours(), risk.timeToFailureHours());
        assertEquals(expected.timeToFailureLowHours(), risk.timeToFailureLowHours());
        all.stop();
        one.stop();
    }

    @Test
    void aStartListsTheStoredModelsWithoutReadingThem() {
        CountingStore store = new CountingStore();
        LstmForecastingPlugin trainer = started(store, Map.of());
        for (int i = 0; i < 3; i++) {
            trainer.train(new TrainRequest(sensor(i), Series.seasonal(400, 0.3, 20 + i), QUICK));
        }
        trainer.stop();
        int loads = store.loads.get();

        LstmForecastingPlugin restarted = started(store, Map.of());
        assertEquals(loads, store.loads.get(), "no model read at start");
        assertEquals(3, restarted.models().size());
        assertTrue(restarted.models().stream().allMatch(m -> m.status() == ModelStatus.READY));
        assertEquals(0, restarted.describe().details().get("models_in_memory"));
        assertEquals(ModelStatus.READY, restarted.model(sensor(1)).orElseThrow().status());
        assertEquals(loads + 1, store.loads.get(), "read at its first use, once");
        restarted.model(sensor(1));
        assertEquals(loads + 1, store.loads.get(), "and held after");
        assertTrue(restarted.deleteModel(sensor(2)));
        assertEquals(
                List.of(sensor(0), sensor(1)),
                restarted.models().stream().map(ModelInfo::sensor).toList());
        restarted.stop();
    }

    /**
     * A model of a format the plugin does not read (stored by an earlier release) is listed as
     * needing a retraining from the start, told by the listing without reading it.
     */
    @Test
    void aModelOfAFormatThePluginDoesNotReadIsListedForRetrainingFromTheStart() {
        CountingStore store = new CountingStore();
        LstmForecastingPlugin trainer = started(store, Map.of());
        for (int i = 0; i < 2; i++) {
            trainer.train(new TrainRequest(sensor(i), Series.seasonal(400, 0.3, 40 + i), QUICK));
        }
        trainer.stop();
        StoredModel current = store.load(sensor(1)).orElseThrow();
        ModelInfo i = current.info();
        ModelInfo earlier = new ModelInfo(
                i.sensor(),
                i.modelVersion(),
                ModelCodec.OLDEST_READ - 1,
                i.interval(),
                i.intervalOffset(),
                i.horizon(),
                i.servedMethod(),
                i.sampleCount(),
                i.trainingMillis(),
                i.trainedAt(),
                i.status(),
                i.metrics());
        store.save(new StoredModel(earlier, current.bytes(), current.checksum()));
        int loads = store.loads.get();

        LstmForecastingPlugin restarted = started(store, Map.of());
        assertEquals(
                List.of(ModelStatus.READY, ModelStatus.NEEDS_RETRAINING),
                restarted.models().stream().map(ModelInfo::status).toList());
        assertEquals(loads, store.loads.get(), "told from the listing");
        restarted.stop();
    }

    /**
     * A model read from the store while a training of the same sensor replaces it: the read copy,
     * the older one, must not displace the trained one in memory (it would serve until dropped).
     */
    @Test
    void aModelReadDuringATrainingDoesNotReplaceTheTrainedOne() throws Exception {
        HeldReads store = new HeldReads();
        SensorId s = sensor(0);
        LstmForecastingPlugin first = started(store, Map.of());
        String oldVersion = first.train(new TrainRequest(s, Series.seasonal(400, 0.3, 30), QUICK))
                .modelVersion();
        first.stop();

        LstmForecastingPlugin p = started(store, Map.of());
        CompletableFuture<Optional<ModelInfo>> reading = CompletableFuture.supplyAsync(() -> p.model(s));
        assertTrue(store.read.await(60, TimeUnit.SECONDS));
        List<Reading> retrained = Series.seasonal(400, 0.3, 31);
        String newVersion = p.train(new TrainRequest(s, retrained, QUICK)).modelVersion();
        store.release.countDown();
        reading.get(60, TimeUnit.SECONDS);
        assertNotEquals(oldVersion, newVersion);
        assertEquals(newVersion, p.model(s).orElseThrow().modelVersion(), "the trained model is held");
        SensorState st = p.openState(s, null);
        p.observe(st, retrained.subList(360, 400));
        assertEquals(newVersion, p.forecast(st).modelVersion(), "and forecasts");
        p.stop();
    }

    /**
     * A forecast on request (the maintenance schedule forecasts every model) of a sensor whose model
     * is not held, with memory full, is served from a model read for it alone: the models of the
     * sensors that are reporting stay held.
     */
    @Test
    void aForecastOnRequestDoesNotPushOutTheModelsOfReportingSensors() {
        CountingStore store = new CountingStore();
        List<List<Reading>> series = threeTrained(store, 420, 50);

        LstmForecastingPlugin all = started(store, Map.of());
        LstmForecastingPlugin two = started(store, Map.of("lstm.models-in-memory", "2"));
        List<SensorState> allStates = new ArrayList<>();
        List<SensorState> twoStates = new ArrayList<>();
        for (int i : new int[] {2, 0, 1}) { // sensor 2 reports first, then 0 and 1: 2 is dropped
            allStates.add(all.openState(sensor(i), null));
            twoStates.add(two.openState(sensor(i), null));
            all.observe(allStates.get(allStates.size() - 1), series.get(i).subList(320, 400));
            two.observe(twoStates.get(twoStates.size() - 1), series.get(i).subList(320, 400));
        }
        int loads = store.loads.get();
        assertEquals(
                all.forecast(allStates.get(0)).points(),
                two.forecast(twoStates.get(0)).points(),
                "sensor 2 forecast on request as by a plugin holding it");
        assertEquals(loads + 1, store.loads.get(), "its model read for the request");
        for (int k = 1; k < 3; k++) {
            two.observe(twoStates.get(k), series.get(k == 1 ? 0 : 1).subList(400, 410));
        }
        assertEquals(loads + 1, store.loads.get(), "the reporting sensors' models were not pushed out");
        two.forecast(twoStates.get(0));
        assertEquals(loads + 2, store.loads.get(), "sensor 2's model is read again for the next request");
        assertEquals(2, two.describe().details().get("models_in_memory"));
        all.stop();
        two.stop();
    }

    /**
     * A model deleted while it is being read from the store (a delete on request while the sensor
     * reports) does not come back: neither listed nor held once the read is done.
     */
    @Test
    void aModelDeletedWhileItIsReadDoesNotComeBack() throws Exception {
        HeldReads store = new HeldReads();
        SensorId s = sensor(0);
        LstmForecastingPlugin first = started(store, Map.of());
        first.train(new TrainRequest(s, Series.seasonal(400, 0.3, 60), QUICK));
        first.stop();

        LstmForecastingPlugin p = started(store, Map.of());
        CompletableFuture<Optional<ModelInfo>> reading = CompletableFuture.supplyAsync(() -> p.model(s));
        assertTrue(store.read.await(60, TimeUnit.SECONDS));
        assertTrue(p.deleteModel(s));
        store.release.countDown();
        assertTrue(reading.get(60, TimeUnit.SECONDS).isPresent(), "the read begun before the delete is answered");
        assertEquals(List.of(), p.models(), "the deleted model is not listed again");
        assertTrue(p.model(s).isEmpty(), "nor held");
        assertEquals(0, p.describe().details().get("models_in_memory"));
        p.stop();
    }
}
