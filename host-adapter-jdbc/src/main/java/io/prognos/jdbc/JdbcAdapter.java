package io.prognos.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects Prognos to a PostgreSQL database: a bounded HikariCP pool, the schema migrated at start,
 * and the model store, readings source and results writer on top of it. Configuration is
 * validated as a whole; the password is declared secret and masked wherever it is reported.
 */
public final class JdbcAdapter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAdapter.class);

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    "jdbc.url",
                    Type.STRING,
                    null,
                    "JDBC URL of the PostgreSQL database, e.g." + " jdbc:postgresql://db:5432/plant")
            .define("jdbc.user", Type.STRING, "postgres", "database user")
            .defineSecret("jdbc.password", "database password (never logged)")
            .define("jdbc.schema", Type.STRING, "prognos", "schema for Prognos's tables, created if missing")
            .define(
                    "jdbc.pool-size",
                    Type.INT,
                    "4",
                    1,
                    100,
                    "most connections Prognos holds for its queries (one more listens for model changes made by"
                            + " other hosts)")
            .define("jdbc.connect-timeout", Type.DURATION, "10s", 0.25, 600, "how long to wait for a connection")
            .define(
                    "jdbc.socket-timeout",
                    Type.DURATION,
                    "60s",
                    1,
                    3600,
                    "longest wait for the database's answer to one round trip; a database that stops answering"
                            + " (suspended, a network path dropped without a reset) fails the statement after it,"
                            + " to be retried (the driver's socketTimeout, which one in jdbc.url overrides)")
            .define("jdbc.fetch-size", Type.INT, "1000", 1, 1_000_000, "rows fetched per round trip when reading")
            .define(
                    "jdbc.results-retention",
                    Type.DURATION,
                    null,
                    // A day at least: less would delete yesterday's results before a plant's daily
                    // report or an operator's look back at the night compared them with what came.
                    86_400,
                    10 * 366 * 86_400,
                    "how long results are kept (forecasts, risk assessments, anomaly scores, alerts, maintenance"
                            + " schedules), by the time of the readings each is about (a schedule: when it was made);"
                            + " older ones are deleted at start and hourly,"
                            + " but for what each sensor's current state is read from (its newest risk and that"
                            + " risk's forecast, its newest alert and, while that alert is raised, the risk rows"
                            + " since) and the newest schedule. Unset: kept for ever")
            .define(
                    "jdbc.readings-query",
                    Type.STRING,
                    ReadingsSource.DEFAULT_QUERY,
                    "query returning ts and value for :device_id, :sensor_key between :from/:to (or :from_ms/:to_ms,"
                            + " :from_s/:to_s); an epoch ts may be in s, ms, us or ns")
            .define(
                    "jdbc.sensors-query",
                    Type.STRING,
                    ReadingsSource.DEFAULT_PAIRS_QUERY,
                    "query returning device_id and sensor_key of every sensor with readings");

    private final HikariDataSource pool;
    private final String schema;
    private volatile boolean migrated;
    private boolean migrationDeferredLogged;
    private final JdbcModelStore models;
    private final ReadingsSource readings;
    private final ResultsWriter results;
    private final LatestResults latest;
    private final LimitsTable limits;
    private final AlertsTable alerts;
    private final RetentionRuns retention;

    private JdbcAdapter(HikariDataSource pool, ConfigDef.Config c) {
        this.pool = pool;
        this.schema = c.getString("jdbc.schema");
        this.models = new JdbcModelStore(pool, schema, this::ensureMigrated, listeningConnector(c));
        this.readings = new ReadingsSource(
                pool,
                c.getString("jdbc.readings-query"),
                c.getString("jdbc.sensors-query"),
                c.getInt("jdbc.fetch-size"));
        this.alerts = new AlertsTable(pool, schema, this::ensureMigrated);
        this.results = new ResultsWriter(pool, schema, this::ensureMigrated, alerts);
        this.latest = new LatestResults(pool, schema, this::ensureMigrated);
        this.limits = new LimitsTable(pool, schema, this::ensureMigrated);
        Duration retained =
                c.getString("jdbc.results-retention") == null ? null : c.getDuration("jdbc.results-retention");
        this.retention = retained == null
                ? null
                : new RetentionRuns(
                        "results", retained, new ResultsRetention(pool, schema, this::ensureMigrated, retained));
    }

    /**
     * Validates the configuration, opens the pool and migrates the schema. A database that is down
     * does not fail the start: migration is retried on first use, and until then every operation
     * throws {@link io.prognos.api.RetryLaterException}. One that refuses the login (password, user,
     * database name) does, naming the key.
     */
    public static JdbcAdapter start(Map<String, String> config) {
        ConfigDef.Config c = CONFIG.parse("the JDBC adapter", config);
        if (c.getString("jdbc.url") == null || !c.getString("jdbc.url").startsWith("jdbc:postgresql:")) {
            throw new InvalidConfigurationException(
                    "the JDBC adapter", List.of(new ConfigProblem("jdbc.url", "a jdbc:postgresql: URL is required")));
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(c.getString("jdbc.url"));
        hc.setUsername(c.getString("jdbc.user"));
        hc.setPassword(c.getString("jdbc.password"));
        hc.setMaximumPoolSize(c.getInt("jdbc.pool-size"));
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(c.getDuration("jdbc.connect-timeout").toMillis());
        hc.setPoolName("prognos-jdbc");
        // Batches go to the server as multi-row INSERTs instead of one statement each
        // (ResultsWriter keeps one row per key in a batch, which a multi-row upsert requires).
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        // Without it a statement on a pooled connection to a server that no longer answers (every
        // process stopped, or a firewall that drops the path silently) waited for TCP's keepalive,
        // two hours on Linux: a limits PUT and the request threads behind it hung past 120 s. The
        // default sensors query, the longest Prognos runs, took 1.6 s over 20 million readings.
        hc.addDataSourceProperty("socketTimeout", socketTimeoutSeconds(c));
        // Start even when the database is down: the pool connects on first use and callers get
        // RetryLaterException until it is back, instead of the host failing to start.
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(hc);
        JdbcAdapter adapter = new JdbcAdapter(pool, c);
        LOG.info("JDBC adapter configured with {}", masked(c.values()));
        try {
            adapter.ensureMigrated();
        } catch (RetryLaterException e) {
            Optional<ConfigProblem> refused = SqlErrors.refusedLogin(e, c.getString("jdbc.password") != null);
            if (refused.isPresent()) {
                pool.close();
                throw new InvalidConfigurationException("the JDBC adapter", List.of(refused.get()));
            }
            // Logged once in ensureMigrated; the host starts and the adapter catches up later.
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        if (adapter.retention != null) {
            // Not in the constructor: a start refused above leaves no thread behind.
            adapter.retention.start();
        }
        return adapter;
    }

    /** The deletion of old results ({@code jdbc.results-retention}), when set. */
    public Optional<RetentionRuns> resultsRetention() {
        return Optional.ofNullable(retention);
    }

    /** Migrates the schema unless done; throws RetryLaterException while the database is down. */
    public void ensureMigrated() {
        if (migrated) {
            return;
        }
        synchronized (this) {
            if (migrated) {
                return;
            }
            try {
                Migrations.migrate(pool, schema);
                migrated = true;
                if (migrationDeferredLogged) {
                    LOG.info("database reachable again: schema {} migrated", schema);
                }
            } catch (RetryLaterException e) {
                if (!migrationDeferredLogged) {
                    migrationDeferredLogged = true;
                    LOG.warn(
                            "database unavailable; schema {} will be migrated when it is back: {}",
                            schema,
                            e.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * Opens the connection a model store's watch listens on, with the pool's settings but outside
     * it. The socket timeout bounds the watch's periodic check on a peer that vanished.
     */
    private static ModelChangeWatch.Connector listeningConnector(ConfigDef.Config c) {
        String url = c.getString("jdbc.url");
        Properties p = new Properties();
        p.setProperty("user", c.getString("jdbc.user"));
        if (c.getString("jdbc.password") != null) {
            p.setProperty("password", c.getString("jdbc.password"));
        }
        p.setProperty(
                "connectTimeout",
                Long.toString(Math.max(1, c.getDuration("jdbc.connect-timeout").toSeconds())));
        p.setProperty("socketTimeout", socketTimeoutSeconds(c));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "prognos-model-changes");
        Driver driver = new Driver();
        return () -> driver.connect(url, p);
    }

    /** {@code jdbc.socket-timeout} in whole seconds, as the driver takes it. */
    private static String socketTimeoutSeconds(ConfigDef.Config c) {
        return Long.toString(Math.max(1, c.getDuration("jdbc.socket-timeout").toSeconds()));
    }

    /** Configuration safe to log: the password key masked, and a password inside the URL too. */
    public static Map<String, String> masked(Map<String, String> values) {
        Map<String, String> m = new LinkedHashMap<>(CONFIG.masked(values));
        m.computeIfPresent("jdbc.url", (k, url) -> url.replaceAll("(?i)(password=)[^&;]*", "$1******"));
        return m;
    }

    public DataSource dataSource() {
        return pool;
    }

    public String schema() {
        return schema;
    }

    public JdbcModelStore models() {
        return models;
    }

    public ReadingsSource readings() {
        return readings;
    }

    public ResultsWriter results() {
        return results;
    }

    public LatestResults latest() {
        return latest;
    }

    public LimitsTable limits() {
        return limits;
    }

    public AlertsTable alerts() {
        return alerts;
    }

    @Override
    public void close() {
        if (retention != null) {
            retention.close();
        }
        models.closeWatches();
        pool.close();
    }
}
