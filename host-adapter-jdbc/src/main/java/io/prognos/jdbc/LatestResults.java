package io.prognos.jdbc;

import io.prognos.api.AnomalyScore;
import io.prognos.api.ForecastPoint;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Reads back what {@link ResultsWriter} wrote last for each of some sensors: the newest risk, the
 * forecast it was drawn from and the newest anomaly scores, for a host that restarts to show what
 * it showed before (its dashboard kept them in memory only and was blank until each sensor's next
 * reading). Three queries for all the sensors, each a walk down the tables' primary keys per sensor,
 * never a scan of their history.
 */
public final class LatestResults {

    /** A forecast as stored: what the forecasts table keeps of it. */
    public record StoredForecast(
            Instant issuedAt,
            Instant lastObserved,
            double coverage,
            String method,
            String modelVersion,
            List<ForecastPoint> points) {}

    /** A sensor's newest stored results; {@code forecast} null when its rows are gone, {@code scores} oldest first. */
    public record Newest(RiskAssessment risk, StoredForecast forecast, List<AnomalyScore> scores) {}

    private final DataSource ds;
    private final String schema;
    private final Runnable ready;

    LatestResults(DataSource ds, String schema, Runnable ready) {
        this.ds = ds;
        this.schema = Migrations.quote(schema);
        this.ready = ready;
    }

