package io.prognos.jdbc;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import io.prognos.host.core.wire.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * {@link ModelStore} on the {@code lstm_models} table, one row per (device_id, sensor_key). A save
 * is a single upsert statement in its own transaction: a crash mid-write leaves the previous model.
 */
public final class JdbcModelStore implements ModelStore {

    private static final String COLUMNS = "device_id, sensor_key, model_version, format_version, checksum, "
            + "sequence_length, forecast_horizon, interval_ms, train_loss, val_loss, val_mae, baseline_mae, "
            + "served_method, sample_count, epochs_run, training_ms, trained_at, metrics, interval_offset_ms, train_options";

    /**
     * The {@code train_options} column: the options and the model version they belong to
     * (V6__train_options.sql).
     */
    record TrainOptions(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("options") Map<String, String> options) {}

    private final DataSource ds;
    private final String schema;
    private final String table;
    private final Runnable ready;
    private final ModelChangeWatch.Connector listening;
    private final List<ModelChangeWatch> watches = new CopyOnWriteArrayList<>();
    private final ModelRowJson json = new ModelRowJson();

    /**
     * {@code ready} runs before every operation; the adapter passes its lazy migration.
     * {@code listening} opens the connection a {@link #watch} listens on.
     */
    JdbcModelStore(DataSource ds, String schema, Runnable ready, ModelChangeWatch.Connector listening) {
        this.ds = ds;
        this.schema = schema;
        this.table = Migrations.quote(schema) + ".lstm_models";
        this.ready = ready;
        this.listening = listening;
    }

    /** Tells of every save and delete in this schema, by any host or by hand, from a connection of its own. */
    @Override
    public ModelChangeWatch watch(ChangeListener listener) {
        ModelChangeWatch w = new ModelChangeWatch(listening, schema, listener);
        watches.removeIf(old -> !old.open()); // closed by a plugin that stopped
        watches.add(w);
        return w;
    }

    /**
     * UP while every open watch listens, DOWN while one does not (its connection is being opened
     * again), NONE without a watch (a plugin that does not watch, or none started).
     */
    public String watchState() {
        boolean any = false;
        for (ModelChangeWatch w : watches) {
            if (w.open()) {
                any = true;
                if (!w.listening()) {
                    return "DOWN";
                }
            }
        }
        return any ? "UP" : "NONE";
    }

    /** Model changes the watches have told, since the adapter started. */
    public long changesTold() {
        return watches.stream().mapToLong(ModelChangeWatch::told).sum();
    }

    /** Stops the watches still running (the adapter closes). */
    void closeWatches() {
        watches.forEach(ModelChangeWatch::close);
        watches.clear();
    }

    @Override
    public void save(StoredModel model) {
        ready.run();
        ModelInfo i = model.info();
        String sql = "INSERT INTO " + table + " (" + COLUMNS + ", model, saved_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, CAST(? AS jsonb), ?, now()) "
                + "ON CONFLICT (device_id, sensor_key) DO UPDATE SET model_version = EXCLUDED.model_version, "
                + "format_version = EXCLUDED.format_version, checksum = EXCLUDED.checksum, "
                + "sequence_length = EXCLUDED.sequence_length, forecast_horizon = EXCLUDED.forecast_horizon, "
                + "interval_ms = EXCLUDED.interval_ms, train_loss = EXCLUDED.train_loss, val_loss = EXCLUDED.val_loss, "
                + "val_mae = EXCLUDED.val_mae, baseline_mae = EXCLUDED.baseline_mae, "
                + "served_method = EXCLUDED.served_method, sample_count = EXCLUDED.sample_count, "
                + "epochs_run = EXCLUDED.epochs_run, training_ms = EXCLUDED.training_ms, "
                + "trained_at = EXCLUDED.trained_at, metrics = EXCLUDED.metrics, "
                + "interval_offset_ms = EXCLUDED.interval_offset_ms, train_options = EXCLUDED.train_options, "
                + "model = EXCLUDED.model, saved_at = now()";
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, i.sensor().deviceId());
            ps.setString(2, i.sensor().sensorKey());
            ps.setString(3, i.modelVersion());
            ps.setInt(4, i.formatVersion());
            ps.setString(5, model.checksum());
            // The columns of the original table, for tools that read them; everything is in metrics too.
            setInt(ps, 6, i.metric("sequence_length"));
            ps.setInt(7, i.horizon());
            ps.setLong(8, i.interval().toMillis());
            setDouble(ps, 9, i.metric("train_loss"));
            setDouble(ps, 10, i.metric("val_loss"));
            setDouble(ps, 11, i.metric(ModelInfo.VAL_MAE));
            setDouble(ps, 12, i.metric(ModelInfo.BASELINE_MAE));
            ps.setString(13, i.servedMethod());
            ps.setInt(14, i.sampleCount());
            setInt(ps, 15, i.metric("epochs_run"));
            ps.setLong(16, i.trainingMillis());
            ps.setTimestamp(17, Timestamp.from(i.trainedAt()));
            ps.setString(18, Json.mapper().writeValueAsString(finite(i.metrics())));
            ps.setLong(19, i.intervalOffset().toMillis());
            ps.setString(20, Json.mapper().writeValueAsString(new TrainOptions(i.modelVersion(), i.trainOptions())));
            ps.setBytes(21, model.bytes());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("saving the model of " + i.sensor(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of numbers and of strings always serialise", e);
        }
    }

