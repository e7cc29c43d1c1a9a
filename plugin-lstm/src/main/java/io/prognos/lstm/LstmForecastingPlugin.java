package io.prognos.lstm;

import io.prognos.api.BadRequestException;
import io.prognos.api.BatchForecast;
import io.prognos.api.Capability;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.Observation;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDescription;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LSTM forecasting plugin. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.prognos.api.ForecastingPlugin}.
 */
public final class LstmForecastingPlugin implements ForecastingPlugin {

    public static final String ID = "lstm";
    private static final Logger LOG = LoggerFactory.getLogger(LstmForecastingPlugin.class);

    /** A cached model, or (model null) the reason a stored one cannot be used. */
    private record Entry(TrainedModel model, ModelInfo info) {}

    /** Every model this plugin knows of (listed at start, trained or read since): small, unlike the models. */
    private final ConcurrentMap<SensorId, ModelInfo> infos = new ConcurrentHashMap<>();

    private final ConcurrentMap<SensorId, Boolean> training = new ConcurrentHashMap<>();
    /**
     * When the store last said a sensor has no model. The host asks for the model on every reading,
     * so a sensor still collecting its training history cost a database query per reading. Models
     * trained here go into the cache at once; one saved by another host sharing the store is seen
     * when the store's watch tells it, or within {@link #ABSENT_RECHECK_NANOS} with a store that
     * does not tell.
     */
    private final ConcurrentMap<SensorId, Long> absentSince = new ConcurrentHashMap<>();

    private static final long ABSENT_RECHECK_NANOS = 30_000_000_000L;
    private static final int MAX_ABSENT_REMEMBERED = 1_000_000;
    private final MaintenanceScheduler scheduler = new MaintenanceScheduler();
    private final AtomicInteger runningJobs = new AtomicInteger();
    private final AtomicInteger peakJobs = new AtomicInteger();

