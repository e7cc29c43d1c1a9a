package io.prognos.host.dashboard;

import io.prognos.api.AnomalyScore;
import io.prognos.api.ForecastPoint;
import io.prognos.api.Reading;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorCycle;
import io.prognos.jdbc.AlertsTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows that the database does not keep: each sensor's newest reading, result
 * and anomaly scores, its recent alerts, how often its intervals held the values that came, and
 * the latest schedule. It listens to the one sensor cycle, so MQTT, the JDBC poller and REST
 * all show up here.
 *
 * <p>Bounded: at most {@code capacity} sensors, {@link #SCORES} scores and {@link #ALERTS} alerts
 * each, {@link #RECENT_ALERTS} alerts fleet-wide. A sensor at medium risk or above is dropped only
 * when every sensor followed is ({@link #follow}).
 */
public final class FleetWatch implements SensorCycle.Listener {

    /** A week of hourly scores: what the sensor view draws under the readings. */
    public static final int SCORES = 168;

    public static final int ALERTS = 20;
    public static final int RECENT_ALERTS = 100;

    /** One completed interval's anomaly score, kept small: a week of them per sensor. */
    public record ScorePoint(long atMillis, double score) {}

    /** A raise's reasons are kept to this many characters: 20 alerts of 5,000 sensors stay within about 50 MB. */
    static final int WHY_CHARS = 240;

    /**
     * One alert transition as the dashboard lists it, with what to do and, for a raise, why (the
     * risk's reasons, joined and cut at {@link #WHY_CHARS}): the list showed only "raised: high",
     * and why took a look at the sensor's own page.
     */
    public record AlertEvent(
            SensorId sensor,
            Instant at,
            String state,
            String level,
            String previousLevel,
            String recommendedAction,
            String why) {}

    /** One sensor's newest facts; a copy, safe to read while the cycle goes on. */
    public record Track(
            SensorId sensor,
            Instant lastReadingAt,
            Double lastValue,
            SensorCycle.Result result,
            List<ScorePoint> scores,
            List<AlertEvent> alerts,
            int intervalsChecked,
            int intervalsInside,
            String noForecast) {}

    private final int capacity;
    private final Map<SensorId, Mutable> sensors = new LinkedHashMap<>(16, 0.75f, true);
    private final Deque<AlertEvent> recentAlerts = new ArrayDeque<>();
    private List<ScheduleEntry> schedule = List.of();

    public FleetWatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public void readings(SensorId sensor, List<Reading> readings) {
        Reading newest = null;
        for (Reading r : readings) {
            if (newest == null || !r.timestamp().isBefore(newest.timestamp())) {
                newest = r;
            }
        }
        if (newest == null) {
            return;
        }
        synchronized (this) {
            Mutable m = follow(sensor);
            if (m.lastReadingAt == null || !newest.timestamp().isBefore(m.lastReadingAt)) {
                m.lastReadingAt = newest.timestamp();
                m.lastValue = newest.value();
            }
        }
    }

    @Override
    public void anomalies(SensorId sensor, List<AnomalyScore> scores) {
        synchronized (this) {
            Mutable m = follow(sensor);
            for (AnomalyScore s : scores) {
                m.scores.addLast(new ScorePoint(s.at().toEpochMilli(), s.score()));
                if (m.scores.size() > SCORES) {
                    m.scores.removeFirst();
                }
                m.check(s);
            }
        }
    }

    /** A forecast asked for (REST or MQTT) is the sensor's newest one here too. */
    @Override
    public void requested(SensorCycle.Result r) {
        result(r);
    }

    private static String why(List<String> reasons) {
        String all = String.join("; ", reasons);
        return all.length() <= WHY_CHARS ? all : all.substring(0, WHY_CHARS - 3) + "...";
    }

    /** Why the sensor's newest forecast is older than its readings, until one is made. */
    @Override
    public void forecastMissed(SensorId sensor, String why) {
        synchronized (this) {
            follow(sensor).noForecast = why;
        }
    }

    @Override
    public void result(SensorCycle.Result r) {
        SensorId sensor = r.forecast().sensor();
        synchronized (this) {
            Mutable m = follow(sensor);
            m.result = r;
            m.noForecast = null;
            if (r.alert() != null) {
                // Stamped with the reading the forecast started from: a replayed or late reading's
                // alert belongs at its own time on the chart, not at the moment it was processed.
                Instant at = r.risk().basedOn() != null
                        ? r.risk().basedOn()
                        : r.risk().assessedAt();
                AlertEvent e = event(
                        sensor,
                        at,
                        r.alert().state(),
                        r.risk().level(),
                        r.alert().previousLevel(),
                        r.risk().recommendedAction(),
                        r.alert().state().equals("raised") ? why(r.risk().reasons()) : null);
                list(m, e);
            }
        }
    }

    /**
     * An alert closed by a request, at the newest interval its sensor was assessed on: in the fleet's
     * list, and in the sensor's own when the dashboard follows it (a retired sensor is not followed
     * again for it).
     */
    @Override
    public void alertClosed(SensorCycle.ClosedAlert c) {
        AlertEvent e = event(c);
        synchronized (this) {
            list(sensors.get(c.sensor()), e);
        }
    }

    /** Lists an alert in the sensor's list ({@code m} null: not followed) and the fleet's. */
    private void list(Mutable m, AlertEvent e) {
        if (m != null) {
            m.alerts.addLast(e);
            if (m.alerts.size() > ALERTS) {
                m.alerts.removeFirst();
            }
        }
        recentAlerts.addFirst(e);
        if (recentAlerts.size() > RECENT_ALERTS) {
            recentAlerts.removeLast();
        }
    }

    /** A stored alert as the dashboard lists it. */
    public static AlertEvent event(AlertsTable.Stored a) {
        return event(
                a.sensor(),
                a.basedOn(),
                a.state(),
                a.level(),
                a.previousLevel(),
                a.recommendedAction(),
                a.state().equals("raised") ? why(a.reasons()) : a.note());
    }

    /** A close as listed: at the newest interval its sensor was assessed on, why its request's note. */
    public static AlertEvent event(SensorCycle.ClosedAlert c) {
        return event(c.sensor(), c.at(), "closed", c.level(), c.level(), null, c.note());
    }

    /**
     * An alert transition as listed; why: for a raise the risk's reasons, for a close its request's
     * note, for a clear none.
     */
    private static AlertEvent event(
            SensorId sensor,
            Instant at,
            String state,
            RiskLevel level,
            RiskLevel previous,
            String recommendedAction,
            String why) {
        return new AlertEvent(
                sensor,
                at,
                state,
                level.wireName(),
                previous == null ? null : previous.wireName(),
                recommendedAction,
                why);
    }

    /**
     * The fleet's alerts from before a restart (stored), newest first, listed after those since:
     * the list started empty at each restart, an alert raised an hour before it gone from view.
     */
    public synchronized void restoreRecentAlerts(List<AlertEvent> older) {
        for (AlertEvent e : older) {
            if (recentAlerts.size() >= RECENT_ALERTS) {
                break;
            }
            recentAlerts.addLast(e);
        }
    }

    /**
     * What a restarted host showed for a sensor before, read back from the database: its newest
     * result and scores (oldest first). Taken only for a sensor nothing has been heard of since the
     * start (what has been is newer) and while there is room: a restored sensor never pushes out one
     * that reports. Its last reading stays unknown until the next one (the newest result's reading
     * need not be the newest reading: a sensor may report without being forecast), and its
     * coverage starts afresh (it is counted from what this host sees). {@code alerts}: its stored
     * ones, oldest first.
     *
     * @return whether it was taken
     */
    public synchronized boolean restore(SensorCycle.Result r, List<AnomalyScore> scores, List<AlertEvent> alerts) {
        SensorId sensor = r.forecast().sensor();
        if (sensors.containsKey(sensor) || sensors.size() >= capacity) {
            return false;
        }
        Mutable m = follow(sensor);
        m.result = r;
        for (AlertEvent e : alerts.subList(Math.max(0, alerts.size() - ALERTS), alerts.size())) {
            m.alerts.addLast(e);
        }
        for (AnomalyScore s : scores) {
            m.scores.addLast(new ScorePoint(s.at().toEpochMilli(), s.score()));
            if (m.scores.size() > SCORES) {
                m.scores.removeFirst();
            }
        }
        return true;
    }

    @Override
    public synchronized void schedule(List<ScheduleEntry> entries) {
        schedule = List.copyOf(entries);
    }

    /**
     * Every sensor's newest facts, without their scores and alerts (empty here): the fleet view
     * asks every 2 s, and 5,000 sensors' histories are 840,000 scores to copy.
     */
    public synchronized List<Track> tracks() {
        List<Track> out = new ArrayList<>(sensors.size());
        sensors.values().forEach(m -> out.add(m.copy(false)));
        return out;
    }

    /** One sensor with its history; null when it is not followed. */
    public synchronized Track track(SensorId sensor) {
        Mutable m = sensors.get(sensor);
        return m == null ? null : m.copy(true);
    }

    public synchronized List<AlertEvent> recentAlerts() {
        return List.copyOf(recentAlerts);
    }

    public synchronized List<ScheduleEntry> schedule() {
        return schedule;
    }

    private Mutable follow(SensorId sensor) {
        Mutable m = sensors.get(sensor);
        if (m == null) {
            m = new Mutable(sensor);
            sensors.put(sensor, m);
            if (sensors.size() > capacity) {
                drop(m);
            }
        }
        return m;
    }

    /**
     * Drops the least recently updated sensor, other than {@code newcomer}, whose newest risk is below
     * medium (or not yet known); the least recently updated of all only when every other one is at
     * medium or above. Least recently
     * updated alone dropped a sensor at high risk that reports hourly among more sensors than the
     * capacity that report every minute: the fleet view then showed it at no level at all.
     */
    private void drop(Mutable newcomer) {
        Iterator<Mutable> it = sensors.values().iterator();
        while (it.hasNext()) {
            Mutable m = it.next();
            if (m != newcomer && (m.result == null || m.result.risk().level().compareTo(RiskLevel.MEDIUM) < 0)) {
                it.remove();
                return;
            }
        }
        sensors.remove(sensors.keySet().iterator().next());
    }

    private static final class Mutable {
        final SensorId sensor;
        Instant lastReadingAt;
        Double lastValue;
        SensorCycle.Result result;
        final Deque<ScorePoint> scores = new ArrayDeque<>();
        final Deque<AlertEvent> alerts = new ArrayDeque<>();
        int checked;
        int inside;
        String noForecast;

        Mutable(SensorId sensor) {
            this.sensor = sensor;
        }

        /**
         * Coverage so far: a completed interval whose end matches a point of the newest forecast
         * (within half the forecast's step) counts as inside or outside that point's interval. The
         * interval's value is the one the anomaly score judged, i.e. the value the model forecast.
         */
        void check(AnomalyScore s) {
            if (result == null) {
                return;
            }
            List<ForecastPoint> points = result.forecast().points();
            long half = Math.max(1, result.forecast().interval().toMillis() / 2);
            for (ForecastPoint p : points) {
                if (Math.abs(Duration.between(p.timestamp(), s.at()).toMillis()) <= half) {
                    checked++;
                    if (p.contains(s.value())) {
                        inside++;
                    }
                    return;
                }
            }
        }

        Track copy(boolean withHistory) {
            return new Track(
                    sensor,
                    lastReadingAt,
                    lastValue,
                    result,
                    withHistory ? List.copyOf(scores) : List.of(),
                    withHistory ? List.copyOf(alerts) : List.of(),
                    checked,
                    inside,
                    noForecast);
        }
    }
}