    @Override
    public Optional<StoredModel> load(SensorId sensor) {
        return row(
                sensor,
                COLUMNS + ", model",
                rs -> new StoredModel(metadata(rs), rs.getBytes("model"), rs.getString("checksum")),
                "loading the model of ");
    }

    /** The row's metadata columns alone, the model's bytes left on the server. */
    @Override
    public Optional<ModelInfo> info(SensorId sensor) {
        return row(sensor, COLUMNS, this::metadata, "reading the metadata of the model of ");
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** {@code columns} of the sensor's row, read by {@code reader}; empty without a row. */
    private <T> Optional<T> row(SensorId sensor, String columns, RowReader<T> reader, String doing) {
        ready.run();
        String sql = "SELECT " + columns + " FROM " + table + " WHERE device_id = ? AND sensor_key = ?";
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sensor.deviceId());
            ps.setString(2, sensor.sensorKey());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(doing + sensor, e);
        }
    }

    @Override
    public List<ModelInfo> list() {
        ready.run();
        String sql = "SELECT " + COLUMNS + " FROM " + table + " ORDER BY device_id, sensor_key";
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            List<ModelInfo> out = new ArrayList<>();
            while (rs.next()) {
                out.add(metadata(rs));
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("listing models", e);
        }
    }

    @Override
    public boolean delete(SensorId sensor) {
        ready.run();
        try {
            return SensorRows.delete(ds, table, sensor) > 0;
        } catch (SQLException e) {
            throw SqlErrors.translate("deleting the model of " + sensor, e);
        }
    }

    private ModelInfo metadata(ResultSet rs) throws SQLException {
        SensorId sensor = new SensorId(rs.getString("device_id"), rs.getString("sensor_key"));
        String modelVersion = rs.getString("model_version");
        return new ModelInfo(
                sensor,
                modelVersion,
                rs.getInt("format_version"),
                Duration.ofMillis(rs.getLong("interval_ms")),
                Duration.ofMillis(rs.getLong("interval_offset_ms")),
                rs.getInt("forecast_horizon"),
                rs.getString("served_method"),
                rs.getInt("sample_count"),
                rs.getLong("training_ms"),
                rs.getTimestamp("trained_at").toInstant(),
                ModelStatus.READY,
                json.metrics(sensor, rs.getString("metrics")),
                json.trainOptions(sensor, modelVersion, rs.getString("train_options")));
    }

    /** JSON has no NaN: figures that could not be computed are left out. */
    private static Map<String, Double> finite(Map<String, Double> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void setInt(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isFinite(v)) {
            ps.setInt(i, (int) v);
        } else {
            ps.setNull(i, Types.INTEGER);
        }
    }

    /** NaN (a metric that could not be computed) is stored as NULL, which PostgreSQL tools understand. */
    private static void setDouble(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isFinite(v)) {
            ps.setDouble(i, v);
        } else {
            ps.setNull(i, Types.DOUBLE);
        }
    }
}
