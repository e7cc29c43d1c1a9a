package io.prognos.lstm;

import io.prognos.api.BadRequestException;
import io.prognos.api.BatchForecast;
import io.prognos.api.Capability;
import io.prognos.api.ConfigDef;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PrognosException;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deeplearning4j LSTM forecasting plugin. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.prognos.api.ForecastingPlugin}.
 */
public final class LstmForecastingPlugin implements ForecastingPlugin {

    public static final String ID = "lstm";
    private static final Logger LOG = LoggerFactory.getLogger(LstmForecastingPlugin.class);

    /** A cached model, or the reason a stored one cannot be used. */
    private record Entry(TrainedModel model, ModelInfo info, OnlineState online) {
    }

    private final ConcurrentMap<SensorId, Entry> cache = new ConcurrentHashMap<>();
    private final ConcurrentMap<SensorId, Boolean> training = new ConcurrentHashMap<>();
    private final RiskAssessor risk = new RiskAssessor();
    private final MaintenanceScheduler scheduler = new MaintenanceScheduler();
    private final java.util.concurrent.atomic.AtomicInteger runningJobs = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger peakJobs = new java.util.concurrent.atomic.AtomicInteger();

    private volatile LstmSettings settings;
    private volatile ModelStore store;
    private volatile Clock clock;
    private volatile Semaphore trainingSlots;
    private volatile NetworkPool networks;
    private volatile ModelTrainer trainer;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        String v = LstmForecastingPlugin.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    @Override
    public String engineVersion() {
        LstmSettings s = settings;
        // Before start, or with the default engine, the network runs on the JVM; SameDiff is the option.
        return s != null && s.engine() == LstmEngine.Kind.SAMEDIFF ? "deeplearning4j 1.0.0-M2.1 (SameDiff lstmLayer)"
                : "prognos JVM LSTM (Deeplearning4j SameDiff layout; lstm.engine=samediff for deeplearning4j 1.0.0-M2.1)";
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
        int nativeThreads = context.threads().nativeThreadsPerJob();
        if (s.engine() == LstmEngine.Kind.SAMEDIFF) {
            // Must precede the first ND4J op: OpenMP sizes its pool once. More than one native thread
            // per job was 2.6x slower here (barrier waits on a tiny model), so the host's cap is the ceiling.
            Nd4j.getEnvironment().setMaxThreads(nativeThreads);
            Nd4j.getEnvironment().setMaxMasterThreads(nativeThreads);
        }
        this.store = context.modelStore();
        this.clock = context.clock();
        this.trainingSlots = new Semaphore(context.threads().trainingJobs(), true);
        this.networks = new NetworkPool(s.learningRate());
        this.trainer = new ModelTrainer(networks, clock);
        this.settings = s;
        loadStoredModels();
        LOG.info("plugin lstm {} started: {} model(s) loaded, {} training job(s), {} native thread(s) per job",
                version(), cache.size(), context.threads().trainingJobs(), nativeThreads);
    }

    private void loadStoredModels() {
        List<ModelInfo> infos;
        try {
            infos = store.list();
        } catch (RetryLaterException e) {
            LOG.error("model store unavailable at start; models will be loaded on first use: {}", e.getMessage());
            return;
        }
        for (ModelInfo info : infos) {
            loadFromStore(info.sensor(), info);
        }
    }

    private Entry loadFromStore(SensorId sensor, ModelInfo listed) {
        Optional<StoredModel> stored = store.load(sensor);
        if (stored.isEmpty()) {
            return null;
        }
        try {
            TrainedModel m = ModelCodec.decode(stored.get().bytes());
            Entry e = entry(m);
            cache.put(sensor, e);
            return e;
        } catch (ModelCodec.CorruptModelException ex) {
            LOG.error("stored model of {} is unusable and must be retrained: {}", sensor, ex.getMessage());
            ModelInfo info = (listed != null ? listed : stored.get().info()).withStatus(ModelStatus.NEEDS_RETRAINING);
            Entry e = new Entry(null, info, null);
            cache.put(sensor, e);
            return e;
        }
    }

    private Entry entry(TrainedModel m) {
        return new Entry(m, m.info(ModelStatus.READY), new OnlineState(m, settings.adaptationRate()));
    }

