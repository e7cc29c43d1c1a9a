package io.prognos.kafka;

import io.prognos.api.AnomalyScore;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.SensorFaults;
import io.prognos.host.core.TrainingRunner;
import io.prognos.host.core.wire.AlertMessage;
import io.prognos.host.core.wire.AnomalyMessage;
import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.ForecastMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingParser;
import io.prognos.host.core.wire.RiskMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream task's part of the sensor cycle: a reading record in, the sensor's context from the
 * task's stores, the shared {@link SensorCycle}, the context back, and what the cycle produced out
 * to the result topics, all in the task's transaction. A bad record goes to the errors topic with
 * where it was, and the stream goes on.
 */
final class ReadingsProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingsProcessor.class);

    /** How often a task looks for its sensors whose training finished. */
    static final Duration PUNCTUATE_EVERY = Duration.ofSeconds(1);

    private final SensorCycle cycle;
    private final TrainingRunner trainer;
    private final ForecastingPlugin plugin;
    private final SensorKeys keys;
    private final ReadingParser parser;
    private final Rejections rejections;
    private final TrainedSensors trained;
    private final KafkaMeters meters;
    private final Clock clock;
    private final int maxInMemory;
    private final Function<SensorId, AlertEpisodes.Open> openAlerts;
    private final SensorFaults faults = new SensorFaults(LOG);
    private final double anomalyThreshold;
    private ProcessorContext<String, byte[]> context;
    private SensorStates states;

    ReadingsProcessor(
            SensorCycle cycle,
            TrainingRunner trainer,
            ForecastingPlugin plugin,
            KafkaSettings settings,
            TrainedSensors trained,
            KafkaMeters meters,
            Clock clock,
            int maxInMemory,
            Function<SensorId, AlertEpisodes.Open> openAlerts) {
        this.cycle = cycle;
        this.trainer = trainer;
        this.plugin = plugin;
        this.keys = new SensorKeys(settings.keySeparator());
        this.parser = settings.readingParser(clock);
        this.rejections = new Rejections(meters, clock);
        this.trained = trained;
        this.meters = meters;
        this.clock = clock;
        this.maxInMemory = maxInMemory;
        this.openAlerts = openAlerts;
        this.anomalyThreshold = plugin.describe().anomalyThreshold();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = new SensorStates(
                context.getStateStore(SensorStates.CONTEXTS),
                context.getStateStore(SensorStates.READINGS),
                plugin,
                openAlerts,
                cycle.settings().bufferSize(),
                maxInMemory);
        context.schedule(PUNCTUATE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        meters.received();
        SensorId sensor;
        ReadingParser.Parsed parsed;
        try {
            sensor = keys.parse(record.key());
            if (AlertCloseRecord.isClose(record.headers())) {
                closeAlert(record, sensor, AlertCloseRecord.parse(record.value()));
                return;
            }
            parsed = parser.parse(value(record));
        } catch (BadPayloadException e) {
            reject(record, e.reason(), e.getMessage());
            return;
        }
        rejections.reject(
                context,
                record,
                parsed.refused(),
                parsed.readings().isEmpty() ? "" : " (the record's other readings were kept)",
                PrognosTopology.ERRORS);
        if (!parsed.readings().isEmpty()) {
            process(record, sensor, parsed.readings());
        }
    }

    /** A record's value, which a reading record must have. */
    static byte[] value(Record<String, byte[]> record) throws BadPayloadException {
        if (record.value() == null) {
            throw new BadPayloadException("malformed_json", "a reading record needs a value; it had none");
        }
        return record.value();
    }

    private void process(Record<String, byte[]> record, SensorId sensor, List<Reading> readings) {
        SensorStates.Entry entry = states.get(sensor);
        SensorCycle.Outcome outcome = null;
        try {
            outcome = cycle.accept(entry.context, readings);
            faults.handled(sensor);
        } catch (PrognosException e) {
            // The plugin refused the readings (they are in the buffer): said, not dropped silently.
            reject(record, "refused", e.getMessage());
        } catch (RuntimeException e) {
            // A fault in the plugin or the cycle: the same record would fail again after a restart
            // of the task, so it is reported and the stream goes on instead of stopping at it.
            faults.fault(sensor, "readings of {} at " + where() + " could not be processed", e);
            reject(record, "internal_error", e.toString());
        }
        states.save(entry, readings);
        if (outcome != null) {
            if (outcome.lateMessage() != null) {
                // Said, as over MQTT: they were dropped without a word.
                reject(record, SensorCycle.Outcome.LATE_READING, outcome.lateMessage());
            }
            forward(outcome, record.timestamp());
        }
    }

    /**
     * An alert closed by a request ({@link AlertCloseRecord}): the episode of the sensor's context
     * ends, saved with it, and the close goes to the alerts topic with the newest risk the task holds
     * for the sensor (its fields left out when it holds none).
     */
    private void closeAlert(Record<String, byte[]> record, SensorId sensor, AlertCloseRecord.Close c) {
        RiskMessage risk = null;
        try {
            SensorStates.Entry e = states.find(sensor);
            if (e != null) {
                cycle.endAlertEpisode(e.context);
                states.saveContext(e);
                risk = e.context.latestRisk() == null ? null : RiskMessage.of(e.context.latestRisk());
            }
        } catch (RuntimeException e) {
            faults.fault(sensor, "the alert close of {} at " + where() + " could not end its episode", e);
            reject(record, "internal_error", e.toString());
            return;
        }
        send(
                keys.format(sensor),
                new AlertMessage(risk, c.alertId(), "closed", c.level(), c.note()),
                record.timestamp(),
                PrognosTopology.ALERTS);
    }

    private String where() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("punctuation");
    }

    /** Sensors trained since the last punctuation are forecast now; the time cadence too, when set. */
    private void punctuate(long now) {
        for (SensorId sensor : trained.take(s -> states.find(s) != null, now)) {
            SensorStates.Entry e = states.find(sensor);
            if (e != null) {
                tick(e, now);
            }
        }
        if (!cycle.settings().forecastInterval().isZero()) {
            for (SensorStates.Entry e : states.inMemory()) {
                tick(e, now);
            }
        }
    }

    private void tick(SensorStates.Entry e, long now) {
        SensorCycle.Outcome o;
        try {
            o = cycle.tick(e.context);
        } catch (RuntimeException x) {
            faults.fault(e.context.sensor(), "the forecast of {} at its punctuation failed", x);
            return;
        }
        if (o.result() != null || !o.anomalies().isEmpty()) {
            states.saveContext(e);
            forward(o, now);
        }
    }

    private void forward(SensorCycle.Outcome o, long timestamp) {
        String key = keys.format(o.sensor());
        for (AnomalyScore a : o.anomalies()) {
            send(key, AnomalyMessage.of(a, anomalyThreshold), timestamp, PrognosTopology.ANOMALY);
        }
        SensorCycle.Result r = o.result();
        if (r == null) {
            return;
        }
        send(key, ForecastMessage.of(r.forecast()), timestamp, PrognosTopology.FORECASTS);
        RiskMessage risk = RiskMessage.of(r.risk());
        send(key, risk, timestamp, PrognosTopology.RISK);
        SensorCycle.Alert alert = r.alert();
        if (alert != null) {
            AlertMessage m = new AlertMessage(
                    risk, alert.alertId(), alert.state(), alert.previousLevel().wireName(), null);
            send(key, m, timestamp, PrognosTopology.ALERTS);
        }
        meters.forecast();
    }

    private void send(String key, Object message, long timestamp, String sink) {
        context.forward(new Record<>(key, Json.bytes(message), timestamp), sink);
    }

    private void reject(Record<String, byte[]> record, String reason, String message) {
        rejections.reject(context, record, reason, message, PrognosTopology.ERRORS);
    }

    /**
     * The task leaves this host (its partition moved, or the host stops): trainings of its sensors
     * still queued or running here are cancelled, so that the sensor is trained by one host at a
     * time, the one that serves it now.
     */
    @Override
    public void close() {
        if (states != null) {
            if (trainer != null) {
                for (SensorStates.Entry e : states.inMemory()) {
                    if (trainer.cancel(e.context.sensor())) {
                        LOG.info("training of {} cancelled: its partition left this task", e.context.sensor());
                    }
                }
            }
            states.clearMemory();
        }
    }
}
