package io.prognos.jdbc;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import io.prognos.host.core.SensorCycle;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Writes forecasts, risk assessments and schedules with idempotent upserts keyed by their natural
 * keys, so that a retry after a failure never duplicates a row.
 */
public final class ResultsWriter {

    private final DataSource ds;
    private final String schema;
    private final Runnable ready;
    // Built once: the schema is fixed for the writer's life.
    private final String forecastSql;
    private final String riskSql;
    private final String anomalySql;
    private final AlertsTable alerts;

    public ResultsWriter(DataSource ds, String schema, Runnable ready) {
        this(ds, schema, ready, new AlertsTable(ds, schema, ready));
    }

    ResultsWriter(DataSource ds, String schema, Runnable ready, AlertsTable alerts) {
        this.ds = ds;
        this.schema = Migrations.quote(schema);
        this.ready = ready;
        this.forecastSql = forecastSql(this.schema);
        this.riskSql = riskSql(this.schema);
        this.anomalySql = anomalySql(this.schema);
        this.alerts = alerts;
    }

    private static String forecastSql(String schema) {
        return "INSERT INTO " + schema + ".forecasts (device_id, sensor_key, issued_at, target_time, steps_ahead,"
                + " value, lower_bound, upper_bound, coverage, method, model_version, based_on)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (device_id, sensor_key, based_on, target_time) DO UPDATE SET"
                + " issued_at = EXCLUDED.issued_at, steps_ahead = EXCLUDED.steps_ahead, value = EXCLUDED.value, lower_bound = EXCLUDED.lower_bound,"
                + " upper_bound = EXCLUDED.upper_bound, coverage = EXCLUDED.coverage, method = EXCLUDED.method,"
                + " model_version = EXCLUDED.model_version";
    }

    private static void addForecast(PreparedStatement ps, Forecast f) throws SQLException {
        for (ForecastPoint p : f.points()) {
            ps.setString(1, f.sensor().deviceId());
            ps.setString(2, f.sensor().sensorKey());
            ps.setTimestamp(3, Timestamp.from(f.issuedAt()));
            ps.setTimestamp(4, Timestamp.from(p.timestamp()));
            ps.setInt(5, p.stepsAhead());
            ps.setDouble(6, p.value());
            ps.setDouble(7, p.lower());
            ps.setDouble(8, p.upper());
            ps.setDouble(9, f.coverage());
            ps.setString(10, f.method());
            ps.setString(11, f.modelVersion());
            ps.setTimestamp(12, Timestamp.from(f.lastObserved()));
            ps.addBatch();
        }
    }

    /** A forecast and the risk drawn from it, both keyed by the reading the forecast starts from. */
    public void write(Forecast f, RiskAssessment a) {
        write(List.of(new Assessed(f, a)), List.of());
    }

    private static String riskSql(String schema) {
        return "INSERT INTO " + schema + ".risk_assessments (device_id, sensor_key, assessed_at, score, level,"
                + " time_to_failure_hours, crossing_probability, deviation_rate, limits_configured, recommended_action,"
                + " reasons, based_on, time_to_failure_low_hours, time_to_failure_high_hours, anomaly_score, act_by,"
                + " last_reading_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (device_id, sensor_key, based_on) DO UPDATE SET assessed_at = EXCLUDED.assessed_at,"
                + " score = EXCLUDED.score, level = EXCLUDED.level, time_to_failure_hours = EXCLUDED.time_to_failure_hours,"
                + " crossing_probability = EXCLUDED.crossing_probability, deviation_rate = EXCLUDED.deviation_rate,"
                + " limits_configured = EXCLUDED.limits_configured, recommended_action = EXCLUDED.recommended_action,"
                + " reasons = EXCLUDED.reasons, time_to_failure_low_hours = EXCLUDED.time_to_failure_low_hours,"
                + " time_to_failure_high_hours = EXCLUDED.time_to_failure_high_hours,"
                + " anomaly_score = EXCLUDED.anomaly_score, act_by = EXCLUDED.act_by,"
                + " last_reading_at = EXCLUDED.last_reading_at";
    }

    /** {@code basedOn}: the last observed interval of the forecast the assessment was made from. */
    public void write(RiskAssessment a, Instant basedOn) {
        inTransaction("writing the risk of " + a.sensor(), c -> {
            try (PreparedStatement ps = c.prepareStatement(riskSql)) {
                addRisk(c, ps, a, basedOn);
                ps.executeBatch();
            }
        });
    }

    private static void addRisk(Connection c, PreparedStatement ps, RiskAssessment a, Instant basedOn)
            throws SQLException {
        ps.setString(1, a.sensor().deviceId());
        ps.setString(2, a.sensor().sensorKey());
        ps.setTimestamp(3, Timestamp.from(a.assessedAt()));
        ps.setInt(4, a.score());
        ps.setString(5, a.level().wireName());
        NullableDoubles.set(ps, 6, a.timeToFailureHours());
        ps.setDouble(7, a.crossingProbability());
        ps.setDouble(8, a.deviationRate());
        ps.setBoolean(9, a.limitsConfigured());
        ps.setString(10, a.recommendedAction());
        ps.setArray(11, c.createArrayOf("text", a.reasons().toArray()));
        ps.setTimestamp(12, Timestamp.from(basedOn));
        NullableDoubles.set(ps, 13, a.timeToFailureLowHours());
        NullableDoubles.set(ps, 14, a.timeToFailureHighHours());
        ps.setDouble(15, a.anomalyScore());
        ps.setTimestamp(16, Timestamp.from(a.actBy()));
        ps.setTimestamp(17, Timestamp.from(a.basedOn()));
        ps.addBatch();
    }

