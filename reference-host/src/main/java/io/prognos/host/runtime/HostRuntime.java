package io.prognos.host.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.CycleListeners;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingFailure;
import io.prognos.host.core.TrainingRunner;
import io.prognos.host.core.wire.CloseAlertRequestMessage;
import io.prognos.host.core.wire.ReadingParser;
import io.prognos.host.core.wire.Requests;
import io.prognos.host.dashboard.FleetReplies;
import io.prognos.host.dashboard.FleetWatch;
import io.prognos.host.rest.RestApi;
import io.prognos.jdbc.ForecastPoller;
import io.prognos.jdbc.JdbcAdapter;
import io.prognos.jdbc.RetentionRuns;
import io.prognos.kafka.KafkaAdapter;
import io.prognos.kafka.KafkaSettings;
import io.prognos.mqtt.MqttAdapter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a running host holds, started in dependency order and closed in reverse: the
 * embedded database, the JDBC adapter, the plugin, the embedded broker and MQTT adapter, and the
 * REST API. Every configuration key is checked before anything starts.
 */
public final class HostRuntime implements AutoCloseable {

    /** The device password file's name in the data directory. */
    static final String DEVICE_PASSWORD_FILE = "mqtt-device.password";

    private static final Logger LOG = LoggerFactory.getLogger(HostRuntime.class);

    /** Which parts a command needs: the CLI's train and forecast need neither MQTT nor REST. */
    public record Parts(boolean mqtt, boolean rest) {
        public static final Parts ALL = new Parts(true, true);
        public static final Parts STORE_ONLY = new Parts(false, false);
    }

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ConfigDef.Config host;
    private Map<String, String> maskedConfig;
    private ForecastingPlugin plugin;
    private JdbcAdapter jdbc;
    private MqttAdapter mqtt;
    private KafkaAdapter kafka;
    private StoringListener storing;
    private ReadingsTable readingsTable;
    private ForecastPoller poller;
    /** Set once the poller runs (it ends the poller's episodes too); MQTT's requests may ask for it before. */
    private volatile AlertClosing alertClosing;

    private EmbeddedBroker broker;
    private RestApi rest;
    private SensorService service;
    private SensorLimits limits;
    private FleetWatch fleet;
    private TrainingRunner trainer;
    private final CycleListeners listeners = new CycleListeners();
    /** Sensors whose last read of their stored readings failed: their open alert is not asked for. */
    private final Set<SensorId> warmFailed = ConcurrentHashMap.newKeySet();

    private final StoredOpenAlerts openAlerts =
            new StoredOpenAlerts(s -> jdbc.alerts().open(s), System::nanoTime);

    private SensorCycle cycle;
    private SensorContexts contexts;
    private ReadingParser readingParser;
    private int trainingJobs;

    private HostRuntime() {}

    /** Concurrent training jobs this host runs. */
    public int trainingJobs() {
        return trainingJobs;
    }

    /** Every key the host, its adapters and the given plugins accept, for {@code --help} and the environment. */
    public static List<ConfigDef.Key> knownKeys(List<ForecastingPlugin> plugins) {
        List<ConfigDef.Key> keys = new ArrayList<>(HostConfig.CONFIG.keys());
        keys.addAll(CycleSettings.CONFIG.keys());
        keys.addAll(JdbcAdapter.CONFIG.keys());
        keys.addAll(MqttAdapter.CONFIG.keys());
        keys.addAll(KafkaSettings.CONFIG.keys());
        plugins.forEach(p -> keys.addAll(p.configDef().keys()));
        return keys;
    }

