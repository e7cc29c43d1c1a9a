package io.prognos.host.core;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several listeners of one cycle (an MQTT publisher, a database writer, a Kafka producer), added as
 * the drivers start. A listener that throws is logged and the others still hear: a failing
 * publisher must not stop results from being stored.
 */
public final class CycleListeners implements SensorCycle.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(CycleListeners.class);

    private final List<SensorCycle.Listener> listeners = new CopyOnWriteArrayList<>();
    /** Per listener and call, the kind of its last failure told; gone once that call succeeds. */
    private final Map<Failing, FailureKind> failing = new ConcurrentHashMap<>();

    /** A listener's call ({@code readings}, {@code result}, ...). */
    private record Failing(SensorCycle.Listener listener, String call) {}

    public CycleListeners add(SensorCycle.Listener l) {
        listeners.add(l);
        return this;
    }

    public void remove(SensorCycle.Listener l) {
        listeners.remove(l);
    }

    /**
     * Calls each listener; one that throws is logged with its trace once while the same failure
     * repeats ({@link FailureKind}), and again once it changes or the call succeeded since. It was
     * logged at every call: a listener failing on every result wrote a trace per reading.
     */
    private void each(String what, Consumer<SensorCycle.Listener> call) {
        for (SensorCycle.Listener l : listeners) {
            try {
                call.accept(l);
                if (!failing.isEmpty()) {
                    failing.remove(new Failing(l, what));
                }
            } catch (RuntimeException e) {
                FailureKind kind = FailureKind.of(e);
                if (kind.equals(failing.put(new Failing(l, what), kind))) {
                    LOG.debug("{} listener {} failed again: {}", what, name(l), e.toString());
                } else {
                    LOG.error("{} listener {} failed (told once while it repeats)", what, name(l), e);
                }
            }
        }
    }

    /** A listener's class as a log names it (an anonymous one has no simple name). */
    private static String name(SensorCycle.Listener l) {
        String simple = l.getClass().getSimpleName();
        return simple.isEmpty() ? l.getClass().getName() : simple;
    }

    @Override
    public void readings(SensorId sensor, List<Reading> readings) {
        each("readings", l -> l.readings(sensor, readings));
    }

    @Override
    public void anomalies(SensorId sensor, List<AnomalyScore> scores) {
        each("anomalies", l -> l.anomalies(sensor, scores));
    }

    @Override
    public void result(SensorCycle.Result result) {
        each("result", l -> l.result(result));
    }

    @Override
    public void requested(SensorCycle.Result result) {
        each("requested", l -> l.requested(result));
    }

    @Override
    public void alertClosed(SensorCycle.ClosedAlert closed) {
        each("alertClosed", l -> l.alertClosed(closed));
    }

    @Override
    public void schedule(List<ScheduleEntry> schedule) {
        each("schedule", l -> l.schedule(schedule));
    }

    @Override
    public void forecastMissed(SensorId sensor, String why) {
        each("forecastMissed", l -> l.forecastMissed(sensor, why));
    }

    /** Syncs every listener; if one has not stored everything yet, says so after the others synced. */
    @Override
    public void sync() {
        RetryLaterException notDurable = null;
        for (SensorCycle.Listener l : listeners) {
            try {
                l.sync();
            } catch (RetryLaterException e) {
                notDurable = notDurable == null ? e : notDurable;
            } catch (RuntimeException e) {
                LOG.error("sync listener {} failed", name(l), e);
            }
        }
        if (notDurable != null) {
            throw notDurable;
        }
    }
}
