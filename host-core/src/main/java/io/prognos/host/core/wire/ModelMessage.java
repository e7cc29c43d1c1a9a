package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.prognos.api.ModelInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's metadata on the wire: the core facts, and the plugin's own figures by their names
 * beside them (for the LSTM plugin {@code val_mae}, {@code baseline_mae}, {@code sequence_length},
 * {@code train_loss}, {@code mase}, ...). {@code mase} was for a release an alias of {@code
 * val_relmae}, which is not Hyndman and Koehler's MASE; it is now the plugin's own figure, or absent.
 * {@code interval_offset_seconds}: where the intervals sit on the clock ({@link
 * ModelInfo#intervalOffset}; 1800 for an hourly sensor reporting on the hour, whose intervals run
 * from half past). {@code train_options}: the options the model was trained with ({@link
 * ModelInfo#trainOptions}), which the host's own retrainings repeat; empty when trained without any.
 */
public record ModelMessage(
        String deviceId,
        String sensorKey,
        int forecastHorizon,
        String servedMethod,
        long intervalSeconds,
        double intervalOffsetSeconds,
        int sampleCount,
        double trainingTimeSeconds,
        Instant trainedAt,
        String modelVersion,
        String status,
        Double valRelmae,
        Map<String, String> trainOptions,
        @JsonIgnore Map<String, Double> metrics) {

    public static ModelMessage of(ModelInfo m) {
        double relmae = m.valRelmae();
        return new ModelMessage(
                m.sensor().deviceId(),
                m.sensor().sensorKey(),
                m.horizon(),
                m.servedMethod(),
                m.interval().toSeconds(),
                m.intervalOffset().toMillis() / 1000.0,
                m.sampleCount(),
                m.trainingMillis() / 1000.0,
                m.trainedAt(),
                m.modelVersion(),
                m.status().name().toLowerCase(Locale.ROOT),
                relmae,
                new TreeMap<>(m.trainOptions()),
                m.metrics());
    }

    /** The plugin's figures, written beside the core fields. */
    @JsonAnyGetter
    public Map<String, Object> figures() {
        Map<String, Object> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put(
                k,
                v != null
                                && v == Math.rint(v)
                                && Math.abs(v) < 1e15
                                && (k.endsWith("_length")
                                        || k.endsWith("_run")
                                        || k.endsWith("_windows")
                                        || k.endsWith("_intervals"))
                        ? (Object) v.longValue()
                        : v));
        return out;
    }
}