    public static HostRuntime start(Map<String, String> config, PluginLoader.Found found, Parts parts, Clock clock)
            throws Exception {
        HostRuntime r = new HostRuntime();
        try {
            r.open(config, found, parts, clock);
            // SIGTERM or Ctrl-C: requests in flight get the shutdown timeout, then everything closes in order.
            Thread hook = new Thread(r::close, "prognos-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            r.opened.add(0, () -> removeHook(hook));
            return r;
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
    }

    /** What a configuration key starts with when some part of this host, plugin {@code pluginId} among them, reads it. */
    private static List<String> claimedPrefixes(String pluginId) {
        return List.of("prognos.", "jdbc.", "mqtt.", "kafka.", "cycle.", pluginId + ".");
    }

    /**
     * What is wrong with the configuration's keys of the host's parts (the adapters and the cycle):
     * unknown keys, bad values, and keys no part of this host, plugin {@code pluginId} among them,
     * reads. Checked by every command, also those that start none of the parts ({@code evaluate},
     * {@code nab}, {@code bench}), so that a configuration is refused or taken the same everywhere.
     */
    public static List<ConfigProblem> partProblems(Map<String, String> config, String pluginId) {
        List<ConfigProblem> problems = new ArrayList<>(HostConfig.unclaimed(config, claimedPrefixes(pluginId)));
        problems.addAll(KafkaSettings.CONFIG.validate(HostConfig.withPrefix(config, "kafka.")));
        problems.addAll(JdbcAdapter.CONFIG.validate(HostConfig.withPrefix(config, "jdbc.")));
        problems.addAll(MqttAdapter.CONFIG.validate(HostConfig.withPrefix(config, "mqtt.")));
        problems.addAll(CycleSettings.CONFIG.validate(HostConfig.withPrefix(config, "cycle.")));
        return problems;
    }

    private void open(Map<String, String> config, PluginLoader.Found found, Parts parts, Clock clock) throws Exception {
        Map<String, String> hostValues = HostConfig.withPrefix(config, "prognos.");
        List<ConfigProblem> problems = new ArrayList<>(HostConfig.CONFIG.validate(hostValues));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the host", problems);
        }
        host = HostConfig.CONFIG.parse("the host", hostValues);
        String id = host.getString("prognos.plugin");
        PluginLoader.Loaded chosen = found.byId(id);
        Map<String, String> pluginValues = HostConfig.withPrefix(config, id + ".");
        Map<String, String> jdbcValues = HostConfig.withPrefix(config, "jdbc.");
        Map<String, String> mqttValues = HostConfig.withPrefix(config, "mqtt.");
        // Requests over MQTT are authorised like REST calls: the same token, unless one is set apart.
        if (host.getString("prognos.api-token") != null) {
            mqttValues.putIfAbsent("mqtt.request-token", host.getString("prognos.api-token"));
        }
        Map<String, String> cycleValues = HostConfig.withPrefix(config, "cycle.");
        Map<String, String> kafkaValues = HostConfig.withPrefix(config, "kafka.");
        problems.addAll(partProblems(config, id));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the host", problems);
        }
        List<ConfigProblem> pluginProblems = chosen.plugin().validate(pluginValues);
        if (!pluginProblems.isEmpty()) {
            throw new InvalidConfigurationException("plugin '" + id + "' (" + chosen.source() + ")", pluginProblems);
        }
        // Parsed before anything starts: a bad kafka.* value is named before the database is up.
        KafkaSettings kafkaSettings = KafkaSettings.from(kafkaValues);
        Duration pollEvery = host.getDuration("prognos.poll-every");
        if (!pollEvery.isZero() && pollEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            // A poll reads every sensor's query: every millisecond, a database kept busy for nothing.
            throw new InvalidConfigurationException(
                    "the host",
                    List.of(new ConfigProblem(
                            "prognos.poll-every", "at least 1s (0 for never), got " + pollEvery.toMillis() + " ms")));
        }
        if (kafkaSettings.enabled() && !pollEvery.isZero()) {
            // Every host of the application would poll every sensor: each reading forecast once per host.
            throw new InvalidConfigurationException(
                    "the host",
                    List.of(new ConfigProblem(
                            "prognos.poll-every",
                            "not with kafka.bootstrap: the hosts sharing the sensors would each poll all of them")));
        }
        Duration readingsRetention = readingsRetention(host);
        Function<SensorId, OperatingLimits> configuredLimits = HostConfig.limits(host.getString("prognos.limits"));
        Path dataDir = DataDirectory.create(host.getString("prognos.data-dir"));

        if (!jdbcValues.containsKey("jdbc.url")) {
            EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, host.getInt("prognos.db-port"));
            opened.add(db);
            jdbcValues.put("jdbc.url", db.jdbcUrl());
        }
        jdbc = JdbcAdapter.start(jdbcValues);
        opened.add(jdbc);
        jdbc.resultsRetention().ifPresent(this::meter);
        limits = new SensorLimits(configuredLimits, jdbc.limits());
        readBackLimits();