    private static String anomalySql(String schema) {
        return "INSERT INTO " + schema + ".anomaly_scores (device_id, sensor_key, interval_start, scored_at, value,"
                + " score, surprise, shift, novelty, reason) VALUES (?,?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (device_id, sensor_key, interval_start) DO UPDATE SET scored_at = EXCLUDED.scored_at,"
                + " value = EXCLUDED.value, score = EXCLUDED.score, surprise = EXCLUDED.surprise,"
                + " shift = EXCLUDED.shift, novelty = EXCLUDED.novelty, reason = EXCLUDED.reason";
    }

    /** Anomaly scores, one row per scored interval; a repeat of an interval replaces its row. */
    public void write(List<AnomalyScore> scores) {
        write(List.of(), scores);
    }

    private static void addAnomaly(PreparedStatement ps, AnomalyScore s) throws SQLException {
        ps.setString(1, s.sensor().deviceId());
        ps.setString(2, s.sensor().sensorKey());
        ps.setTimestamp(3, Timestamp.from(s.intervalStart()));
        ps.setTimestamp(4, Timestamp.from(s.at()));
        ps.setDouble(5, s.value());
        ps.setDouble(6, s.score());
        ps.setDouble(7, s.surprise());
        ps.setDouble(8, s.shift());
        ps.setDouble(9, s.novelty());
        ps.setString(10, s.reason());
        ps.addBatch();
    }

    /** A forecast and the risk drawn from it. */
    public record Assessed(Forecast forecast, RiskAssessment risk) {}

    /** A result of the sensor cycle: its forecast, its risk and the alert it raised or cleared, if any. */
    public void write(SensorCycle.Result r) {
        AlertsTable.Row alert = AlertsTable.Row.of(r);
        write(List.of(new Assessed(r.forecast(), r.risk())), List.of(), alert == null ? List.of() : List.of(alert));
    }

    /** Alerts raised or cleared; a repeat of one (its id) is written once. */
    public void writeAlerts(List<AlertsTable.Row> alerts) {
        write(List.of(), List.of(), alerts);
    }

    /**
     * Forecasts with their risks and anomaly scores of many sensors in one transaction: one commit
     * (one fsync) for all of them instead of two or three per reading, which capped a Kafka host
     * that stores what it makes at about 1,000 readings/s.
     */
    public void write(List<Assessed> batch, List<AnomalyScore> scoreBatch) {
        write(batch, scoreBatch, List.of());
    }

    /**
     * As above, with alerts. Not keyed by the interval as the forecasts are: two results of one
     * interval (readings more frequent than the model's interval) keep one forecast, the newer, but
     * an alert the older raised is kept too.
     */
    public void write(List<Assessed> batch, List<AnomalyScore> scoreBatch, List<AlertsTable.Row> alertBatch) {
        if (batch.isEmpty() && scoreBatch.isEmpty() && alertBatch.isEmpty()) {
            return;
        }
        // One row per key, the newest winning as it would in separate upserts: a multi-row upsert
        // may not touch a row twice.
        Map<List<Object>, Assessed> byKey = new LinkedHashMap<>();
        for (Assessed a : batch) {
            byKey.put(List.of(a.forecast().sensor(), a.forecast().lastObserved()), a);
        }
        Map<List<Object>, AnomalyScore> scoreByKey = new LinkedHashMap<>();
        for (AnomalyScore s : scoreBatch) {
            scoreByKey.put(List.of(s.sensor(), s.intervalStart()), s);
        }
        List<Assessed> assessed = List.copyOf(byKey.values());
        List<AnomalyScore> scores = List.copyOf(scoreByKey.values());
        String what = "writing " + assessed.size() + " forecasts and " + scores.size() + " anomaly scores"
                + (alertBatch.isEmpty() ? "" : " and " + alertBatch.size() + " alerts");
        inTransaction(what, c -> {
            if (!assessed.isEmpty()) {
                try (PreparedStatement forecasts = c.prepareStatement(forecastSql);
                        PreparedStatement risks = c.prepareStatement(riskSql)) {
                    for (Assessed a : assessed) {
                        addForecast(forecasts, a.forecast());
                        addRisk(c, risks, a.risk(), a.forecast().lastObserved());
                    }
                    forecasts.executeBatch();
                    risks.executeBatch();
                }
            }
            if (!scores.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(anomalySql)) {
                    for (AnomalyScore s : scores) {
                        addAnomaly(ps, s);
                    }
                    ps.executeBatch();
                }
            }
            alerts.insert(c, alertBatch);
        });
    }

    public void write(Instant generatedAt, List<ScheduleEntry> schedule) {
        String sql = "INSERT INTO " + schema + ".maintenance_schedule (generated_at, priority, device_id, sensor_key,"
                + " level, score, time_to_failure_hours, act_by, recommended_action) VALUES (?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (generated_at, priority) DO UPDATE SET device_id = EXCLUDED.device_id,"
                + " sensor_key = EXCLUDED.sensor_key, level = EXCLUDED.level, score = EXCLUDED.score,"
                + " time_to_failure_hours = EXCLUDED.time_to_failure_hours, act_by = EXCLUDED.act_by,"
                + " recommended_action = EXCLUDED.recommended_action";
        inTransaction("writing the maintenance schedule", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (ScheduleEntry e : schedule) {
                    ps.setTimestamp(1, Timestamp.from(generatedAt));
                    ps.setInt(2, e.priority());
                    ps.setString(3, e.deviceId());
                    ps.setString(4, e.worstSensor().sensorKey());
                    ps.setString(5, e.level().wireName());
                    ps.setInt(6, e.score());
                    NullableDoubles.set(ps, 7, e.timeToFailureHours());
                    ps.setTimestamp(8, Timestamp.from(e.actBy()));
                    ps.setString(9, e.recommendedAction());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(String what, Work work) {
        ready.run();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }
}
