package io.prognos.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates Prognos's tables in their own schema, so they live beside a host's tables
 * without touching them. Each migration runs once, in its own transaction, recorded in
 * {@code prognos_schema_history}; concurrent starts serialise on an advisory lock. A schema newer
 * than this code knows is refused rather than written to, unless the newer code that migrated it
 * recorded that code of this version still reads and writes it correctly ({@code readable_from}):
 * in a rolling upgrade of hosts sharing one database, a host of the release before that restarts
 * after the first host migrated then starts instead of refusing the database.
 */
public final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Arbitrary but fixed: the advisory lock Prognos instances take while migrating. */
    private static final long LOCK_KEY = 0x50524f474e4f53L;

    /**
     * A migration's script and the oldest schema version whose code still reads and writes
     * correctly what the script leaves (its own version when it changes what that code reads or
     * writes; lower when it only adds what older code does not touch).
     */
    record Migration(String script, int readableFrom) {}

    /** The migrations this code knows, in order; the version is the position, starting at 1. */
    static final List<Migration> MIGRATIONS = List.of(
            new Migration("V1__models_and_results.sql", 1),
            new Migration("V2__anomaly_scores_and_risk_ranges.sql", 2),
            new Migration("V3__interval_offset.sql", 3),
            // A trigger that tells changes: code of V3 writes as before, and its writes are told.
            new Migration("V4__model_change_notices.sql", 3),
            // A table older code does not touch (its limits set at run time are then not kept).
            new Migration("V5__sensor_limits.sql", 3),
            // A column older code does not write: its models read as trained without options.
            new Migration("V6__train_options.sql", 3),
            // A table older code does not touch (its alerts are then not kept, nor read back).
            new Migration("V7__alerts.sql", 3),
            // Indexes only: code of V3 reads and writes as before.
            new Migration("V8__results_by_reading_time.sql", 3),
            // A column older code does not write: its closes are stored without a note.
            new Migration("V9__alert_notes.sql", 3));

    private Migrations() {}

    /** Brings {@code schema} to the latest version; returns the number of migrations applied. */
    public static int migrate(DataSource ds, String schema) {
        String quoted = quote(schema);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("CREATE SCHEMA IF NOT EXISTS " + quoted);
                st.execute(
                        "CREATE TABLE IF NOT EXISTS " + quoted + ".prognos_schema_history ("
                                + "version integer PRIMARY KEY, script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            }
            int current = currentVersion(c, quoted);
            int known = MIGRATIONS.size();
            boolean recordsReadable = hasReadableFrom(c, schema);
            if (current > known) {
                Integer readableFrom = recordsReadable ? recordedReadableFrom(c, quoted, current) : null;
                c.rollback();
                if (readableFrom == null || readableFrom > known) {
                    throw new IllegalStateException("database schema " + schema + " is at version " + current
                            + " but this Prognos knows versions up to " + known
                            + (readableFrom == null ? "" : " and the schema needs code of version " + readableFrom)
                            + "; upgrade Prognos or point it at another schema (jdbc.schema)");
                }
                LOG.warn(
                        "database schema {} is at version {}, newer than this Prognos knows ({}), and readable by code"
                                + " of version {} on: running on it; upgrade this host",
                        schema,
                        current,
                        known,
                        readableFrom);
                return 0;
            }
            if (current < known && !recordsReadable) {
                // Only when migrating (which needs the right to alter the schema anyway): a host whose
                // user may only read and write the tables starts on a schema already at its version.
                // Rows written before it have none: such a schema is read only by code that knows it.
                try (Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE " + quoted + ".prognos_schema_history ADD COLUMN readable_from integer");
                }
            }
            int applied = 0;
            for (int v = current + 1; v <= known; v++) {
                String script = MIGRATIONS.get(v - 1).script();
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL search_path TO " + quoted);
                    st.execute(load(script));
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quoted
                        + ".prognos_schema_history (version, script, readable_from) VALUES (?, ?, ?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, script);
                    ps.setInt(3, readableFrom(v));
                    ps.executeUpdate();
                }
                applied++;
                LOG.info("applied migration {} ({}) to schema {}", v, script, schema);
            }
            c.commit();
            return applied;
        } catch (SQLException e) {
            throw SqlErrors.translate("migrating schema " + schema, e);
        }
    }

    /** The oldest code that reads a schema at {@code version} of these migrations: the most any of them up to it needs. */
    static int readableFrom(int version) {
        int from = 1;
        for (int v = 1; v <= version; v++) {
            from = Math.max(from, MIGRATIONS.get(v - 1).readableFrom());
        }
        return from;
    }

    private static boolean hasReadableFrom(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.columns WHERE table_schema = ?"
                + " AND table_name = 'prognos_schema_history' AND column_name = 'readable_from'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** What the code that migrated the schema to {@code version} recorded; null when it recorded nothing. */
    private static Integer recordedReadableFrom(Connection c, String quotedSchema, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT readable_from FROM " + quotedSchema + ".prognos_schema_history WHERE version = ?")) {
            ps.setInt(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                int from = rs.getInt(1);
                return rs.wasNull() ? null : from;
            }
        }
    }

    static int currentVersion(Connection c, String quotedSchema) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT coalesce(max(version), 0) FROM " + quotedSchema + ".prognos_schema_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Double-quotes an identifier; a schema name is configuration, never concatenated unquoted. */
    static String quote(String identifier) {
        if (identifier == null || identifier.isBlank() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid schema name: '" + identifier + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String load(String script) {
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + script)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the jar: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }
}