        int threads = HostConfig.trainingJobs(host);
        trainingJobs = threads;
        plugin = PluginCalls.wrap(chosen.plugin(), chosen.loader(), metrics);
        plugin.start(new PluginContext(pluginValues, new ThreadLimits(threads, 1), jdbc.models(), clock));
        opened.add(plugin::stop);
        LOG.info(
                "plugin '{}' {} ({}) started with {} training job(s), one native thread each; {} stored model(s)",
                plugin.id(),
                plugin.version(),
                plugin.engineVersion(),
                threads,
                plugin.models().size());

        // One sensor cycle for every driver: MQTT readings, REST requests and the command line.
        // Parsed once: the keys read from it (aliases, prefix, payload fields, skews) are not among
        // those set on mqttValues later (the embedded broker's URL and login, the shared group).
        ConfigDef.Config mqttConfig = MqttAdapter.CONFIG.parse("the MQTT adapter", mqttValues);
        CycleSettings cycleSettings = CycleSettings.from(MqttAdapter.withAliases(mqttConfig, cycleValues));
        if (readingsRetention != null) {
            RetentionRuns pruning = new RetentionRuns(
                    "readings",
                    readingsRetention,
                    new ReadingsRetention(
                            jdbc.dataSource(), readingsTable(), readingsRetention, cycleSettings.bufferSize()));
            opened.add(pruning);
            meter(pruning);
            pruning.start();
        }
        trainer = new TrainingRunner(
                plugin,
                threads,
                10_000,
                m -> LOG.info("trained {}: serving {} ({} ms)", m.sensor(), m.servedMethod(), m.trainingMillis()),
                (s, e) -> LOG.warn(
                        "training of {} did not succeed (told once until it changes or the sensor trains): {}",
                        s,
                        e.getMessage()),
                // The stored history REST train takes (prognos.history), not the buffer's 2,048
                // readings: see TrainingRunner. Service: set below, before any reading comes.
                (s, buffered) -> service.storedHistory(s));
        Duration lookback = host.getDuration("prognos.forecast-lookback");
        // What a sensor's context starts from, and what a fresh state reads back: one read for both.
        Function<SensorId, List<Reading>> stored = s -> warm(s, lookback, cycleSettings.bufferSize(), clock);
        fleet = new FleetWatch(Math.min(cycleSettings.maxSensors(), FLEET_SENSORS));
        listeners.add(fleet);
        cycle = new SensorCycle(plugin, limits, cycleSettings, clock, trainer, listeners);
        contexts = new SensorContexts(
                cycleSettings.maxSensors(),
                cycleSettings.bufferSize(),
                stored,
                this::openAlert,
                "none of its stored readings is from the last " + host.getString("prognos.forecast-lookback")
                        + ", what the host reads back for a sensor it starts to serve"
                        + " (prognos.forecast-lookback; a longer one reads older ones)",
                cycle::forget);
        cycle.forecastWhenTrained(contexts);
        cycle.readsBackFrom(stored);
        Gauge.builder("prognos.sensors.in.memory", contexts, SensorContexts::size)
                .description("sensor contexts held in memory")
                .register(metrics);
        FunctionCounter.builder("prognos.sensors.evicted", contexts, SensorContexts::evictions)
                .description("sensor contexts evicted as least recently used")
                .register(metrics);
        service = new SensorService(
                plugin, cycle, contexts, jdbc.readings(), jdbc.results(), host.getDuration("prognos.history"), clock);

