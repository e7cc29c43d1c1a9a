package io.prognos.host.core.wire;

import io.prognos.api.ModelInfo;
import java.time.Instant;

/**
 * A model's metadata on the wire, in the original REST API's field names plus what is new.
 * {@code mase} is kept one release as an alias of {@code val_relmae}: it was always the validation
 * MAE relative to the last value, never Hyndman and Koehler's MASE.
 */
public record ModelMessage(String deviceId, String sensorKey, int sequenceLength, int forecastHorizon,
                           double trainLoss, double valLoss, double valMae, double baselineMae, double valRelmae,
                           double mase, String servedMethod, long intervalSeconds, int epochsRun, int sampleCount,
                           double trainingTimeSeconds, Instant trainedAt, String modelVersion, String status) {

    public static ModelMessage of(ModelInfo m) {
        return new ModelMessage(m.sensor().deviceId(), m.sensor().sensorKey(), m.sequenceLength(), m.horizon(),
                m.trainLoss(), m.valLoss(), m.valMae(), m.baselineMae(), m.mase(), m.mase(), m.servedMethod(),
                m.interval().toSeconds(), m.epochsRun(), m.sampleCount(), m.trainingMillis() / 1000.0, m.trainedAt(),
                m.modelVersion(), m.status().name().toLowerCase(java.util.Locale.ROOT));
    }
}
