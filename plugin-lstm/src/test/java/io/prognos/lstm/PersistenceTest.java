package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Models survive a restart, damaged ones are reported instead of crashing, and the store's faults surface. */
class PersistenceTest {

    private static final SensorId SENSOR = SensorId.of("press-1", "oil_temp");
    private final List<Reading> history = Series.seasonal(400, 0.3, 5);

    private static LstmForecastingPlugin started(ModelStore store, int trainingJobs) {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        p.start(new PluginContext(Map.of(), new ThreadLimits(trainingJobs, 1), store, Clock.systemUTC()));
        return p;
    }

    /**
     * A plant changes lstm.horizon from 12 to 24 and restarts: each stored model serves as trained
     * (12 steps) until trained again, and the log says so once, not once per model and not never.
     */
    @Test
    void aStoredModelTrainedWithOtherSettingsServesAsTrainedAndSaysSoOnce() throws Exception {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        SensorId other = SensorId.of("press-2", "oil_temp");
        first.train(new TrainRequest(SENSOR, history));
        first.train(new TrainRequest(other, history));
        first.stop();

        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger(SettingsDrift.class);
        log.addAppender(logged);
        LstmForecastingPlugin second = new LstmForecastingPlugin();
        try {
            second.start(
                    new PluginContext(Map.of("lstm.horizon", "24"), new ThreadLimits(1, 1), store, Clock.systemUTC()));
            for (SensorId s : List.of(SENSOR, other)) {
                SensorState state = second.openState(s, null);
                second.observe(state, history.subList(history.size() - 40, history.size()));
                assertEquals(12, second.forecast(state).points().size(), "served as trained");
            }
        } finally {
            log.detachAppender(logged);
            second.stop();
        }
        List<String> said =
                logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("serves as it was trained, with lstm.horizon 12 (configured 24)"), said.get(0));
        assertTrue(
                SettingsDrift.differences(
                                LstmSettings.defaults(),
                                ModelCodec.decode(
                                        store.load(SENSOR).orElseThrow().bytes()))
                        .isEmpty(),
                "nothing to say at the settings it was trained with");
    }

    @Test
    void aRestartedPluginLoadsStoredModelsAndForecastsIdentically() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        ModelInfo trained = first.train(new TrainRequest(SENSOR, history));
        List<Reading> recent = history.subList(history.size() - 60, history.size());
        SensorState kept = first.openState(SENSOR, null);
        List<AnomalyScore> scoredBefore = first.observe(kept, recent).scores();
        Forecast before = first.forecast(kept);
        byte[] state = kept.toBytes();
        first.stop();

        StoredModel stored = store.load(SENSOR).orElseThrow();
        assertTrue(stored.size() <= 32 * 1024, "stored model is " + stored.size() + " bytes");
        assertEquals(ModelCodec.checksum(stored.bytes()), stored.checksum());

        LstmForecastingPlugin second = started(store, 1);
        assertEquals(trained.modelVersion(), second.model(SENSOR).orElseThrow().modelVersion());
        SensorState warmed = second.openState(SENSOR, null);
        assertEquals(
                scoredBefore,
                second.observe(warmed, recent).scores(),
                "the same anomaly scores, the shape novelty included, from the same readings");
        assertEquals(before.points(), second.forecast(warmed).points(), "the same model from the same readings");
        SensorState restored = second.openState(SENSOR, state);
        assertEquals(
                before.points(), second.forecast(restored).points(), "and the saved state carries on where it was");
        double bias = ((LstmSensorState) kept).centreBias.mean();
        assertTrue(bias != 0, "the last 30 of 60 intervals scored: the risk's centre correction is known");
        assertEquals(bias, ((LstmSensorState) restored).centreBias.mean(), "and kept with the state");
        second.stop();
    }

    /**
     * An upgrade keeps what the earlier releases stored: their models and sensor states, written by
     * those releases and kept under previous-release/ (model format 4 with state format 5; 5 with
     * 6; 6, the last one-head model, with 6: all three made the same forecasts from the same
     * readings; 7, the last before the grid's shift, with 7; 8, the last without the in-sample
     * naive MAE, with 9; 9, the last without training options, with 9), load and forecast exactly
     * as they did (a model of format 9 or earlier as trained without options),
     * and go on learning as they did over 60 more readings (the aggregation's weights and the
     * interval experts carry on).
     */
    @Test
    void modelsAndStatesOfEarlierReleasesForecastAsThoseReleasesDid() throws Exception {
        Map<String, List<String>> expected = new HashMap<>();
        for (String line : new String(resource("forecasts.txt"), StandardCharsets.UTF_8).split("\n")) {
            expected.computeIfAbsent(line.substring(0, line.indexOf(' ')), k -> new ArrayList<>())
                    .add(line.substring(line.indexOf(' ') + 1));
        }
        String[][] releases = {
            {"4", "state-format-5.bin", ""},
            {"5", "state-format-6.bin", ""},
            {"6", "state-format-6-model-6.bin", ""},
            {"7", "state-format-7.bin", "-7"},
            {"8", "state-format-8.bin", "-8"},
            {"9", "state-format-9-model-9.bin", "-9"}
        };
        for (String[] release : releases) {
            int modelFormat = Integer.parseInt(release[0]);
            byte[] model = resource("model-format-" + modelFormat + ".bin");
            byte[] saved = resource(release[1]);
            assertEquals(modelFormat, ByteBuffer.wrap(model).getInt(4), "the fixture's model format");
            assertEquals(
                    modelFormat >= 8 ? 9 : modelFormat == 7 ? 7 : Math.min(modelFormat + 1, 6),
                    ByteBuffer.wrap(saved).getInt(4),
                    "the fixture's state format");
            // A model of an earlier format has no in-sample naive MAE, so no MASE to list.
            assertEquals(
                    modelFormat >= 9,
                    ModelCodec.decode(model).info(ModelStatus.READY).metrics().containsKey("mase"),
                    "model format " + modelFormat);
            assertEquals(
                    Map.of(),
                    ModelCodec.decode(model).info(ModelStatus.READY).trainOptions(),
                    "model format " + modelFormat);
            String saw = "saved" + release[2];
            String after = "after" + release[2];
            InMemoryModelStore store = new InMemoryModelStore();
            store.save(new StoredModel(
                    ModelCodec.decode(model).info(ModelStatus.READY), model, ModelCodec.checksum(model)));
            LstmForecastingPlugin upgraded = started(store, 1);
            try {
                assertEquals(
                        ModelStatus.READY, upgraded.model(SENSOR).orElseThrow().status());
                SensorState s = upgraded.openState(SENSOR, saved);
                String name = "model format " + modelFormat;
                assertEquals(expected.get(saw), lines(upgraded.forecast(s)), name);
                // The readings after those the fixture's state had seen: the release generated them
                // with Series.seasonal(460, 0.3, 5), trained on the first 400 and warmed the state
                // with 360-400.
                upgraded.observe(s, Series.seasonal(460, 0.3, 5).subList(400, 460));
                assertEquals(expected.get(after), lines(upgraded.forecast(s)), name);
                assertEquals(
                        expected.get(after),
                        lines(upgraded.forecast(upgraded.openState(SENSOR, s.toBytes()))),
                        "saved again in this release's format, the state forecasts the same (" + name + ")");
            } finally {
                upgraded.stop();
            }
        }
    }

    /**
     * A model keeps the options it was trained with, through the store and a restart, for a host
     * that trains the sensor again to repeat them ({@link ModelInfo#trainOptions}).
     */
    @Test
    void aModelKeepsItsTrainingOptionsAcrossARestart() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        Map<String, String> options = Map.of("forecast_horizon", "6", "sequence_length", "24", "epochs", "2");
        ModelInfo trained = first.train(new TrainRequest(SENSOR, history, options));
        assertEquals(options, trained.trainOptions());
        assertEquals(6, trained.horizon(), "and it was trained with them");
        assertEquals(Map.of(), first.train(new TrainRequest(other(), history)).trainOptions());
        first.stop();

        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger(SettingsDrift.class);
        log.addAppender(logged);
        LstmForecastingPlugin second = started(store, 1);
        try {
            assertEquals(options, second.model(SENSOR).orElseThrow().trainOptions(), "read back from its bytes");
            assertEquals(
                    List.of(),
                    logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
                    "it serves and is trained again with its options: no drift from the configuration to tell");
            assertEquals(
                    options,
                    second.models().stream()
                            .filter(m -> m.sensor().equals(SENSOR))
                            .findFirst()
                            .orElseThrow()
                            .trainOptions(),
                    "and listed");
            assertEquals(Map.of(), second.model(other()).orElseThrow().trainOptions());
        } finally {
            log.detachAppender(logged);
            second.stop();
        }
    }

    /**
     * A model's options are compared with the configuration as its retraining takes them: those the
     * plugin still takes (the host leaves out the others), not none as soon as one is refused.
     */
    @Test
    void driftIsToldUnderTheOptionsTheRetrainingKeeps() {
        LstmSettings retrained = SettingsDrift.asRetrained(
                LstmSettings.defaults(), Map.of("forecast_horizon", "6", "epochs", "-3", "dropout", "0.2"));
        assertEquals(6, retrained.horizon());
        assertEquals(LstmSettings.defaults().epochs(), retrained.epochs());
    }

    private static SensorId other() {
        return SensorId.of("press-2", "oil_temp");
    }

    private static List<String> lines(Forecast f) {
        List<String> out = new ArrayList<>();
        for (ForecastPoint p : f.points()) {
            out.add(p.stepsAhead() + " " + p.value() + " " + p.lower() + " " + p.upper());
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PersistenceTest.class.getResourceAsStream("/previous-release/" + name)) {
            assertNotNull(in, "test resource previous-release/" + name);
            return in.readAllBytes();
        }
    }

    /** A store holding the model of {@link #SENSOR} as a plugin trained and stopped left it. */
    private InMemoryModelStore storeWithATrainedModel() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin first = started(store, 1);
        first.train(new TrainRequest(SENSOR, history));
        first.stop();
        return store;
    }

    @Test
    void aCorruptStoredModelIsMarkedForRetrainingAndNeverCrashesStart() {
        InMemoryModelStore store = storeWithATrainedModel();
        store.save(LstmPluginTest.corrupt(store.load(SENSOR).orElseThrow()));

        LstmForecastingPlugin second = started(store, 1);
        assertEquals(
                ModelStatus.NEEDS_RETRAINING, second.model(SENSOR).orElseThrow().status());
        var e = assertThrows(BadRequestException.class, () -> second.forecast(second.openState(SENSOR, null)));
        assertTrue(e.getMessage().contains("train it again"), e.getMessage());
        second.train(new TrainRequest(SENSOR, history));
        assertEquals(ModelStatus.READY, second.model(SENSOR).orElseThrow().status());
        second.stop();
    }

    @Test
    void aModelOfAnEarlierFormatIsToldApartFromADamagedOneAndRetrained() {
        InMemoryModelStore store = storeWithATrainedModel();
        StoredModel current = store.load(SENSOR).orElseThrow();
        byte[] earlier = current.bytes().clone();
        ByteBuffer.wrap(earlier).putInt(4, ModelCodec.OLDEST_READ - 1);
        var outdated = assertThrows(ModelCodec.CorruptModelException.class, () -> ModelCodec.decode(earlier));
        assertInstanceOf(ModelCodec.OutdatedModelException.class, outdated);
        assertTrue(outdated.getMessage().contains("earlier version of the plugin"), outdated.getMessage());
        byte[] later = current.bytes().clone();
        ByteBuffer.wrap(later).putInt(4, ModelCodec.FORMAT_VERSION + 1);
        var unknown = assertThrows(ModelCodec.CorruptModelException.class, () -> ModelCodec.decode(later));
        assertFalse(unknown instanceof ModelCodec.OutdatedModelException, unknown.getMessage());
        var damaged = assertThrows(
                ModelCodec.CorruptModelException.class,
                () -> ModelCodec.decode(LstmPluginTest.corrupt(current).bytes()));
        assertFalse(damaged instanceof ModelCodec.OutdatedModelException, damaged.getMessage());

        store.save(new StoredModel(current.info(), earlier, ModelCodec.checksum(earlier)));
        LstmForecastingPlugin second = started(store, 1);
        assertEquals(
                ModelStatus.NEEDS_RETRAINING, second.model(SENSOR).orElseThrow().status());
        second.train(new TrainRequest(SENSOR, history));
        assertEquals(ModelStatus.READY, second.model(SENSOR).orElseThrow().status());
        second.stop();
    }

    @Test
    void aStoredModelWithAnImplausibleSizeIsMarkedCorruptInsteadOfAllocatingIt() throws Exception {
        StoredModel current = storeWithATrainedModel().load(SENSOR).orElseThrow();
        int count = ModelCodec.decode(current.bytes()).parameters().length;
        // The same count at the computed offset decodes: the offset is the parameters' length.
        assertEquals(
                count,
                ModelCodec.decode(withParameterCount(current.bytes(), count)).parameters().length);
        // With a valid checksum a reader trusting the length would try to allocate 4 GB here.
        var huge = assertThrows(
                ModelCodec.CorruptModelException.class,
                () -> ModelCodec.decode(withParameterCount(current.bytes(), 1 << 30)));
        assertTrue(huge.getMessage().contains("implausible size 1073741824"), huge.getMessage());
        assertThrows(
                ModelCodec.CorruptModelException.class,
                () -> ModelCodec.decode(withParameterCount(current.bytes(), count + 1)));
    }

    /** The model's bytes with the network's parameter count replaced and the checksum made valid again. */
    private static byte[] withParameterCount(byte[] model, int n) {
        byte[] b = model.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        int at = 8; // magic, format version
        for (int i = 0; i < 3; i++) {
            at += 2 + buf.getShort(at); // device, sensor key, model version: writeUTF's length, then the bytes
        }
        // trained at, interval, sequence length, horizon, units, coverage, seasonal steps, context, scaler, damped
        // trend
        at += 8 + 8 + 4 + 4 + 4 + 8 + 4 + 4 + 3 * 8 + 3 * 8;
        buf.putInt(at, n);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        buf.putLong(b.length - 8, crc.getValue());
        return b;
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
        assertEquals(
                v1.modelVersion(), backing.load(SENSOR).orElseThrow().info().modelVersion());
        p.stop();
    }

    @Test
    void aSensorWithoutAModelDoesNotCostAStoreLookupPerReading() {
        int[] loads = {0};
        ForwardingModelStore counting = new ForwardingModelStore() {
            @Override
            public Optional<StoredModel> load(SensorId sensor) {
                loads[0]++;
                return super.load(sensor);
            }
        };
        LstmForecastingPlugin p = started(counting, 1);
        for (int reading = 0; reading < 100; reading++) {
            assertTrue(p.model(SENSOR).isEmpty());
        }
        assertEquals(1, loads[0], "store lookups for 100 readings of a sensor still collecting its history");
        ModelInfo trained = p.train(new TrainRequest(SENSOR, history));
        assertEquals(
                trained.modelVersion(),
                p.model(SENSOR).orElseThrow().modelVersion(),
                "a model trained here is seen at once");
        p.stop();
    }

    @Test
    void trainingTheSameSensorTwiceAtOnceIsRetryLater() throws Exception {
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        boolean[] block = {false};
        ModelStore slow = new ForwardingModelStore() {
            @Override
            public void save(StoredModel m) {
                if (!block[0]) {
                    super.save(m);
                    return;
                }
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
        ModelInfo serving = p.train(new TrainRequest(SENSOR, history));
        block[0] = true;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<ModelInfo> first = pool.submit(() -> p.train(new TrainRequest(SENSOR, history)));
            assertTrue(saving.await(120, TimeUnit.SECONDS));
            var e = assertThrows(RetryLaterException.class, () -> p.train(new TrainRequest(SENSOR, history)));
            assertEquals(RetryLaterException.Reason.MODEL_BUSY, e.reason());
            ModelInfo during = p.model(SENSOR).orElseThrow();
            assertEquals(ModelStatus.TRAINING, during.status(), "the retraining is still saving");
            assertEquals(serving.modelVersion(), during.modelVersion(), "the old model serves meanwhile");
            release.countDown();
            assertNotEquals(
                    serving.modelVersion(), first.get(120, TimeUnit.SECONDS).modelVersion());
            assertEquals(ModelStatus.READY, p.model(SENSOR).orElseThrow().status());
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
