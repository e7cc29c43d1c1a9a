package io.prognos.lstm;

import io.prognos.api.SensorId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when a stored model serves with settings other than the configured ones. A model serves as
 * it was trained (its horizon, window, units, interval, coverage): a plant that changed {@code
 * lstm.horizon} from 12 to 24 and restarted got 12-step forecasts from every stored model until
 * each sensor was trained again, and nothing said why. Said once per distinct difference, naming
 * the first sensor met, not once per model (a fleet's models all differ the same way). A model
 * trained with options of its own is compared with the configured settings under its options, those
 * it is trained again with ({@link TrainedModel#trainOptions}): a model trained with {@code
 * forecast_horizon=6} keeps 6 steps, nothing to say; one of an earlier format, which does not
 * know its options, is told as before.
 */
final class SettingsDrift {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsDrift.class);
    /** Distinct differences told at most; beyond, a fleet of per-sensor options would fill the log. */
    private static final int MAX_TOLD = 100;

    private final Set<String> told = ConcurrentHashMap.newKeySet();

    /** The settings in which {@code m} differs from {@code s}, as "key trained (configured now)"; empty when none. */
    static List<String> differences(LstmSettings s, TrainedModel m) {
        List<String> d = new ArrayList<>();
        if (m.horizon() != s.horizon()) {
            d.add("lstm.horizon " + m.horizon() + " (configured " + s.horizon() + ")");
        }
        if (m.sequenceLength() != s.sequenceLength()) {
            d.add("lstm.sequence-length " + m.sequenceLength() + " (configured " + s.sequenceLength() + ")");
        }
        if (m.units() != s.units()) {
            d.add("lstm.units " + m.units() + " (configured " + s.units() + ")");
        }
        if (s.interval() != null && !s.interval().isZero() && !s.interval().equals(m.interval())) {
            d.add("lstm.interval " + m.interval() + " (configured " + s.interval() + ")");
        }
        if (m.coverage() != s.coverage()) {
            d.add("lstm.coverage " + m.coverage() + " (configured " + s.coverage() + ")");
        }
        return d;
    }

    /**
     * The settings a model trained with {@code options} is trained again with: {@code s} under
     * those of them the plugin still takes, as the host leaves out the others (said at WARN when it
     * retrains). All were dropped when one was refused, and a model trained with {@code
     * forecast_horizon=6} and an option refused since was told to drift from the configured 12
     * steps, which its retraining keeps.
     */
    static LstmSettings asRetrained(LstmSettings s, Map<String, String> options) {
        Map<String, String> kept = new HashMap<>(options);
        LstmSettings.TRAIN_OPTIONS.validate(options).forEach(p -> kept.remove(p.key())); // each problem is one key's
        return s.with(kept);
    }

    /** Logs the differences of a model read from the store, when they have not been told before. */
    void tell(SensorId sensor, TrainedModel m, LstmSettings s) {
        List<String> d = differences(asRetrained(s, m.trainOptions()), m);
        if (d.isEmpty()) {
            return;
        }
        String what = String.join(", ", d);
        if (told.size() < MAX_TOLD && told.add(what)) {
            LOG.info(
                    "stored model of {} serves as it was trained, with {}; it and any other trained so take the"
                            + " configured settings when trained again (said once)",
                    sensor,
                    what);
        }
    }
}
