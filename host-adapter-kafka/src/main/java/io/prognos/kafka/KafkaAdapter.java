package io.prognos.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sensor cycle on Kafka Streams: readings from a topic, results to topics, per-sensor
 * state in state stores with changelogs, exactly once. Hosts with the same application id share
 * the readings' partitions; a sensor is served (and trained) by the host that owns its partition,
 * and moves with its state when hosts come and go. Models are not in Kafka: every host reaches
 * the same {@code ModelStore} through the plugin, so a moved sensor is never retrained for moving.
 */
public final class KafkaAdapter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAdapter.class);

    /** The timer of how long commits waited for the database (read by {@code bench-ingest}). */
    public static final String COMMIT_WAIT_METER = "prognos.kafka.commit.wait";
    /** The counter of commits refused because their results were not stored (the database down or slow). */
    public static final String COMMITS_REFUSED_METER = "prognos.kafka.commits.refused";
    /** The gauge that is 1 while processing is paused because results are not stored. */
    public static final String PAUSED_METER = "prognos.kafka.paused";

    private final KafkaSettings settings;
    private final KafkaStreams streams;
    private final KafkaReadingsWriter readingsWriter;
    private final KafkaStreamsMetrics streamsMetrics;
    private final TrainedSensors trained = new TrainedSensors();
    private final ProcessingPause pause;
    private final CoordinatorContact contact;

    /**
     * Writes readings handed to this host outside Kafka (REST) to the readings topic, so that the
     * task owning their sensor takes them.
     */
    public KafkaReadingsWriter readingsWriter() {
        return readingsWriter;
    }

    private KafkaAdapter(
            KafkaSettings settings,
            ForecastingPlugin plugin,
            SensorCycle cycle,
            TrainingRunner trainer,
            Properties props,
            ReadingsPayload payload,
            MeterRegistry metrics,
            Clock clock,
            Function<SensorId, AlertEpisodes.Open> openAlerts) {
        this.settings = settings;
        this.readingsWriter = new KafkaReadingsWriter(settings, payload, props, () -> {
            try (Admin admin = Admin.create(adminConfig(props))) {
                return ReadingsRecordLimit.of(admin, settings, props);
            }
        });
        KafkaMeters meters = new KafkaMeters(metrics);
        this.pause = new ProcessingPause(cycle::sync);
        int inMemory = Math.max(1, cycle.settings().maxSensors() / settings.streamThreads());
        this.streams = new KafkaStreams(
                PrognosTopology.build(
                        settings,
                        () -> new ReadingsProcessor(
                                cycle, trainer, plugin, settings, trained, meters, clock, inMemory, openAlerts),
                        () -> new DeviceSplitter(settings, payload, meters, clock)),
                props,
                // Before each commit, the results of the readings it acknowledges are stored.
                new CommitWaitingClients(() -> meters.beforeCommit(cycle::sync), notStored -> {
                    meters.commitRefused();
                    pause.refused(notStored);
                }));
        pause.attach(streams);
        if (trainer != null) {
            trainer.afterTraining(m -> trained.add(m.sensor(), System.currentTimeMillis()));
        }
        streams.setUncaughtExceptionHandler(e -> {
            // A failure outside the per-record handling (a store, the broker): the thread's tasks
            // go back to the group and a new thread takes them up from the last commit.
            RetryLaterException notDurable = notDurable(e);
            if (notDurable != null) {
                // A commit refused because its results are not stored (CommitWaitingProducer aborted
                // it and processing is paused): the new thread starts from the committed offsets once
                // processing resumes. One line, no stack trace.
                LOG.warn("Kafka Streams thread could not commit, replacing it: {}", notDurable.getMessage());
            } else {
                LOG.error("Kafka Streams thread failed; replacing it", e);
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams {} -> {}", before, now));
        this.contact = new CoordinatorContact(
                streams::metrics,
                () -> streams.state() == KafkaStreams.State.RUNNING,
                settings.sessionTimeout(),
                settings.bootstrap());
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics);
        Gauge.builder("prognos.kafka.state", streams, s -> s.state().ordinal())
                .description("Kafka Streams state: 0 created, 1 rebalancing, 2 running, 3 pending shutdown,"
                        + " 4 not running, 5 pending error, 6 error")
                .register(metrics);
        Gauge.builder(PAUSED_METER, pause, p -> p.paused() ? 1 : 0)
                .description("1 while stream processing is paused because results are not stored (the database is"
                        + " down or hanging)")
                .register(metrics);
        Gauge.builder("prognos.kafka.trained.waiting", trained, TrainedSensors::size)
                .description("sensors trained and waiting for their task to forecast them")
                .register(metrics);
    }

    /**
     * Creates missing topics, then starts the streams; returns at once (the host joins its group in
     * the background). {@code defaultStateDir} is used unless {@code kafka.state-dir} is set.
     * {@code openAlerts} tells the alert a sensor had open on a host before, for a task that starts
     * a sensor without a context in its store (null: none is asked for).
     */
    public static KafkaAdapter start(
            ForecastingPlugin plugin,
            SensorCycle cycle,
            TrainingRunner trainer,
            KafkaSettings s,
            Path defaultStateDir,
            MeterRegistry metrics,
            Clock clock,
            Function<SensorId, AlertEpisodes.Open> openAlerts) {
        if (!s.enabled()) {
            throw new InvalidConfigurationException(
                    "the Kafka adapter", List.of(new ConfigProblem("kafka.bootstrap", "is required")));
        }
        Properties props = properties(s, defaultStateDir);
        ReadingsPayload payload;
        KafkaAdapter adapter;
        // The clients' own warnings of each connect attempt are off (prognos-logback.xml): without
        // this line a start waiting for an unreachable broker said nothing for a minute.
        long apiTimeout = apiTimeoutMillis(props);
        LOG.info(
                "connecting to Kafka at {} (waiting at most {} s, default.api.timeout.ms)",
                s.bootstrap(),
                Math.round(apiTimeout / 1000.0));
        try {
            try (Admin admin = Admin.create(adminConfig(props))) {
                createTopics(s, admin, apiTimeout);
                int limit = ReadingsRecordLimit.of(admin, s, props);
                ReadingsRecordLimit.capBatches(props, limit);
                payload = new ReadingsPayload(s, limit);
            }
            adapter = new KafkaAdapter(s, plugin, cycle, trainer, props, payload, metrics, clock, openAlerts);
        } catch (KafkaException e) {
            throw refusedSetting(s, e).orElseThrow(() -> e);
        }
        adapter.streams.start();
        adapter.contact.start();
        LOG.info(
                "Kafka adapter started: application {} on {}, readings from {}{}",
                s.applicationId(),
                s.bootstrap(),
                s.readingsTopic(),
                s.deviceReadingsTopic() == null ? "" : " and " + s.deviceReadingsTopic());
        return adapter;
    }

    static Properties properties(KafkaSettings s, Path defaultStateDir) {
        Properties p = new Properties();
        if (s.clientProperties() != null) {
            try (Reader r = Files.newBufferedReader(Path.of(s.clientProperties()))) {
                p.load(r);
            } catch (IOException e) {
                throw new InvalidConfigurationException(
                        "the Kafka adapter",
                        List.of(new ConfigProblem("kafka.client-properties", "cannot read: " + e.getMessage())));
            }
        }
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitInterval().toMillis());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, s.replication());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir() != null ? s.stateDir() : defaultStateDir.toString());
        int session = (int) s.sessionTimeout().toMillis();
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), session);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), Math.max(1000, session / 5));
        return p;
    }

    private static Map<String, Object> adminConfig(Properties props) {
        Map<String, Object> admin = new LinkedHashMap<>();
        props.forEach((k, v) -> admin.put((String) k, v));
        admin.keySet().retainAll(AdminClientConfig.configNames());
        return admin;
    }

    /**
     * A setting the Kafka clients refuse at their creation (the admin client's, the producer's or
     * Kafka Streams'), told as a configuration error naming where it came from; it was a bare
     * "Failed to create new KafkaAdminClient" with the reason two causes down a stack trace.
     */
    private static Optional<InvalidConfigurationException> refusedSetting(KafkaSettings s, KafkaException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConfigException refused) {
                boolean bootstrap = String.valueOf(refused.getMessage()).contains("bootstrap.servers");
                String key = bootstrap || s.clientProperties() == null ? "kafka.bootstrap" : "kafka.client-properties";
                String where = key.equals("kafka.client-properties") ? " (set in " + s.clientProperties() + ")" : "";
                return Optional.of(new InvalidConfigurationException(
                        "the Kafka adapter",
                        List.of(new ConfigProblem(
                                key, "Kafka refuses a setting" + where + ": " + refused.getMessage()))));
            }
        }
        return Optional.empty();
    }

    /** The admin client's own wait for an answer ({@code default.api.timeout.ms}, a minute by default). */
    private static long apiTimeoutMillis(Properties props) {
        Object v = props.get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        try {
            return v == null ? 60_000 : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            return 60_000; // the admin client refuses it at its creation, naming the property
        }
    }

    /**
     * The readings topics with {@code kafka.partitions}, the result topics with as many (risk
     * compacted).
     */
    private static void createTopics(KafkaSettings s, Admin a, long apiTimeoutMillis) {
        Optional<Short> replication = s.replication() < 0 ? Optional.empty() : Optional.of((short) s.replication());
        Optional<Integer> partitions = Optional.of(s.partitions());
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(s.readingsTopic(), partitions, replication));
        if (s.deviceReadingsTopic() != null) {
            topics.add(new NewTopic(s.deviceReadingsTopic(), partitions, replication));
        }
        topics.add(new NewTopic(s.forecastsTopic(), partitions, replication));
        topics.add(new NewTopic(s.riskTopic(), partitions, replication)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        topics.add(new NewTopic(s.alertsTopic(), partitions, replication));
        topics.add(new NewTopic(s.anomalyTopic(), partitions, replication));
        topics.add(new NewTopic(s.errorsTopic(), partitions, replication));
        try {
            for (var e : a.createTopics(topics).values().entrySet()) {
                try {
                    // A little longer than the admin client's own wait, so that its answer comes first.
                    e.getValue().get(apiTimeoutMillis + 5_000, TimeUnit.MILLISECONDS);
                    LOG.info("created topic {}", e.getKey());
                } catch (ExecutionException x) {
                    if (x.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                        throw notAnswering(s, apiTimeoutMillis, x.getCause());
                    }
                    if (!(x.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + e.getKey() + " on kafka.bootstrap=" + s.bootstrap() + ": "
                                        + x.getCause().getMessage(),
                                x.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw notAnswering(s, apiTimeoutMillis, e);
        }
    }

    /**
     * Kafka not reachable at start: said with what a plain connect finds at each address (was a
     * minute's wait, then "did not answer within 60 s" and a stack trace, the cause only in the
     * client's warnings), and retriable, as a broker not up yet is.
     */
    private static RetryLaterException notAnswering(KafkaSettings s, long apiTimeoutMillis, Throwable cause) {
        return new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE,
                "Kafka at kafka.bootstrap=" + s.bootstrap() + " did not answer within "
                        + Math.round(apiTimeoutMillis / 1000.0) + " s (default.api.timeout.ms): "
                        + BootstrapProbe.describe(s.bootstrap()),
                Duration.ofSeconds(5),
                cause);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Whether the stream threads are in touch with Kafka: false once none has sent its group
     * coordinator a heartbeat for longer than {@code kafka.session-timeout} while running.
     */
    public boolean inTouch() {
        return contact.inTouch();
    }

    /** The readings partitions this host serves now (active), and those it keeps warm (standby). */
    public record Assignment(Set<Integer> active, Set<Integer> standby) {}

    public Assignment assignment() {
        Set<Integer> active = new TreeSet<>();
        Set<Integer> standby = new TreeSet<>();
        for (ThreadMetadata t : streams.metadataForLocalThreads()) {
            collect(t.activeTasks(), active);
            collect(t.standbyTasks(), standby);
        }
        return new Assignment(active, standby);
    }

    private void collect(Set<TaskMetadata> tasks, Set<Integer> into) {
        for (TaskMetadata task : tasks) {
            for (TopicPartition tp : task.topicPartitions()) {
                if (tp.topic().equals(settings.readingsTopic())) {
                    into.add(tp.partition());
                }
            }
        }
    }

    /** For {@code status}: application, state and partitions. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        Assignment a = assignment();
        out.put("application_id", settings.applicationId());
        out.put("bootstrap", settings.bootstrap());
        out.put("state", streams.state().name());
        out.put("paused_until_stored", pause.paused());
        out.put("readings_topic", settings.readingsTopic());
        out.put("device_readings_topic", settings.deviceReadingsTopic());
        out.put("partitions", a.active());
        out.put("standby_partitions", a.standby());
        return out;
    }

    public KafkaSettings settings() {
        return settings;
    }

    /** Commits, closes the stores and leaves the group, so that the others take the partitions at once. */
    @Override
    public void close() {
        contact.close();
        readingsWriter.close();
        streamsMetrics.close();
        pause.close();
        boolean closed =
                streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        if (!closed) {
            LOG.warn("Kafka Streams did not close within 30 s");
        }
    }

    /** Why a stream thread failed if it was because what a commit would acknowledge is not stored yet; else null. */
    static RetryLaterException notDurable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RetryLaterException r) {
                return r;
            }
        }
        return null;
    }
}