    @Override
    public synchronized void stop() {
        if (networks != null) {
            networks.close();
        }
        cache.clear();
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
                TrainedModel m = trainer.train(sensor, request.history(), s);
                byte[] bytes = ModelCodec.encode(m);
                store.save(new StoredModel(m.info(ModelStatus.READY), bytes, ModelCodec.checksum(bytes)));
                Entry e = entry(m);
                cache.put(sensor, e);
                return e.info();
            } finally {
                runningJobs.decrementAndGet();
                trainingSlots.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryLaterException(RetryLaterException.Reason.CAPACITY,
                    "training of " + sensor + " was interrupted while waiting for a training slot", Duration.ZERO, e);
        } finally {
            training.remove(sensor);
        }
    }

    private Entry usable(SensorId sensor) {
        Entry e = cache.get(sensor);
        if (e == null) {
            e = loadFromStore(sensor, null);
        }
        if (e == null) {
            throw new UnknownSensorException(sensor);
        }
        if (e.model() == null) {
            throw new BadRequestException("sensor_key", "the stored model of " + sensor
                    + " is damaged or from an incompatible version; train it again");
        }
        return e;
    }

    /** A request resolved to its model and input window. */
    private record Prepared(Entry entry, double[] window, java.time.Instant lastObserved) {
    }

    private Prepared prepare(ForecastRequest r) {
        Entry e = usable(r.sensor());
        TrainedModel m = e.model();
        // The gap limit is a duration; in steps it depends on the model's interval, which a training
        // request may have overridden.
        int maxGapSteps = (int) (settings.maxGap().toMillis() / m.interval().toMillis());
        List<SeriesPreparer.Segment> segs = SeriesPreparer.prepare(r.sensor(), r.recent(), m.interval(), maxGapSteps);
        SeriesPreparer.Segment last = segs.isEmpty() ? null : SeriesPreparer.latest(segs);
        int available = last == null ? 0 : last.length();
        if (available < m.sequenceLength()) {
            throw new InsufficientHistoryException(r.sensor(), m.sequenceLength(), available, "a forecast");
        }
        e.online().observe(last.start(), m.interval(), last.values());
        double[] v = last.values();
        double[] window = java.util.Arrays.copyOfRange(v, v.length - m.sequenceLength(), v.length);
        return new Prepared(e, window, last.end(m.interval()));
    }

    private Forecast build(SensorId sensor, Prepared p, float[] out, int offset) {
        TrainedModel m = p.entry().model();
        double[] alpha = new double[m.horizon()];
        for (int h = 0; h < alpha.length; h++) {
            alpha[h] = p.entry().online().alpha(h);
        }
        double[][] candidates = m.candidates(p.window(), out, offset);
        Method[] perStep = p.entry().online().served();
        double[] values = new double[m.horizon()];
        java.util.EnumSet<Method> used = java.util.EnumSet.noneOf(Method.class);
        for (int h = 0; h < values.length; h++) {
            Method chosen = candidates[perStep[h].ordinal()] != null ? perStep[h] : m.method();
            values[h] = candidates[chosen.ordinal()][h];
            used.add(chosen);
        }
        String method = used.size() == 1 ? used.iterator().next().wireName() : "per_step";
        String reason = used.equals(java.util.EnumSet.of(m.method())) ? m.methodReason()
                : "recent errors on actual readings now favour " + describeSteps(perStep) + " (chosen at training: "
                        + m.methodReason() + ")";
        Forecast f = new Forecast(sensor, clock.instant(), p.lastObserved(), p.window()[p.window().length - 1],
                m.interval(), m.coverage(), method, reason, m.modelVersion(),
                m.points(p.window(), values, p.lastObserved(), alpha));
        p.entry().online().issued(f, candidates);
        return f;
    }

    private static String describeSteps(Method[] perStep) {
        StringBuilder sb = new StringBuilder();
        int start = 0;
        for (int h = 1; h <= perStep.length; h++) {
            if (h == perStep.length || perStep[h] != perStep[start]) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(perStep[start].wireName()).append(" for step").append(h - start > 1 ? "s " : " ")
                        .append(start + 1).append(h - start > 1 ? "-" + h : "");
                start = h;
            }
        }
        return sb.toString();
    }

    @Override
    public Forecast forecast(ForecastRequest request) {
        started();
        Prepared p = prepare(request);
        // The network runs for every forecast: the online selection may switch to the LSTM or blend at any time.
        float[] out = runNetwork(p.entry().model(), List.of(p.window()));
        return build(request.sensor(), p, out, 0);
    }

    @Override
    public BatchForecast forecastBatch(List<ForecastRequest> requests) {
        started();
        Map<SensorId, Forecast> done = new LinkedHashMap<>();
        Map<SensorId, PrognosException> failed = new LinkedHashMap<>();
        // Requests sharing a model go through the network in one call.
        Map<String, List<Prepared>> byModel = new LinkedHashMap<>();
        Map<Prepared, SensorId> sensors = new java.util.IdentityHashMap<>();
        for (ForecastRequest r : requests) {
            try {
                Prepared p = prepare(r);
                byModel.computeIfAbsent(p.entry().model().modelVersion(), k -> new ArrayList<>()).add(p);
                sensors.put(p, r.sensor());
            } catch (PrognosException e) {
                failed.put(r.sensor(), e);
            }
        }
        for (List<Prepared> group : byModel.values()) {
            TrainedModel m = group.get(0).entry().model();
            List<double[]> windows = new ArrayList<>(group.size());
            group.forEach(p -> windows.add(p.window()));
            float[] out = runNetwork(m, windows);
            for (int i = 0; i < group.size(); i++) {
                Prepared p = group.get(i);
                done.put(sensors.get(p), build(sensors.get(p), p, out, i * m.horizon()));
            }
        }
        return new BatchForecast(done, failed);
    }

    private float[] runNetwork(TrainedModel m, List<double[]> windows) {
        int seq = m.sequenceLength();
        float[] x = new float[windows.size() * seq * Scaler.FEATURES];
        for (int i = 0; i < windows.size(); i++) {
            m.scaler().features(windows.get(i), x, i * seq * Scaler.FEATURES);
        }
        if (settings.engine() == LstmEngine.Kind.SAMEDIFF) {
            LstmNetwork net = networks.borrow(m.shape());
            try (INDArray in = Nd4j.createFromArray(x).reshape(windows.size(), seq, Scaler.FEATURES)) {
                net.load(m.modelVersion(), m.parameters());
                try (INDArray out = net.predict(in)) {
                    return out.data().asFloat();
                }
            } finally {
                networks.giveBack(net);
            }
        }
        return JavaLstm.forInference(m.shape(), m.parameters()).predict(x, windows.size(), seq);
    }

    /** Most training jobs that ever ran at once: lets a host verify the thread limit holds. */
    public int peakConcurrentTrainings() {
        return peakJobs.get();
    }

    /** For tests and diagnostics: the online state of a sensor's model. */
    OnlineState onlineState(SensorId sensor) {
        Entry e = cache.get(sensor);
        return e == null ? null : e.online();
    }

    @Override
    public RiskAssessment assessRisk(Forecast forecast, OperatingLimits limits) {
        started();
        Entry e = cache.get(forecast.sensor());
        OnlineState online = e != null ? e.online() : null;
        double nominal = 1 - forecast.coverage();
        return risk.assess(forecast, limits == null ? OperatingLimits.none() : limits,
                online != null ? online.missRate() : nominal, nominal,
                online != null ? online.scoredCount() : 0, clock.instant());
    }

    @Override
    public List<ScheduleEntry> schedule(Collection<RiskAssessment> assessments, Duration window) {
        return scheduler.schedule(assessments, window);
    }

    @Override
    public List<ModelInfo> models() {
        started();
        List<ModelInfo> out = new ArrayList<>();
        cache.forEach((sensor, e) -> out.add(training.containsKey(sensor) ? e.info().withStatus(ModelStatus.TRAINING)
                : e.info()));
        out.sort((a, b) -> a.sensor().compareTo(b.sensor()));
        return out;
    }

    @Override
    public Optional<ModelInfo> model(SensorId sensor) {
        started();
        Entry e = cache.get(sensor);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    @Override
    public boolean deleteModel(SensorId sensor) {
        started();
        if (training.containsKey(sensor)) {
            throw RetryLaterException.modelBusy(sensor);
        }
        boolean cached = cache.remove(sensor) != null;
        return store.delete(sensor) || cached;
    }
}
