package io.prognos.jdbc;

import io.prognos.api.BadRequestException;
import io.prognos.api.ConfigProblem;
import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.ReadingList;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.Timestamps;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a sensor's readings with a configurable query. The query returns columns {@code ts}
 * (a timestamp, or an epoch number in seconds, milliseconds, microseconds or nanoseconds, told
 * apart by size as in payloads) and {@code value}, and may use the named parameters {@code
 * :device_id}, {@code :sensor_key}, {@code :from}, {@code :to} (timestamptz), {@code :from_ms},
 * {@code :to_ms} (epoch milliseconds) and {@code :from_s}, {@code :to_s} (epoch seconds). Long
 * histories stream in pages of {@code fetchSize} rows inside a read-only transaction.
 */
public final class ReadingsSource {

    /** The default table {@code sensor_readings(device_id text, sensor_key text, ts timestamptz, value double precision)}. */
    public static final String DEFAULT_QUERY = "SELECT ts, value FROM sensor_readings "
            + "WHERE device_id = :device_id AND sensor_key = :sensor_key AND ts >= :from AND ts < :to ORDER BY ts";

    public static final String DEFAULT_PAIRS_QUERY = "SELECT DISTINCT device_id, sensor_key FROM sensor_readings";

    /** ThingsBoard's {@code ts_kv}: keys through {@code ts_kv_dictionary}, ts in epoch ms, numbers in dbl_v or long_v. */
    public static final String THINGSBOARD_QUERY = "SELECT kv.ts AS ts, COALESCE(kv.dbl_v, kv.long_v) AS value "
            + "FROM ts_kv kv JOIN ts_kv_dictionary d ON d.key_id = kv.key "
            + "WHERE kv.entity_id = CAST(:device_id AS uuid) AND d.key = :sensor_key "
            + "AND kv.ts >= :from_ms AND kv.ts < :to_ms AND COALESCE(kv.dbl_v, kv.long_v) IS NOT NULL ORDER BY kv.ts";

    public static final String THINGSBOARD_PAIRS_QUERY = "SELECT DISTINCT CAST(kv.entity_id AS text) AS device_id, "
            + "d.key AS sensor_key FROM ts_kv kv JOIN ts_kv_dictionary d ON d.key_id = kv.key "
            + "WHERE kv.dbl_v IS NOT NULL OR kv.long_v IS NOT NULL";

    private static final Set<String> PARAMETERS =
            Set.of("device_id", "sensor_key", "from", "to", "from_ms", "to_ms", "from_s", "to_s");

    private static final Logger LOG = LoggerFactory.getLogger(ReadingsSource.class);
    /** The newest time among skipped rows that have none: before every real one. */
    private static final Instant NO_TIME = Instant.MIN;

    /**
     * The most readings a training's history holds, its newest (80 MB as a {@link ReadingList}): the
     * LSTM plugin trains on at most two million intervals, one reading each at a sensor's detected
     * interval (its median spacing), so twice that leaves what it uses as it was. Thirty days of a
     * one-second sensor (2.6 million readings) are read whole as before; thirty days of a 10 Hz one
     * (26 million, 520 MB) ran any usual heap out, where the plugin would have taken 2.3 days of them.
     */
    public static final int MAX_TRAINING_READINGS = 4_000_000;

    private final DataSource ds;
    private final String querySql; // as configured
    private final NamedSql query;
    private final String pairsQuery;
    private final int fetchSize;
    /** Per sensor, the newest unusable row reported: a row is read again by every training, but reported once. */
    private final Map<SensorId, Instant> reported = new ConcurrentHashMap<>();

    public ReadingsSource(DataSource ds, String query, String pairsQuery, int fetchSize) {
        this.ds = ds;
        this.querySql = query;
        this.query = NamedSql.parse(query);
        for (String p : this.query.order()) {
            if (!PARAMETERS.contains(p)) {
                throw new BadRequestException(
                        "jdbc.readings-query",
                        "unknown parameter :" + p + " in the readings" + " query; known parameters are " + PARAMETERS);
            }
        }
        this.pairsQuery = pairsQuery;
        this.fetchSize = fetchSize;
    }

