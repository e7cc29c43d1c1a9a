package io.prognos.host.core.wire;

import io.prognos.api.ModelInfo;

/** The reply to a train request (REST and MQTT): the original API's fields, plus the model. */
public record TrainReply(
        boolean success, double trainingTimeSeconds, Double valMae, int forecastHorizon, ModelMessage model) {

    public static TrainReply of(ModelInfo m) {
        return new TrainReply(
                true, m.trainingMillis() / 1000.0, m.metric(ModelInfo.VAL_MAE), m.horizon(), ModelMessage.of(m));
    }
}