    /**
     * The newest results of each of {@code sensors} that has a risk stored with the fields this
     * release writes (rows of a release before them are passed over), with at most {@code scoresEach}
     * anomaly scores.
     */
    public Map<SensorId, Newest> read(List<SensorId> sensors, int scoresEach) {
        if (sensors.isEmpty()) {
            return Map.of();
        }
        ready.run();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            Map<SensorId, RiskAssessment> risks = new LinkedHashMap<>();
            Map<SensorId, Instant> basedOn = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(SensorRows.newest(
                    schema,
                    "risk_assessments",
                    "t.assessed_at, t.score, t.level, t.time_to_failure_hours, t.time_to_failure_low_hours,"
                            + " t.time_to_failure_high_hours, t.crossing_probability, t.anomaly_score, t.deviation_rate,"
                            + " t.limits_configured, t.act_by, t.recommended_action, t.reasons, t.based_on,"
                            + " t.last_reading_at",
                    "t.based_on DESC, t.assessed_at DESC",
                    "1"))) {
                SensorRows.bind(c, ps, sensors);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getTimestamp("act_by") == null
                                || rs.getTimestamp("last_reading_at") == null
                                || rs.getObject("anomaly_score") == null) {
                            continue;
                        }
                        SensorId s = SensorId.of(rs.getString(1), rs.getString(2));
                        risks.put(s, risk(s, rs));
                        basedOn.put(s, rs.getTimestamp("based_on").toInstant());
                    }
                }
            }
            Map<SensorId, StoredForecast> forecasts = forecasts(c, basedOn);
            Map<SensorId, List<AnomalyScore>> scores = scores(c, sensors, scoresEach);
            Map<SensorId, Newest> out = new LinkedHashMap<>();
            risks.forEach((s, r) -> out.put(s, new Newest(r, forecasts.get(s), scores.getOrDefault(s, List.of()))));
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the newest results of " + sensors.size() + " sensors", e);
        }
    }

    /**
     * The reading each of {@code sensors}' newest stored assessment was based on (one walk down the
     * primary key a sensor; a sensor without one left out): long past for a sensor that stopped
     * reporting.
     */
    public Map<SensorId, Instant> newestBasedOn(List<SensorId> sensors) {
        Map<SensorId, Instant> out = new HashMap<>();
        if (sensors.isEmpty()) {
            return out;
        }
        ready.run();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(
                    SensorRows.newest(schema, "risk_assessments", "t.based_on", "t.based_on DESC", "1"))) {
                SensorRows.bind(c, ps, sensors);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(
                                SensorId.of(rs.getString(1), rs.getString(2)),
                                rs.getTimestamp(3).toInstant());
                    }
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the newest assessments of " + sensors.size() + " sensors", e);
        }
        return out;
    }

    private static RiskLevel level(String wire) {
        return RiskLevel.valueOf(wire.toUpperCase(Locale.ROOT));
    }

    /**
     * The {@code limit} of {@code sensors} at the highest newest risk (its level, then its score),
     * riskiest first, then those without a stored risk: which to show first when there are more
     * sensors than room.
     */
    public List<SensorId> riskiest(List<SensorId> sensors, int limit) {
        if (sensors.isEmpty() || limit < 1) {
            return List.of();
        }
        ready.run();
        record Ranked(SensorId sensor, int level, int score) {}
        List<Ranked> ranked = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(SensorRows.newest(
                    schema, "risk_assessments", "t.level, t.score", "t.based_on DESC, t.assessed_at DESC", "1"))) {
                SensorRows.bind(c, ps, sensors);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        RiskLevel level = level(rs.getString(3));
                        ranked.add(new Ranked(
                                SensorId.of(rs.getString(1), rs.getString(2)), level.ordinal(), rs.getInt(4)));
                    }
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("ranking " + sensors.size() + " sensors by their newest risk", e);
        }
        ranked.sort(Comparator.comparingInt(Ranked::level)
                .thenComparingInt(Ranked::score)
                .reversed());
        Set<SensorId> out = new LinkedHashSet<>();
        for (Ranked r : ranked) {
            if (out.size() >= limit) {
                break;
            }
            out.add(r.sensor());
        }
        for (SensorId s : sensors) {
            if (out.size() >= limit) {
                break;
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static RiskAssessment risk(SensorId s, ResultSet rs) throws SQLException {
        Array reasons = rs.getArray("reasons");
        return new RiskAssessment(
                s,
                rs.getTimestamp("assessed_at").toInstant(),
                rs.getTimestamp("last_reading_at").toInstant(),
                rs.getInt("score"),
                level(rs.getString("level")),
                NullableDoubles.get(rs, "time_to_failure_hours"),
                NullableDoubles.get(rs, "time_to_failure_low_hours"),
                NullableDoubles.get(rs, "time_to_failure_high_hours"),
                rs.getDouble("crossing_probability"),
                rs.getDouble("anomaly_score"),
                rs.getDouble("deviation_rate"),
                rs.getBoolean("limits_configured"),
                rs.getTimestamp("act_by").toInstant(),
                rs.getString("recommended_action"),
                Arrays.asList((String[]) reasons.getArray()));
    }

    private Map<SensorId, StoredForecast> forecasts(Connection c, Map<SensorId, Instant> basedOn) throws SQLException {
        Map<SensorId, List<ForecastPoint>> points = new LinkedHashMap<>();
        Map<SensorId, StoredForecast> heads = new HashMap<>();
        if (basedOn.isEmpty()) {
            return Map.of();
        }
        List<SensorId> sensors = new ArrayList<>(basedOn.keySet());
        try (PreparedStatement ps = c.prepareStatement("SELECT f.device_id, f.sensor_key, f.issued_at, f.target_time,"
                + " f.steps_ahead, f.value, f.lower_bound, f.upper_bound, f.coverage, f.method, f.model_version,"
                + " f.based_on FROM unnest(?::text[], ?::text[], ?::timestamptz[]) AS s(device_id, sensor_key, based_on)"
                + " JOIN " + schema + ".forecasts f ON f.device_id = s.device_id AND f.sensor_key = s.sensor_key"
                + " AND f.based_on = s.based_on ORDER BY f.device_id, f.sensor_key, f.steps_ahead")) {
            SensorRows.bind(c, ps, sensors);
            ps.setArray(
                    3,
                    c.createArrayOf(
                            "timestamptz",
                            sensors.stream()
                                    .map(s -> Timestamp.from(basedOn.get(s)))
                                    .toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SensorId s = SensorId.of(rs.getString(1), rs.getString(2));
                    points.computeIfAbsent(s, k -> new ArrayList<>())
                            .add(new ForecastPoint(
                                    rs.getTimestamp("target_time").toInstant(),
                                    rs.getInt("steps_ahead"),
                                    rs.getDouble("value"),
                                    rs.getDouble("lower_bound"),
                                    rs.getDouble("upper_bound")));
                    heads.putIfAbsent(
                            s,
                            new StoredForecast(
                                    rs.getTimestamp("issued_at").toInstant(),
                                    rs.getTimestamp("based_on").toInstant(),
                                    rs.getDouble("coverage"),
                                    rs.getString("method"),
                                    rs.getString("model_version"),
                                    List.of()));
                }
            }
        }
        Map<SensorId, StoredForecast> out = new HashMap<>();
        points.forEach((s, p) -> {
            StoredForecast h = heads.get(s);
            out.put(
                    s,
                    new StoredForecast(h.issuedAt(), h.lastObserved(), h.coverage(), h.method(), h.modelVersion(), p));
        });
        return out;
    }

    private Map<SensorId, List<AnomalyScore>> scores(Connection c, List<SensorId> sensors, int each)
            throws SQLException {
        Map<SensorId, List<AnomalyScore>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SensorRows.newest(
                schema,
                "anomaly_scores",
                "t.interval_start, t.scored_at, t.value, t.score, t.surprise, t.shift, t.novelty, t.reason",
                "t.interval_start DESC",
                "?"))) {
            SensorRows.bind(c, ps, sensors);
            ps.setInt(3, each);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SensorId s = SensorId.of(rs.getString(1), rs.getString(2));
                    out.computeIfAbsent(s, k -> new ArrayList<>())
                            .add(new AnomalyScore(
                                    s,
                                    rs.getTimestamp("interval_start").toInstant(),
                                    rs.getTimestamp("scored_at").toInstant(),
                                    rs.getDouble("value"),
                                    rs.getDouble("score"),
                                    rs.getDouble("surprise"),
                                    rs.getDouble("shift"),
                                    rs.getDouble("novelty"),
                                    rs.getString("reason")));
                }
            }
        }
        out.values().forEach(list -> list.sort((a, b) -> a.intervalStart().compareTo(b.intervalStart())));
        return out;
    }
}