    /**
     * The problems of a plant's own queries that the database can tell before any is run: one it
     * cannot parse or plan (a table or column it does not have, a syntax error, no right to read:
     * SQLState class 42), or whose result lacks a column this reads. For a host to call at start,
     * once the tables it creates exist, so that such a query is not found at the first training (a
     * 500 there). The default queries are the host's own, on a table it creates, and are not
     * checked. A database that does not answer says nothing here.
     */
    public List<ConfigProblem> check() {
        List<ConfigProblem> out = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            if (!querySql.equals(DEFAULT_QUERY)) {
                describe(c, query.jdbcSql(), "jdbc.readings-query", List.of("ts", "value"))
                        .ifPresent(out::add);
            }
            if (!pairsQuery.equals(DEFAULT_PAIRS_QUERY)) {
                describe(c, pairsQuery, "jdbc.sensors-query", List.of("device_id", "sensor_key"))
                        .ifPresent(out::add);
            }
        } catch (SQLException e) {
            LOG.debug("the readings queries were not checked: {}", e.getMessage());
        }
        return out;
    }

    private static Optional<ConfigProblem> describe(Connection c, String sql, String key, List<String> columns)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            // PostgreSQL parses and plans it and describes its result without running it.
            ResultSetMetaData md = ps.getMetaData();
            List<String> returned = new ArrayList<>();
            for (int i = 1; md != null && i <= md.getColumnCount(); i++) {
                returned.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
            }
            if (!returned.containsAll(columns)) {
                return Optional.of(new ConfigProblem(
                        key, "returns the columns " + returned + "; it must return " + String.join(" and ", columns)));
            }
            return Optional.empty();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
                return Optional.of(new ConfigProblem(
                        key, "the database cannot run it (SQLState " + e.getSQLState() + "): " + e.getMessage()));
            }
            throw e;
        }
    }

    /** Readings of {@code sensor} with from <= ts < to, oldest first. */
    public List<Reading> read(SensorId sensor, Instant from, Instant to) {
        return read(sensor, from, to, query.jdbcSql(), true, Integer.MAX_VALUE);
    }

    /**
     * The newest {@code limit} readings of {@code sensor} with from <= ts < to, oldest first, picked
     * by the database: a sensor view of a week of a one-second sensor read its 604,800 readings at
     * every refresh of the dashboard (each 2 s) to draw the newest 2,000. A table that keeps its
     * times as text (which does not sort as time) is read whole.
     */
    public List<Reading> newest(SensorId sensor, Instant from, Instant to, int limit) {
        List<Reading> picked = newestPicked(sensor, from, to, limit);
        if (picked != null) {
            return picked;
        }
        List<Reading> all = read(sensor, from, to);
        return all.subList(Math.max(0, all.size() - limit), all.size());
    }

    /**
     * A training's history, or what a sensor's context starts from: its readings of the {@code
     * span} before {@code to} or, when there are some but fewer than {@code atLeast} (the fewest a
     * training needs), its newest {@code count} before {@code to} however old. A sensor that reports
     * once a day has 30 readings in the 30 days a training read ({@code prognos.history}) where 65
     * are needed: its year of stored readings was never trained on ("send more history"), and after
     * a restart it waited 23 days for a forecast. A sensor with none in the span is silent, not
     * slow: its old readings are not taken (a forecast from them would be of times long past). A
     * table that keeps its times as text gives the span only (its newest would be read whole).
     */
    public List<Reading> recentOrNewest(SensorId sensor, Instant to, Duration span, int atLeast, int count) {
        return recentOrNewest(sensor, to, span, atLeast, count, MAX_TRAINING_READINGS);
    }

    /** As {@link #recentOrNewest(SensorId, Instant, Duration, int, int)}, keeping the newest {@code max} of the span. */
    public List<Reading> recentOrNewest(SensorId sensor, Instant to, Duration span, int atLeast, int count, int max) {
        return orOlder(sensor, to, read(sensor, to.minus(span), to, query.jdbcSql(), true, max), atLeast, count);
    }

    /**
     * What a sensor's context starts from: as {@link #recentOrNewest}, but only the newest {@code
     * count} of the span, picked by the database (a context keeps no more). Read whole, a week of a
     * one-second sensor was 604,800 rows at its first reading after a restart: 3.7 s by hand, with
     * the reading waiting.
     */
    public List<Reading> newestOfSpan(SensorId sensor, Instant to, Duration span, int atLeast, int count) {
        return orOlder(sensor, to, newest(sensor, to.minus(span), to, count), atLeast, count);
    }

    /**
     * What a sensor's context starts from (the host's warm-up and the database poller's, one way):
     * the newest {@code count} of the span, as {@link #newestOfSpan}; when those span fewer
     * intervals of the sensor's {@code model} (null: none, or unknown) than a fresh state needs
     * before its first forecast, {@code atLeast} or the model's {@link ModelInfo#contextIntervals()}
     * whichever is more, the readings back to that many, of which the context keeps its newest and
     * its state is warmed with all. An hourly model of a one-second sensor: the newest 2,048 are 34
     * minutes, and it waited 30 hours for a forecast after each start; a ten-second sensor's model
     * that looks back a day (its seasonal candidates) waited 21 hours with a week stored. Back
     * beyond the span too (its newest readings are in the span: the sensor reports): a model of
     * two-minute readings with a weekly season looks back 5,670 intervals, and with the span of a
     * week it waited 21 hours after each start, 21 days stored.
     */
    public List<Reading> forContext(
            SensorId sensor, Instant to, Duration span, int atLeast, int count, Supplier<ModelInfo> model) {
        List<Reading> newest = newestOfSpan(sensor, to, span, atLeast, count);
        ModelInfo m = newest.isEmpty() || newest.size() < count ? null : model.get();
        if (m == null || m.interval().isZero()) {
            return newest;
        }
        Duration needed = m.interval().multipliedBy(Math.max(atLeast, m.contextIntervals()));
        Instant from = newest.get(newest.size() - 1).timestamp().minus(needed);
        if (!newest.get(0).timestamp().isAfter(from)) {
            return newest;
        }
        return read(sensor, from, to);
    }

    /** {@code recent}, or the newest {@code count} before {@code to} when it holds some but fewer than {@code atLeast}. */
    private List<Reading> orOlder(SensorId sensor, Instant to, List<Reading> recent, int atLeast, int count) {
        if (recent.isEmpty() || recent.size() >= atLeast || recent.size() >= count) {
            return recent;
        }
        List<Reading> newest = newestPicked(sensor, Instant.EPOCH, to, count);
        return newest == null || newest.size() <= recent.size() ? recent : newest;
    }

    /** The newest {@code limit} readings within from <= ts < to, oldest first; null when the times are text. */
    private List<Reading> newestPicked(SensorId sensor, Instant from, Instant to, int limit) {
        List<Reading> newestFirst = read(
                sensor,
                from,
                to,
                "SELECT q.ts, q.value FROM (\n" + withoutTrailingSemicolons(query.jdbcSql())
                        + "\n) q WHERE q.value IS NOT NULL ORDER BY q.ts DESC LIMIT " + limit,
                false,
                Integer.MAX_VALUE);
        if (newestFirst == null) {
            return null;
        }
        List<Reading> out = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    /**
     * The query as a subquery takes it: a plant's query may end in a semicolon, which the driver
     * takes at the end of a statement and the server refuses inside parentheses (the new lines
     * around it end a closing {@code --} comment).
     */
    private static String withoutTrailingSemicolons(String sql) {
        String t = sql.strip();
        while (t.endsWith(";")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t;
    }

    /**
     * The rows of {@code sql} (the readings query, or one around it) that are readings within from
     * <= ts < to, in its order; null when {@code textTimesToo} is false and its times are text.
     */
    private List<Reading> read(SensorId sensor, Instant from, Instant to, String sql, boolean textTimesToo, int max) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(fetchSize);
                for (int i = 0; i < query.order().size(); i++) {
                    bind(ps, i + 1, query.order().get(i), sensor, from, to);
                }
                ReadingList.Builder out = max == Integer.MAX_VALUE ? ReadingList.builder() : ReadingList.newest(max);
                Unusable unusable = new Unusable();
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int tsColumn = rs.findColumn("ts");
                    TimeColumn kind = TimeColumn.of(md.getColumnType(tsColumn));
                    if (kind == TimeColumn.TEXT && !textTimesToo) {
                        c.commit();
                        return null;
                    }
                    int valueColumn = rs.findColumn("value");
                    while (rs.next()) {
                        double v;
                        try {
                            v = rs.getDouble(valueColumn);
                        } catch (SQLException e) {
                            if (!SqlErrors.isDataException(e)) {
                                throw e;
                            }
                            // A text column's word ("ON", "n/a"): not a reading, as a NULL is not.
                            // It failed the read, and the poller's run at this sensor.
                            unusable.add(timestamp(rs, tsColumn, kind));
                            continue;
                        }
                        if (rs.wasNull()) {
                            continue; // a row without a number is not a reading (ThingsBoard's text keys)
                        }
                        Instant ts = timestamp(rs, tsColumn, kind);
                        if (ts == null || !Reading.usable(v)) {
                            // The plugin would refuse the whole batch (and, in a training's
                            // history, the sensor's model for as long as the row is in it), and a
                            // missing time threw: this sensor and every one after it in the run.
                            unusable.add(ts);
                            continue;
                        }
                        if (ts.isBefore(from) || !ts.isBefore(to)) {
                            continue; // :from_s and :to_s bound whole seconds around the window
                        }
                        out.add(ts, v);
                    }
                }
                c.commit();
                report(sensor, unusable);
                if (out.dropped() > 0) {
                    LOG.info(
                            "{}: {} readings from {} to {}; a training takes the newest {}",
                            sensor,
                            out.dropped() + out.size(),
                            from,
                            to,
                            out.size());
                }
                return out.build();
            } catch (SQLException | RuntimeException | Error e) {
                // Any failure ends the transaction: left open (out of heap while reading, say), the
                // read-only switch below failed "in the middle of a transaction" and its SQLException
                // hid the failure, an OutOfMemoryError answered as a database error.
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            } finally {
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading " + sensor, e);
        }
    }

    /** Every (device, sensor) pair that has readings. */
    public List<SensorId> sensors() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(pairsQuery);
                ResultSet rs = ps.executeQuery()) {
            List<SensorId> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new SensorId(rs.getString("device_id"), rs.getString("sensor_key")));
            }
            out.sort(null);
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("listing sensors", e);
        }
    }

    /** Rows skipped by one read: how many, and the newest time among them. */
    private static final class Unusable {
        int count;
        Instant newest = NO_TIME;

        void add(Instant ts) {
            count++;
            if (ts != null && ts.isAfter(newest)) {
                newest = ts;
            }
        }
    }

    private void report(SensorId sensor, Unusable u) {
        if (u.count == 0) {
            return;
        }
        Instant before = reported.get(sensor);
        if (before != null && !u.newest.isAfter(before)) {
            return; // the same rows, read again
        }
        reported.put(sensor, u.newest);
        LOG.warn(
                "{}: skipped {} row(s) of the readings table that are not readings (a NaN, infinite or huge value"
                        + " beyond +-" + Reading.MAX_MAGNITUDE + ", a text value that is no number, or no"
                        + " time, a text time that is none or a negative epoch time){}; the sensor goes on with its"
                        + " other readings: fix or remove them at the source",
                sensor,
                u.count,
                u.newest.equals(NO_TIME) ? "" : ", the newest at " + u.newest);
    }

    /** How a result's {@code ts} column holds its time. */
    private enum TimeColumn {
        TIMESTAMP,
        EPOCH,
        TEXT;

        static TimeColumn of(int sqlType) {
            if (isEpochNumber(sqlType)) {
                return EPOCH;
            }
            return switch (sqlType) {
                case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR -> TEXT;
                default -> TIMESTAMP;
            };
        }
    }

    /**
     * A row's time; null when it has none, a negative epoch number, or text that is no time. An
     * epoch number was read as milliseconds (ThingsBoard's unit), so a table in Unix seconds gave
     * readings of January 1970. Text is read as payloads' and CSV files' timestamps are (ISO-8601
     * with a space or a T, an epoch number; one without a zone is UTC, as in a CSV file, every row
     * being alike): the driver read only its own format, and an ISO "T...Z" failed the read.
     */
    private static Instant timestamp(ResultSet rs, int column, TimeColumn kind) throws SQLException {
        if (kind == TimeColumn.TEXT) {
            String text = rs.getString(column);
            if (text == null) {
                return null;
            }
            try {
                return Timestamps.parse(text, true);
            } catch (DateTimeException | IllegalArgumentException | ArithmeticException e) {
                return null;
            }
        }
        if (kind == TimeColumn.EPOCH) {
            BigDecimal v = rs.getBigDecimal(column);
            if (v == null || v.signum() < 0) {
                return null;
            }
            try {
                return Timestamps.epoch(v);
            } catch (ArithmeticException | DateTimeException e) {
                return null; // beyond any time an Instant holds
            }
        }
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static boolean isEpochNumber(int sqlType) {
        return switch (sqlType) {
            case Types.BIGINT,
                    Types.INTEGER,
                    Types.SMALLINT,
                    Types.NUMERIC,
                    Types.DECIMAL,
                    Types.DOUBLE,
                    Types.FLOAT,
                    Types.REAL -> true;
            default -> false;
        };
    }

    private static void bind(PreparedStatement ps, int index, String name, SensorId s, Instant from, Instant to)
            throws SQLException {
        switch (name) {
            case "device_id" -> ps.setString(index, s.deviceId());
            case "sensor_key" -> ps.setString(index, s.sensorKey());
            case "from" -> ps.setTimestamp(index, Timestamp.from(from));
            case "to" -> ps.setTimestamp(index, Timestamp.from(to));
            case "from_ms" -> ps.setLong(index, from.toEpochMilli());
            case "to_ms" -> ps.setLong(index, to.toEpochMilli());
            // Whole seconds: the bounds are from <= ts < to, so from rounds down and to up.
            case "from_s" -> ps.setLong(index, Math.floorDiv(from.toEpochMilli(), 1000));
            case "to_s" -> ps.setLong(index, Math.floorDiv(to.toEpochMilli() + 999, 1000));
            default -> throw new IllegalStateException("unchecked parameter " + name);
        }
    }
}
