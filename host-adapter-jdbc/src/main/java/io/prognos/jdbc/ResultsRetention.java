package io.prognos.jdbc;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Deletes results older than {@code jdbc.results-retention}, by the time of the readings they are
 * about (as a time-series database's retention counts, and the dashboard's time axes), so that the
 * results tables of a plant that runs for years stop growing: about 300,000 forecast rows
 * a day for 1,000 sensors at an hourly interval. What a sensor's current state is read from stays
 * whatever its age, so that a sensor that went quiet keeps its last word and an open alert goes on
 * across a restart: its newest risk and the forecast that risk was drawn from, its newest alert, and
 * while that alert is a raised one, the risk rows from it on (they say when the hold that clears it
 * began). The newest maintenance schedule stays too. Anomaly scores go by age alone.
 */
final class ResultsRetention implements RetentionRuns.Pruner {

    /**
     * Arbitrary but fixed, with the schema's name: the advisory lock under which results are deleted
     * ({@link ChunkedDeletion}), the same on every host sharing the schema.
     */
    static final int LOCK_CLASS = 0x50524554;

    private final Runnable ready;
    private final Duration retention;
    private final ChunkedDeletion deletion;
    private final Map<String, String> deletes = new LinkedHashMap<>();

    ResultsRetention(DataSource ds, String schema, Runnable ready, Duration retention) {
        this.ready = ready;
        this.retention = retention;
        this.deletion = new ChunkedDeletion(ds, LOCK_CLASS, schema);
        String s = Migrations.quote(schema);
        String sameSensor = " WHERE x.device_id = t.device_id AND x.sensor_key = t.sensor_key";
        String newestRisk = "(SELECT max(x.based_on) FROM " + s + ".risk_assessments x" + sameSensor + ")";
        // The interval of the sensor's newest alert when it is a raised one, else none.
        String openSince = "(SELECT CASE WHEN x.state = 'raised' THEN x.based_on END FROM " + s + ".alerts x"
                + sameSensor + " ORDER BY x.based_on DESC, x.assessed_at DESC LIMIT 1)";
        deletes.put(
                "forecasts",
                ChunkedDeletion.statement(s + ".forecasts", "t.based_on < ? AND t.based_on < " + newestRisk));
        deletes.put(
                "risk_assessments",
                ChunkedDeletion.statement(
                        s + ".risk_assessments",
                        "t.based_on < ? AND t.based_on < " + newestRisk + " AND (" + openSince
                                + " IS NULL OR t.based_on < " + openSince + ")"));
        deletes.put(
                "alerts",
                ChunkedDeletion.statement(
                        s + ".alerts",
                        "t.based_on < ? AND t.alert_id <> (SELECT x.alert_id FROM " + s + ".alerts x" + sameSensor
                                + " ORDER BY x.based_on DESC, x.assessed_at DESC LIMIT 1)"));
        deletes.put("anomaly_scores", ChunkedDeletion.statement(s + ".anomaly_scores", "t.interval_start < ?"));
        // A schedule is about the time it was made.
        deletes.put(
                "maintenance_schedule",
                ChunkedDeletion.statement(
                        s + ".maintenance_schedule",
                        "t.generated_at < ? AND t.generated_at < (SELECT max(generated_at) FROM " + s
                                + ".maintenance_schedule)"));
    }

    /** Deletes what is older than the retention at {@code now}. */
    @Override
    public RetentionRuns.Pruned prune(Instant now) {
        return pruneBefore(now.minus(retention));
    }

    /**
     * Deletes the rows about readings before {@code cutoff} but those kept for a sensor's current
     * state; stops at a table where another host is deleting.
     */
    RetentionRuns.Pruned pruneBefore(Instant cutoff) {
        ready.run();
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (Map.Entry<String, String> d : deletes.entrySet()) {
            ChunkedDeletion.Deleted rows = deletion.run(
                    "deleting " + d.getKey() + " rows before " + cutoff,
                    d.getValue(),
                    ps -> ps.setTimestamp(1, Timestamp.from(cutoff)));
            deleted.put(d.getKey(), rows.rows());
            if (rows.elsewhere()) {
                return new RetentionRuns.Pruned(deleted, true);
            }
        }
        return new RetentionRuns.Pruned(deleted, false);
    }
}
