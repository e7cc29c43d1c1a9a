package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Hosts that share a model store (one database behind several hosts) serve the model the store
 * holds: one trained or deleted by another host replaces or ends the one held in memory.
 */
class SharedModelStoreTest {

    private static final Map<String, String> QUICK = Map.of("epochs", "2", "patience", "1");
    private static final SensorId PRESS = SensorId.of("press-1", "oil_temp");

    private static LstmForecastingPlugin started(ModelStore store) {
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        p.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), store, Clock.systemUTC()));
        return p;
    }

    /** The sensor's state on {@code host}, fed the series' readings 320-399 and forecast with {@code version}. */
    private static SensorState servedBy(LstmForecastingPlugin host, List<Reading> series, String version) {
        SensorState state = host.openState(PRESS, null);
        host.observe(state, series.subList(320, 400));
        assertEquals(version, host.forecast(state).modelVersion(), "served the stored model");
        return state;
    }

    @Test
    void aModelTrainedOrDeletedByAnotherHostReplacesOrEndsTheOneHeld() {
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin a = started(store);
        LstmForecastingPlugin b = started(store);
        List<Reading> series = Series.seasonal(420, 0.3, 70);
        String first =
                a.train(new TrainRequest(PRESS, series.subList(0, 400), QUICK)).modelVersion();
        SensorState state = servedBy(b, series, first);

        String second = a.train(new TrainRequest(PRESS, Series.seasonal(400, 0.3, 71), QUICK))
                .modelVersion();
        assertNotEquals(first, second);
        assertEquals(second, b.forecast(state).modelVersion(), "b serves the model a trained since");
        b.observe(state, series.subList(400, 410));
        assertEquals(second, b.forecast(state).modelVersion(), "and goes on with it");
        assertEquals(
                List.of(second),
                b.models().stream().map(ModelInfo::modelVersion).toList());

        assertTrue(a.deleteModel(PRESS));
        assertEquals(List.of(), b.models(), "a model deleted by a is no longer listed by b");
        assertTrue(b.model(PRESS).isEmpty());
        assertThrows(UnknownSensorException.class, () -> b.forecast(state), "nor served");
        a.stop();
        b.stop();
    }

    /** A store over {@code shared} that counts the models read whole from it. */
    private static class CountingStore extends ForwardingModelStore {
        final AtomicInteger loads = new AtomicInteger();

        CountingStore(InMemoryModelStore shared) {
            super(shared);
        }

        @Override
        public Optional<StoredModel> load(SensorId sensor) {
            loads.incrementAndGet();
            return super.load(sensor);
        }
    }

    /** A store whose watch tells nothing until the test calls {@code told[0]} (a watch lost for a while). */
    private static CountingStore silentWatch(InMemoryModelStore shared, ModelStore.ChangeListener[] told) {
        return new CountingStore(shared) {
            @Override
            public Watch watch(ChangeListener listener) {
                told[0] = listener;
                return () -> {};
            }
        };
    }

    @Test
    void aChangeToAModelThisHostDoesNotHoldIsListedFromItsMetadataWithoutReadingTheModel() {
        InMemoryModelStore shared = new InMemoryModelStore();
        CountingStore counted = new CountingStore(shared);
        LstmForecastingPlugin a = started(shared);
        LstmForecastingPlugin b = started(counted);
        String first = a.train(new TrainRequest(PRESS, Series.seasonal(400, 0.3, 75), QUICK))
                .modelVersion();
        assertEquals(
                List.of(first), b.models().stream().map(ModelInfo::modelVersion).toList());
        String second = a.train(new TrainRequest(PRESS, Series.seasonal(400, 0.3, 76), QUICK))
                .modelVersion();
        assertEquals(
                List.of(second),
                b.models().stream().map(ModelInfo::modelVersion).toList());
        assertTrue(a.deleteModel(PRESS));
        assertEquals(List.of(), b.models());
        assertEquals(0, counted.loads.get(), "b serves no reading of the sensor: it read none of its models");
        a.stop();
        b.stop();
    }

    @Test
    void afterChangesWereMissedOnlyTheHeldModelsThatChangedAreReadAgain() {
        InMemoryModelStore shared = new InMemoryModelStore();
        ModelStore.ChangeListener[] told = new ModelStore.ChangeListener[1];
        CountingStore silent = silentWatch(shared, told);
        LstmForecastingPlugin a = started(shared);
        LstmForecastingPlugin b = started(silent);
        List<Reading> series = Series.seasonal(420, 0.3, 77);
        SensorId other = SensorId.of("press-2", "oil_temp");
        String first =
                a.train(new TrainRequest(PRESS, series.subList(0, 400), QUICK)).modelVersion();
        String kept =
                a.train(new TrainRequest(other, series.subList(0, 400), QUICK)).modelVersion();
        SensorState state = servedBy(b, series, first);
        SensorState otherState = b.openState(other, null);
        b.observe(otherState, series.subList(320, 400));
        assertEquals(kept, b.forecast(otherState).modelVersion());
        assertEquals(2, silent.loads.get(), "each model read once");
        String second = a.train(new TrainRequest(PRESS, Series.seasonal(400, 0.3, 78), QUICK))
                .modelVersion();

        told[0].changesMissed();
        assertEquals(kept, b.forecast(otherState).modelVersion());
        assertEquals(2, silent.loads.get(), "the unchanged model is still held");
        assertEquals(second, b.forecast(state).modelVersion(), "the changed one is let go and read again");
        assertEquals(3, silent.loads.get());
        a.stop();
        b.stop();
    }

    /** A store whose watch was lost for a while: the plugin lets go of what changed and lists the store again. */
    @Test
    void afterChangesWereMissedThePluginListsAndReadsTheStoreAgain() {
        InMemoryModelStore shared = new InMemoryModelStore();
        ModelStore.ChangeListener[] told = new ModelStore.ChangeListener[1];
        CountingStore silent = silentWatch(shared, told);
        LstmForecastingPlugin a = started(shared);
        LstmForecastingPlugin b = started(silent);
        List<Reading> series = Series.seasonal(420, 0.3, 72);
        String first =
                a.train(new TrainRequest(PRESS, series.subList(0, 400), QUICK)).modelVersion();
        SensorState state = servedBy(b, series, first);
        SensorId other = SensorId.of("press-2", "oil_temp");
        a.train(new TrainRequest(other, Series.seasonal(400, 0.3, 73), QUICK));
        String second = a.train(new TrainRequest(PRESS, Series.seasonal(400, 0.3, 74), QUICK))
                .modelVersion();
        assertEquals(first, b.forecast(state).modelVersion(), "untold, b still serves what it holds");

        told[0].changesMissed();
        assertEquals(second, b.forecast(state).modelVersion());
        assertEquals(
                List.of(PRESS, other),
                b.models().stream().map(ModelInfo::sensor).toList(),
                "the store listed again");
        a.stop();
        b.stop();
    }
}