        boolean mqttOn = parts.mqtt() && host.getBoolean("prognos.mqtt.enabled");
        if (mqttOn || (parts.mqtt() && kafkaSettings.enabled())) {
            openStoring();
        }
        if (mqttOn || parts.rest()) {
            // Readings arrive by MQTT or by REST (POST readings), through this cycle: stored where
            // training reads them.
            listeners.add(openStoring());
        }
        // A plant's own readings queries, checked against the database once sensor_readings exists
        // (a query of it is fine then): a missing table or column is refused now, naming the key,
        // not found at the first training as a 500.
        List<ConfigProblem> queries = jdbc.readings().check();
        if (!queries.isEmpty()) {
            throw new InvalidConfigurationException("the JDBC adapter", queries);
        }
        // Closed after the drivers that feed trainings and before the database writer and the
        // plugin: a training cancelled at shutdown ends before what it would write to is closed.
        opened.add(trainer);
        CycleListeners kafkaListeners = null;
        if (parts.mqtt() && kafkaSettings.enabled()) {
            // Its own cycle over the same plugin and trainer: what it produces goes to Kafka in the
            // stream's transaction (exactly once); with MQTT on, also to MQTT, where a replay after a
            // failure publishes again (alerts carry their id).
            if (!config.containsKey("jdbc.url") && host.getInt("prognos.db-port") == 0) {
                LOG.warn(
                        "Kafka: models are kept in this host's embedded PostgreSQL on a port that changes, which"
                                + " the other hosts of application '{}' cannot reach: a sensor that moves to one of"
                                + " them is trained again there. Give every host the same jdbc.url (or this one"
                                + " a --db-port and the others its jdbc.url).",
                        kafkaSettings.applicationId());
            }
            // Readings, forecasts, risk and anomaly scores also go to the shared database (the
            // dashboard, REST predict and the schedule read them there on any host). Those writes
            // are keyed by sensor and time, so a replay after a failure rewrites the same rows.
            kafkaListeners = new CycleListeners().add(fleet).add(openStoring());
            SensorCycle kafkaCycle = new SensorCycle(plugin, limits, cycleSettings, clock, trainer, kafkaListeners);
            // Its models are trained on the stored history too, and may look back beyond the buffer.
            kafkaCycle.readsBackFrom(stored);
            kafka = KafkaAdapter.start(
                    plugin,
                    kafkaCycle,
                    trainer,
                    kafkaSettings,
                    dataDir.resolve("kafka-streams"),
                    metrics,
                    clock,
                    openAlerts::onStream);
            opened.add(kafka);
        }
        if (mqttOn) {
            boolean externalBroker = mqttValues.containsKey("mqtt.url");
            if (!externalBroker) {
                String devicePassword = host.getString("prognos.mqtt.password");
                if (devicePassword == null) {
                    devicePassword = Secrets.readOrCreate(dataDir.resolve(DEVICE_PASSWORD_FILE));
                }
                // Prognos's own client: a new password each start, known only inside this process.
                BrokerAccess.Credentials own = new BrokerAccess.Credentials("prognos-host", Secrets.random());
                BrokerAccess access = new BrokerAccess(
                        mqttConfig.getString("mqtt.prefix"),
                        own,
                        new BrokerAccess.Credentials(host.getString("prognos.mqtt.username"), devicePassword));
                broker = EmbeddedBroker.start(
                        dataDir,
                        host.getInt("prognos.mqtt.port"),
                        access,
                        host.getString("prognos.mqtt.persistence").equalsIgnoreCase("file"));
                FunctionCounter.builder("prognos.broker.messages.dropped", broker, EmbeddedBroker::messagesDropped)
                        .description("messages the embedded broker dropped: published, never delivered")
                        .register(metrics);
                opened.add(broker);
                mqttValues.put("mqtt.url", broker.url());
                mqttValues.put("mqtt.username", own.username());
                mqttValues.put("mqtt.password", own.password());
            }
            MqttAdapter.Forwarding forwarding = null;
            if (kafka != null) {
                // A sensor is scored by the task that owns its partition, on whichever host: MQTT
                // readings go there as REST's do, and its results come back to MQTT from there. The
                // hosts of one application on one external broker share its messages (each reading
                // forwarded once). The embedded broker serves this host alone, and its HiveMQ CE
                // 2025.5 can stop delivering a shared subscription for good, one member or several
                // (hivemq-community-edition#558): with the CPU busy, 10 of 1,390 two-member groups and 3 of
                // 348 one-member ones stalled at their start, none of 600 two-member groups on Mosquitto.
                forwarding = new MqttAdapter.Forwarding(kafka.readingsWriter(), kafkaListeners);
                if (externalBroker) {
                    mqttValues.putIfAbsent("mqtt.shared-group", kafkaSettings.applicationId());
                }
                String group = mqttValues.get("mqtt.shared-group");
                LOG.info(
                        "MQTT readings are forwarded to Kafka's {} ({}); the results of this host's"
                                + " partitions are published over MQTT too",
                        kafkaSettings.readingsTopic(),
                        group == null || group.isBlank() ? "no shared group" : "shared group '" + group + "'");
            }
            mqtt = MqttAdapter.start(
                    plugin,
                    cycle,
                    contexts,
                    listeners,
                    mqttValues,
                    clock,
                    metrics,
                    forwarding,
                    Map.of("close-alert", this::closeAlertRequested, "open-alerts", this::openAlertsRequested));
            opened.add(mqtt);
        }
        if (parts.mqtt() && !pollEvery.isZero()) {
            poller = startPoller(pollEvery, cycleSettings, mqttConfig.getDuration("mqtt.max-future-skew"), clock);
        }
        alertClosing = new AlertClosing(
                jdbc.alerts(),
                jdbc.latest(),
                cycle,
                contexts,
                poller,
                kafka == null ? null : kafka.readingsWriter(),
                clock);
        Gauge.builder("prognos.models", plugin, p -> p.models().size())
                .description("models known to the plugin")
                .register(metrics);
        Gauge.builder("prognos.sensors.training.failed", this, r -> r.failedTrainings(false))
                .description("sensors without a model whose last training failed (the sensor view's"
                        + " training_problem says why)")
                .register(metrics);
        Gauge.builder("prognos.sensors.retraining.failed", this, r -> r.failedTrainings(true))
                .description("sensors served by an older model because their last training failed (the"
                        + " sensor view's training_problem says why)")
                .register(metrics);
        Gauge.builder(
                        "prognos.model.changes.watching",
                        jdbc.models(),
                        m -> m.watchState().equals("UP") ? 1 : 0)
                .description("1 while the host listens for models other hosts save or delete")
                .register(metrics);
        FunctionCounter.builder("prognos.model.changes.told", jdbc.models(), m -> m.changesTold())
                .description("models saved or deleted in the shared database, by any host, told to the plugin")
                .register(metrics);