    private volatile LstmSettings settings;
    private final SettingsDrift drift = new SettingsDrift();
    private volatile ModelCache<Entry> cache = new ModelCache<>(1);
    private volatile boolean saidFull;
    private volatile ModelStore store;
    private volatile Clock clock;
    private volatile Semaphore trainingSlots;
    private volatile ModelTrainer trainer;
    private volatile Observer observer;
    private volatile RiskAssessor risk;
    private volatile LstmEngineProvider externalEngine;
    private volatile ModelStore.Watch watch;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        String v = LstmForecastingPlugin.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.2.0-SNAPSHOT";
    }

    @Override
    public String engineVersion() {
        LstmEngineProvider e = externalEngine;
        return e != null
                ? e.version() + " for training; forecasts on the JVM"
                : "prognos JVM LSTM (Deeplearning4j SameDiff parameter layout)";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public ConfigDef configDef() {
        return LstmSettings.DEF;
    }

    @Override
    public synchronized void start(PluginContext context) {
        if (settings != null) {
            throw new IllegalStateException("plugin lstm is already started");
        }
        LstmSettings s = LstmSettings.from(context.config());
        if (s.engine() != LstmEngine.Kind.JVM) {
            externalEngine = findEngine(s.engine().name().toLowerCase(Locale.ROOT));
            externalEngine.configure(context.threads().nativeThreadsPerJob());
        }
        this.store = context.modelStore();
        this.clock = context.clock();
        this.trainingSlots = new Semaphore(context.threads().trainingJobs(), true);
        LstmEngineProvider external = externalEngine;
        this.trainer = new ModelTrainer(
                (shape, initial, st) -> external == null
                        ? new JavaLstm(shape, initial, st.learningRate())
                        : external.create(shape, initial, st.learningRate()),
                clock);
        this.observer = new Observer(s, new InferenceNetworks());
        this.risk = new RiskAssessor(s.anomalyThreshold());
        this.cache = new ModelCache<>(s.modelsInMemory());
        this.saidFull = false;
        this.settings = s;
        listStoredModels();
        this.watch = store.watch(new StoreChanges());
        LOG.info(
                "plugin lstm {} started: {} model(s) in the store, each read at its first use (at most {} held in"
                        + " memory), {} training job(s), engine {}",
                version(),
                infos.size(),
                s.modelsInMemory(),
                context.threads().trainingJobs(),
                s.engine().name().toLowerCase(Locale.ROOT));
    }

    /** The named engine from the plugin's own class path, or a configuration error naming {@code lstm.engine}. */
    private static LstmEngineProvider findEngine(String name) {
        for (LstmEngineProvider p :
                ServiceLoader.load(LstmEngineProvider.class, LstmForecastingPlugin.class.getClassLoader())) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new InvalidConfigurationException(
                "plugin lstm",
                List.of(new ConfigProblem(
                        "lstm.engine",
                        "engine '" + name
                                + "' is not installed: add the prognos-plugin-lstm-samediff module (and its ND4J"
                                + " natives) to the plugin's class path, or use lstm.engine=jvm")));
    }

    /**
     * What the store holds, without reading the models themselves: a host sharing the store with
     * others (Kafka) reads only those of the sensors it serves, when they first report; and a start
     * no longer reads every model one query at a time.
     */
    private void listStoredModels() {
        try {
            putListed(store.list());
        } catch (RetryLaterException e) {
            LOG.error("model store unavailable at start; models will be read on first use: {}", e.getMessage());
        }
    }

    private void putListed(List<ModelInfo> listed) {
        int unreadable = 0;
        for (ModelInfo info : listed) {
            ModelInfo as = listed(info);
            infos.put(info.sensor(), as);
            unreadable += as.status() == ModelStatus.NEEDS_RETRAINING ? 1 : 0;
        }
        if (unreadable > 0) {
            LOG.warn(
                    "{} stored model(s) of a format this plugin does not read (it reads {} to {}): each sensor is"
                            + " trained again once it has the history",
                    unreadable,
                    ModelCodec.OLDEST_READ,
                    ModelCodec.FORMAT_VERSION);
        }
    }

    /**
     * A stored model as listed: one of a format this plugin does not read (an upgrade changed it)
     * is told from its metadata alone, so that the models list says so before the sensor reports.
     */
    private static ModelInfo listed(ModelInfo info) {
        boolean readable =
                info.formatVersion() >= ModelCodec.OLDEST_READ && info.formatVersion() <= ModelCodec.FORMAT_VERSION;
        return readable ? info : info.withStatus(ModelStatus.NEEDS_RETRAINING);
    }

    /**
     * What the store tells of models saved or deleted, by another host sharing it or by this
     * plugin: a held model of another version is let go (a host served the model it held after
     * another host had trained the sensor again, until a restart), and the list follows the store.
     */
    private final class StoreChanges implements ModelStore.ChangeListener {

        @Override
        public void changed(SensorId sensor, String modelVersion) {
            if (training.containsKey(sensor)) {
                return; // this plugin's own save (its training then holds the model), or one it overwrites
            }
            try {
                absentSince.remove(sensor);
                boolean wasHeld;
                synchronized (cache) {
                    Entry held = cache.get(sensor);
                    if (held != null && held.info().modelVersion().equals(modelVersion)) {
                        return; // its own save, or a version already read
                    }
                    wasHeld = cache.remove(sensor); // counted: a read under way is not held (hold)
                    if (modelVersion == null) {
                        infos.remove(sensor);
                        return;
                    }
                }
                if (wasHeld) {
                    loadFromStore(sensor, true); // its sensor is served here: the new model is read now
                } else {
                    // Its metadata alone: a sensor not served here needs its model listed, not read.
                    Optional<ModelInfo> stored = store.info(sensor);
                    if (stored.isPresent()) {
                        infos.put(sensor, listed(stored.get()));
                    } else {
                        infos.remove(sensor);
                    }
                }
            } catch (RuntimeException e) {
                // The store is down: the model is read at its sensor's next use, when the store is back.
                LOG.warn("model of {} changed in the store but was not read again: {}", sensor, e.getMessage());
            }
        }

        @Override
        public void changesMissed() {
            // Listed first: with the store down (the watch then tells the failure), what is held stays.
            List<ModelInfo> listed = store.list();
            Map<SensorId, String> versions = new HashMap<>();
            listed.forEach(i -> versions.put(i.sensor(), i.modelVersion()));
            // Only what changed is let go: after a database restart every host read every model it
            // held again as its sensor reported. Counted as a removal: a read under way is not held.
            int stale =
                    cache.removeIf((sensor, held) -> !held.info().modelVersion().equals(versions.get(sensor)));
            LOG.info("model changes may have gone untold: {} held model(s) changed meanwhile, let go", stale);
            infos.clear();
            absentSince.clear();
            putListed(listed);
        }
    }

    /**
     * The sensor's entry, read from the store when it is not held; null when the store has no model.
     * Only a reading ({@code displace}) may push another model out of memory to hold the one read:
     * a forecast on request, the schedule's among them, is served from a model read for it alone
     * when memory is full, so that a schedule over a fleet larger than the bound does not push out
     * the models of the sensors that are reporting.
     */
    private Entry entry(SensorId sensor, boolean displace) {
        Entry e = cache.get(sensor);
        return e != null ? e : loadFromStore(sensor, displace);
    }

    private Entry loadFromStore(SensorId sensor, boolean displace) {
        long removals = cache.removals();
        Optional<StoredModel> stored = store.load(sensor);
        if (stored.isEmpty()) {
            infos.remove(sensor); // deleted by another host sharing the store
            return null;
        }
        try {
            TrainedModel m = ModelCodec.decode(stored.get().bytes());
            drift.tell(sensor, m, settings);
            return hold(sensor, new Entry(m, m.info(ModelStatus.READY)), removals, displace);
        } catch (ModelCodec.CorruptModelException ex) {
            if (ex instanceof ModelCodec.OutdatedModelException) {
                // Expected once per sensor after an upgrade that changed the model format; the host retrains.
                LOG.warn("stored model of {} must be retrained: {}", sensor, ex.getMessage());
            } else {
                LOG.error("stored model of {} is unusable and must be retrained: {}", sensor, ex.getMessage());
            }
            return hold(
                    sensor,
                    new Entry(null, stored.get().info().withStatus(ModelStatus.NEEDS_RETRAINING)),
                    removals,
                    displace);
        }
    }

    /**
     * Holds an entry read from the store and returns the one to use. A model a training put while
     * this one was read wins (the store's copy may be the older); one deleted while it was read
     * serves only the call that read it (held, it would come back into the list); one read on
     * request when memory is full serves that call alone.
     */
    private Entry hold(SensorId sensor, Entry read, long removalsBefore, boolean displace) {
        synchronized (cache) { // with deleteModel's removal, so that a delete comes before or after as a whole
            Entry held = cache.get(sensor);
            if (held != null) {
                return held;
            }
            if (cache.removals() != removalsBefore) {
                return read;
            }
            infos.put(sensor, read.info());
            if (displace || cache.size() < cache.capacity()) {
                cache.put(sensor, read);
                sayWhenFull();
            }
            return read;
        }
    }

    private void sayWhenFull() {
        if (!saidFull && cache.dropped() > 0) {
            saidFull = true;
            LOG.info(
                    "{} models held in memory (lstm.models-in-memory): from now on the least recently used is"
                            + " dropped and read from the model store again at its next use",
                    cache.capacity());
        }
    }

    @Override
    public synchronized void stop() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (externalEngine != null) {
            externalEngine.close();
            externalEngine = null;
        }
        cache.clear();
        infos.clear();
        settings = null;
    }

    private LstmSettings started() {
        LstmSettings s = settings;
        if (s == null) {
            throw new IllegalStateException("plugin lstm is not started");
        }
        return s;
    }

    @Override
    public PluginDescription describe() {
        LstmSettings s = started();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sequence_length", s.sequenceLength());
        details.put("units", s.units());
        details.put("engine", s.engine().name().toLowerCase(Locale.ROOT));
        details.put("anomaly_window", s.anomalyWindow());
        details.put("models_in_memory", cache.size());
        details.put("models_dropped_from_memory", cache.dropped());
        return new PluginDescription(
                s.interval().isZero() ? null : s.interval(),
                s.horizon(),
                s.coverage(),
                s.anomalyThreshold(),
                s.pointsNeeded(),
                LstmSettings.TRAIN_OPTIONS,
                details);
    }

    @Override
    public ModelInfo train(TrainRequest request) {
        LstmSettings s = started().with(request.options());
        SensorId sensor = request.sensor();
        if (training.putIfAbsent(sensor, Boolean.TRUE) != null) {
            throw RetryLaterException.modelBusy(sensor);
        }
        try {
            trainingSlots.acquire();
            peakJobs.accumulateAndGet(runningJobs.incrementAndGet(), Math::max);
            try {
                TrainedModel m = trainer.train(sensor, request.history(), s, request.options());
                byte[] bytes = ModelCodec.encode(m);
                store.save(new StoredModel(m.info(ModelStatus.READY), bytes, ModelCodec.checksum(bytes)));
                Entry e = new Entry(m, m.info(ModelStatus.READY));
                cache.put(sensor, e);
                infos.put(sensor, e.info());
                sayWhenFull();
                absentSince.remove(sensor);
                return e.info();
            } finally {
                runningJobs.decrementAndGet();
                trainingSlots.release();
            }
        } catch (InterruptedException | ModelTrainer.InterruptedTraining e) {
            Thread.currentThread().interrupt();
            throw new RetryLaterException(
                    RetryLaterException.Reason.CAPACITY,
                    "training of " + sensor + " was cancelled before it finished",
                    Duration.ZERO,
                    e);
        } finally {
            training.remove(sensor);
        }
    }

    /** The sensor's usable model, or null when it has none (or only a damaged one). */
    private TrainedModel modelOrNull(SensorId sensor, boolean displace) {
        Entry e = entry(sensor, displace);
        return e == null ? null : e.model();
    }

    private TrainedModel usable(SensorId sensor) {
        Entry e = entry(sensor, false);
        if (e == null) {
            throw new UnknownSensorException(sensor);
        }
        if (e.model() == null) {
            throw new BadRequestException(
                    "sensor_key",
                    "the stored model of " + sensor + " is damaged or from an incompatible version; train it again");
        }
        return e.model();
    }

    private static LstmSensorState own(SensorState state) {
        if (state instanceof LstmSensorState s) {
            return s;
        }
        throw new BadRequestException("state", "not a sensor state of plugin lstm: " + state);
    }

    @Override
    public SensorState openState(SensorId sensor, byte[] saved) {
        LstmSettings cfg = started();
        TrainedModel m = modelOrNull(sensor, false);
        if (saved != null) {
            try {
                LstmSensorState s = LstmSensorState.fromBytes(
                        saved, 1 - (m != null ? m.coverage() : cfg.coverage()), cfg.adaptationRate());
                if (s.sensor.equals(sensor) && m != null) {
                    return s; // the current model's, or the earlier one's, which it carries on from (Observer.bind)
                }
            } catch (IOException e) {
                LOG.warn("saved state of {} is unusable and starts afresh: {}", sensor, e.getMessage());
            }
            // Bound to no model, so that the host sees it needs the recent readings.
            return new LstmSensorState(sensor);
        }
        LstmSensorState s = new LstmSensorState(sensor);
        if (m != null) {
            observer.bind(s, m);
        }
        return s;
    }

    @Override
    public Observation observe(SensorState state, List<Reading> readings) {
        started();
        LstmSensorState s = own(state);
        return observer.observe(s, modelOrNull(s.sensor, true), readings);
    }

    @Override
    public Forecast forecast(SensorState state) {
        started();
        LstmSensorState s = own(state);
        TrainedModel m = usable(s.sensor);
        observer.bind(s, m);
        observer.ensureForecast(s, m);
        LstmSensorState.Pending p = s.pending.peekLast();
        if (p == null || p.origin != s.lastClosed) {
            String why = observer.shortWindowCause(s, m);
            throw new InsufficientHistoryException(
                    s.sensor,
                    Observer.contextNeeded(s, m),
                    s.recentSize,
                    "a forecast",
                    why == null
                            ? "wait for more readings (a gap longer than lstm.max-gap starts the window afresh)"
                            : "wait for more readings",
                    why);
        }
        if (!m.modelVersion().equals(s.shapeVersion)) {
            s.shape = ErrorShape.of(m.calibration(), m.coverage());
            s.shapeVersion = m.modelVersion();
        }
        double[] w = new double[Method.values().length];
        List<ForecastPoint> points = new ArrayList<>(m.horizon());
        Instant last = s.bucketStart(p.origin);
        Duration interval = m.interval();
        StringBuilder weights = new StringBuilder();
        for (int h = 0; h < m.horizon(); h++) {
            double half = Observer.halfWidth(s, m, h, p.local);
            double centre = p.served[h];
            double v = p.point[h];
            // The interval stays centred on the forecast it was calibrated for; it contains the point.
            points.add(new ForecastPoint(
                    last.plus(interval.multipliedBy(h + 1L)),
                    h + 1,
                    v,
                    Math.min(v, centre - half),
                    Math.max(v, centre + half)));
            if (h == 0 || h == m.horizon() - 1) {
                s.pointAggregator.weights(h, w);
                Aggregator.leaveOut(w, p.pointCandidates);
                weights.append(weights.length() > 0 ? "; step " + (h + 1) + ": " : "step 1: ");
                for (Method k : Method.values()) {
                    if (w[k.ordinal()] > 0.005) {
                        // Not String.format: it was most of a forecast's 90 us.
                        weights.append(k.wireName())
                                .append(' ')
                                .append(Math.round(w[k.ordinal()] * 100) / 100.0)
                                .append(' ');
                    }
                }
            }
        }
        String method = s.pointAggregator.servedName(m.horizon(), p.pointCandidates);
        String reason = "online weighted average of the candidates, weights "
                + weights.toString().trim() + " (" + s.pointAggregator.rounds(0) + " rounds)";
        return new Forecast(
                s.sensor,
                clock.instant(),
                last,
                p.lastValue,
                interval,
                m.coverage(),
                method,
                reason,
                m.modelVersion(),
                points);
    }

    @Override
    public BatchForecast forecastBatch(List<SensorState> states) {
        started();
        Map<SensorId, Forecast> done = new LinkedHashMap<>();
        Map<SensorId, PrognosException> failed = new LinkedHashMap<>();
        for (SensorState st : states) {
            try {
                done.put(st.sensor(), forecast(st));
            } catch (PrognosException e) {
                failed.put(st.sensor(), e);
            }
        }
        return new BatchForecast(done, failed);
    }

    @Override
    public RiskAssessment assessRisk(Forecast forecast, SensorState state, OperatingLimits limits) {
        started();
        LstmSensorState s = own(state);
        Instant basedOn = s.lastClosedAtMs > 0 ? Instant.ofEpochMilli(s.lastClosedAtMs) : forecast.lastObserved();
        return risk.assess(
                forecast,
                limits == null ? OperatingLimits.none() : limits,
                s.latestScore,
                s.sustainedScore,
                s.stillFor,
                s.missRate,
                s.centreBias.mean(),
                s.shapeVersion != null && s.shapeVersion.equals(forecast.modelVersion())
                        ? s.shape
                        : shapeOf(s.sensor, forecast),
                basedOn,
                clock.instant());
    }

    /**
     * The law of the paths' errors for a forecast this state did not make last (one kept from
     * before a restart): the calibration of the model that made it, if it is at hand.
     */
    private ErrorShape shapeOf(SensorId sensor, Forecast forecast) {
        TrainedModel m = modelOrNull(sensor, false);
        return m == null || !m.modelVersion().equals(forecast.modelVersion())
                ? ErrorShape.NORMAL
                : ErrorShape.of(m.calibration(), m.coverage());
    }

    /** Most training jobs that ever ran at once: lets a host verify the thread limit holds. */
    public int peakConcurrentTrainings() {
        return peakJobs.get();
    }

    @Override
    public List<ScheduleEntry> schedule(Collection<RiskAssessment> assessments, Duration window) {
        return scheduler.schedule(assessments, window);
    }

    @Override
    public List<ModelInfo> models() {
        started();
        List<ModelInfo> out = new ArrayList<>();
        infos.forEach(
                (sensor, info) -> out.add(training.containsKey(sensor) ? info.withStatus(ModelStatus.TRAINING) : info));
        out.sort((a, b) -> a.sensor().compareTo(b.sensor()));
        return out;
    }

    @Override
    public Optional<ModelInfo> model(SensorId sensor) {
        started();
        Entry e = cache.get(sensor);
        if (e == null) {
            Long since = absentSince.get(sensor);
            if (since != null && System.nanoTime() - since < ABSENT_RECHECK_NANOS) {
                return Optional.empty();
            }
            e = loadFromStore(sensor, false);
            if (e == null) {
                if (absentSince.size() >= MAX_ABSENT_REMEMBERED) {
                    absentSince.clear();
                }
                absentSince.put(sensor, System.nanoTime());
                return Optional.empty();
            }
            absentSince.remove(sensor);
        }
        return Optional.of(training.containsKey(sensor) ? e.info().withStatus(ModelStatus.TRAINING) : e.info());
    }

    @Override
    public boolean deleteModel(SensorId sensor) {
        started();
        if (training.containsKey(sensor)) {
            throw RetryLaterException.modelBusy(sensor);
        }
        // The store first: a model read meanwhile either is held before the removal below, which
        // drops it, or sees the removal and is not held (hold).
        boolean stored = store.delete(sensor);
        synchronized (cache) {
            boolean held = cache.remove(sensor);
            boolean known = infos.remove(sensor) != null;
            return stored || held || known;
        }
    }
}
