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
 * than this code knows is refused rather than written to.
 */
public final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Arbitrary but fixed: the advisory lock Prognos instances take while migrating. */
    private static final long LOCK_KEY = 0x50524f474e4f53L;

    /** The scripts this code knows, in order; the version is the position, starting at 1. */
    static final List<String> SCRIPTS = List.of(
            "V1__models_and_results.sql",
            "V2__anomaly_scores_and_risk_ranges.sql",
            "V3__interval_offset.sql",
            "V4__model_change_notices.sql");

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
            if (current > SCRIPTS.size()) {
                c.rollback();
                throw new IllegalStateException("database schema " + schema + " is at version " + current
                        + " but this Prognos knows versions up to " + SCRIPTS.size()
                        + "; upgrade Prognos or point it at another schema (jdbc.schema)");
            }
            int applied = 0;
            for (int v = current + 1; v <= SCRIPTS.size(); v++) {
                String script = SCRIPTS.get(v - 1);
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL search_path TO " + quoted);
                    st.execute(load(script));
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + quoted + ".prognos_schema_history (version, script) VALUES (?, ?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, script);
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