        Map<String, String> all = new LinkedHashMap<>();
        all.putAll(HostConfig.CONFIG.masked(host.values()));
        all.putAll(CycleSettings.CONFIG.parse("the sensor cycle", cycleValues).values());
        all.putAll(JdbcAdapter.masked(jdbcValues));
        all.putAll(MqttAdapter.CONFIG.masked(mqttValues));
        all.putAll(KafkaSettings.CONFIG.masked(kafkaValues));
        all.putAll(plugin.configDef().masked(pluginValues));
        maskedConfig = all;

        if (parts.rest()) {
            // REST readings take the MQTT topics' payloads, read as the MQTT adapter reads them (a
            // device sends the same JSON by either); the request's own size limit is the REST API's.
            readingParser = MqttAdapter.payloadParser(mqttConfig, RestApi.MAX_BODY, clock);
            rest = RestApi.start(
                    this,
                    host.getString("prognos.http.bind"),
                    host.getInt("prognos.http.port"),
                    host.getString("prognos.api-token"),
                    host.getDuration("prognos.shutdown-timeout"));
            opened.add(rest);
            opened.add(
                    DashboardRestore.start(fleet, plugin, jdbc, Math.min(cycleSettings.maxSensors(), FLEET_SENSORS)));
        }
    }

    /**
     * How often the operating limits set at run time are read again from the database. Hosts that
     * share it (a Kafka application's) took a limits PUT made on another host at their next start
     * only, while one of them served the sensor; a row written by hand, likewise. A read of the
     * table (one row per sensor with run-time limits) is one query.
     */
    static final Duration LIMITS_REFRESH = Duration.ofSeconds(30);

    /**
     * The operating limits set at run time before this start, read back now, then read again every
     * {@link #LIMITS_REFRESH} in the background; while the database is unavailable, every 10 s until
     * it answers (a database down at start is waited for; the limits in force stay meanwhile).
     */
    private void readBackLimits() {
        boolean readBack = refreshLimits(true, false);
        Thread refresher = new Thread(
                () -> {
                    boolean read = readBack;
                    boolean down = !readBack;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            Thread.sleep(down ? 10_000 : LIMITS_REFRESH.toMillis());
                        } catch (InterruptedException stop) {
                            return;
                        }
                        boolean ok = refreshLimits(!read, down);
                        read |= ok;
                        down = !ok;
                    }
                },
                "prognos-limits-refresh");
        refresher.setDaemon(true);
        refresher.start();
        opened.add(refresher::interrupt);
    }

    /**
     * One read of the run-time limits; false while the database is unavailable, which is told when
     * it begins ({@code down} false) and when it ends.
     */
    private boolean refreshLimits(boolean first, boolean down) {
        try {
            int n = limits.refresh();
            if (first && n > 0) {
                LOG.info("operating limits of {} sensor(s) set at run time read back", n);
            } else if (n > 0) {
                LOG.info(
                        "operating limits of {} sensor(s) changed in the database (set on another host or by hand):"
                                + " in force now",
                        n);
            } else if (down) {
                LOG.info("operating limits set at run time read {}", first ? "back: none" : "again: unchanged");
            }
            return true;
        } catch (RetryLaterException e) {
            if (!down) {
                LOG.warn(
                        "operating limits set at run time not read {}({}); trying again every 10 s",
                        first ? "back yet " : "again ",
                        e.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            // Not expected (a bug): the limits in force stay, and the host goes on.
            if (!down) {
                LOG.error("operating limits set at run time could not be read; trying again every 10 s", e);
            }
            return false;
        }
    }

    /**
     * The poller of readings that reach the database another way: its own cycle, whose results it
     * writes to the database itself and which go to the dashboard and, with MQTT on, the broker as
     * the other cycles' do (not to the storing listener: they would be written twice, and the
     * readings it reads are in the database already).
     */
    private ForecastPoller startPoller(
            Duration every, CycleSettings cycleSettings, Duration maxFutureSkew, Clock clock) {
        CycleListeners told = new CycleListeners().add(fleet);
        if (mqtt != null) {
            told.add(mqtt.publisher());
        }
        // Sensors whose readings come over MQTT or REST: stored in sensor_readings, where the
        // default query polls, each would be forecast and alerted on twice. One entry a sensor.
        Set<SensorId> pushed = ConcurrentHashMap.newKeySet();
        listeners.add(new SensorCycle.Listener() {
            @Override
            public void readings(SensorId sensor, List<Reading> readings) {
                if (!readings.isEmpty()) {
                    pushed.add(sensor);
                }
            }
        });
        ForecastPoller p = new ForecastPoller(
                plugin,
                jdbc,
                limits,
                new ForecastPoller.Settings(
                        every,
                        host.getDuration("prognos.history"),
                        host.getDuration("prognos.forecast-lookback"),
                        cycleSettings.retrainEvery(),
                        Duration.ofDays(7),
                        // An outage is retried at most this far apart, however short the period.
                        every.compareTo(Duration.ofMinutes(5)) > 0 ? every : Duration.ofMinutes(5),
                        maxFutureSkew,
                        cycleSettings.bufferSize()),
                clock,
                told,
                pushed::contains,
                trainingJobs);
        opened.add(p);
        p.start();
        LOG.info("polling the database every {} for new readings (jdbc.readings-query)", every);
        return p;
    }

    /**
     * {@code prognos.readings-retention}, null when unset; one shorter than what a training or a
     * forecast reads back is refused naming the key (it would delete what the next training needs).
     */
    private static Duration readingsRetention(ConfigDef.Config host) {
        if (host.getString("prognos.readings-retention") == null) {
            return null;
        }
        Duration retention = host.getDuration("prognos.readings-retention");
        for (String key : List.of("prognos.history", "prognos.forecast-lookback")) {
            if (retention.compareTo(host.getDuration(key)) < 0) {
                throw new InvalidConfigurationException(
                        "the host",
                        List.of(new ConfigProblem(
                                "prognos.readings-retention",
                                "at least " + key + " (" + host.getString(key) + "), which a training or forecast"
                                        + " reads back, got " + host.getString("prognos.readings-retention"))));
            }
        }
        return retention;
    }

    /** A retention's meters: the rows it deleted, and whether its last run failed. */
    private void meter(RetentionRuns retention) {
        FunctionCounter.builder("prognos.retention.deleted", retention, RetentionRuns::deleted)
                .tag("what", retention.what())
                .description("rows deleted by a retention (results: jdbc.results-retention; readings:"
                        + " prognos.readings-retention)")
                .register(metrics);
        Gauge.builder("prognos.retention.failing", retention, r -> r.failing() ? 1 : 0)
                .tag("what", retention.what())
                .description("1 while the last run of a retention failed (its tables grow meanwhile; the log says why)")
                .register(metrics);
    }

    /** The host's own readings table, one for the storing and the retention. */
    private ReadingsTable readingsTable() {
        if (readingsTable == null) {
            readingsTable = new ReadingsTable(jdbc.dataSource());
        }
        return readingsTable;
    }

    /** The database writer of readings and results arriving from outside (MQTT, Kafka), opened once. */
    private StoringListener openStoring() {
        if (storing == null) {
            ReadingsTable table = readingsTable();
            table.createIfAbsent();
            storing = new StoringListener(table, jdbc.results(), host.getBoolean("prognos.store-readings"), metrics);
            opened.add(storing);
        }
        return storing;
    }

    /**
     * The sensor's model; null without one, or while the model store does not answer (the warm-up
     * keeps the buffer's readings then, and the cycle meets the outage itself).
     */
    private ModelInfo modelOrNull(SensorId sensor) {
        try {
            return plugin.model(sensor).orElse(null);
        } catch (RuntimeException e) {
            LOG.debug("{}: its model unknown while warming: {}", sensor, e.getMessage());
            return null;
        }
    }

    /**
     * A sensor's recent readings from the database, to warm its context ({@link
     * io.prognos.jdbc.ReadingsSource#forContext}): the newest {@code count} (what the context keeps) of
     * the lookback, older ones when the lookback holds some but fewer than a training needs (a
     * sensor that reports daily had 7 and waited 23 more days for a forecast after each restart),
     * and the lookback back to as many of its model's intervals as a fresh state needs when the
     * newest span fewer. None when the database is away.
     */
    private List<Reading> warm(SensorId sensor, Duration lookback, int count, Clock clock) {
        try {
            List<Reading> stored = jdbc.readings()
                    .forContext(
                            sensor,
                            clock.instant().plus(Duration.ofMinutes(1)),
                            lookback,
                            plugin.describe().minReadingsToTrain(),
                            count,
                            () -> modelOrNull(sensor));
            warmFailed.remove(sensor);
            return stored;
        } catch (RuntimeException e) {
            // The database is down or its readings table is not there yet: the sensor starts cold
            // rather than losing the readings that woke it.
            warmFailed.add(sensor);
            LOG.warn("{} starts without its stored readings: {}", sensor, e.getMessage());
            return List.of();
        }
    }

    /** For a sensor of MQTT or REST: not asked for when its readings' read just failed. */
    private AlertEpisodes.Open openAlert(SensorId sensor) {
        return openAlerts.forContext(sensor, warmFailed.remove(sensor));
    }

    /** Sensors the dashboard follows at most; 5,000 hold about 35 MB of recent scores (168 of 40 bytes each). */
    static final int FLEET_SENSORS = 5_000;

    /**
     * MQTT's {@code requests/close-alert}, answered as REST's {@code DELETE alerts/{device}/{sensor}}
     * is. Between the adapter's start and the poller's (which publishes through the adapter) the
     * close cannot end the poller's episode yet: asked then, the requester is told to ask again.
     */
    private Object closeAlertRequested(byte[] payload) {
        CloseAlertRequestMessage request = Requests.bind(payload, CloseAlertRequestMessage.class);
        AlertClosing closing = alertClosing;
        if (closing == null) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.CAPACITY,
                    "the host is starting: ask again",
                    Duration.ofSeconds(1),
                    null);
        }
        return closing.answer(request.sensor(), request.note());
    }

    /** MQTT's {@code requests/open-alerts}, answered as REST's {@code GET alerts} is. */
    private Object openAlertsRequested(byte[] payload) {
        Requests.bind(payload, Requests.NoFields.class);
        return FleetReplies.openAlerts(jdbc.alerts(), jdbc.latest());
    }

    /**
     * Closes a sensor's open alert by request, REST's and MQTT's: set during the start after the
     * poller and before REST (null before, which MQTT's close answers as "the host is starting").
     */
    public AlertClosing alertClosing() {
        return alertClosing;
    }

    /** The database poller; null unless {@code prognos.poll-every} is set. */
    public ForecastPoller poller() {
        return poller;
    }

    public FleetWatch fleet() {
        return fleet;
    }

    /** The sensors whose last training failed that have a model ({@code withModel}) or none. */
    private double failedTrainings(boolean withModel) {
        Set<SensorId> failed = new HashSet<>(trainer.failed());
        if (poller != null) {
            failed.addAll(poller.trainingFailed());
        }
        return failed.stream()
                .filter(s -> trainingProblem(s) != null && plugin.model(s).isPresent() == withModel)
                .count();
    }

    /**
     * Why the host's last training of the sensor failed, while that still says why it is served as
     * it is ({@link TrainingFailure#standsWith}), or null: its own ({@link TrainingRunner#failure})
     * or the database poller's ({@link ForecastPoller#trainingProblem}).
     */
    public String trainingProblem(SensorId sensor) {
        TrainingFailure own = trainer == null ? null : trainer.failure(sensor);
        TrainingFailure f = own != null || poller == null ? own : poller.trainingProblem(sensor);
        return f != null && f.standsWith(plugin.model(sensor)) ? f.message() : null;
    }

    public SensorLimits limits() {
        return limits;
    }

    public SensorCycle cycle() {
        return cycle;
    }

    public SensorContexts contexts() {
        return contexts;
    }

    public CycleListeners listeners() {
        return listeners;
    }

    public ForecastingPlugin plugin() {
        return plugin;
    }

    /** How REST reads the readings it is sent; null when the REST API does not run. */
    public ReadingParser readingParser() {
        return readingParser;
    }

    public SensorService service() {
        return service;
    }

    public JdbcAdapter jdbc() {
        return jdbc;
    }

    public MqttAdapter mqtt() {
        return mqtt;
    }

    /** The Kafka adapter, or null when {@code kafka.bootstrap} is not set. */
    public KafkaAdapter kafka() {
        return kafka;
    }

    public StoringListener storing() {
        return storing;
    }

    /**
     * Where the generated device password of the embedded broker is kept, when none is configured.
     */
    public Path devicePasswordFile() {
        return Path.of(host.getString("prognos.data-dir")).resolve(DEVICE_PASSWORD_FILE);
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public RestApi rest() {
        return rest;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** The effective configuration with secrets masked, for logs and {@code status}. */
    public Map<String, String> maskedConfig() {
        return maskedConfig;
    }

    public Duration shutdownTimeout() {
        return host == null ? Duration.ofSeconds(30) : host.getDuration("prognos.shutdown-timeout");
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is what is closing us
        }
    }

    /** Closes in reverse order; one part failing to close does not keep the others open. Idempotent. */
    @Override
    public synchronized void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", opened.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        opened.clear();
    }
}
