package io.prognos.mqtt;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.wire.AlertMessage;
import io.prognos.host.core.wire.AnomalyMessage;
import io.prognos.host.core.wire.ForecastMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.RiskMessage;
import io.prognos.host.core.wire.ScheduleMessage;
import java.util.List;

/**
 * Publishes what the cycle produces: forecasts retained with a message expiry of one horizon, risk
 * retained, every interval's anomaly score (not retained: it is a stream), alerts at QoS 1 with an
 * id, and the schedule retained.
 */
final class ResultPublisher implements SensorCycle.Listener {

    private final MqttConnection connection;
    private final Topics topics;
    private final double anomalyThreshold;

    ResultPublisher(MqttConnection connection, Topics topics, double anomalyThreshold) {
        this.connection = connection;
        this.topics = topics;
        this.anomalyThreshold = anomalyThreshold;
    }

    @Override
    public void anomalies(SensorId sensor, List<AnomalyScore> scores) {
        for (AnomalyScore a : scores) {
            connection.publish(new MqttConnection.Outbound(
                    topics.anomaly(sensor),
                    Json.bytes(AnomalyMessage.of(a, anomalyThreshold)),
                    0,
                    false,
                    null,
                    null,
                    null));
        }
    }

    @Override
    public void result(SensorCycle.Result r) {
        Forecast f = r.forecast();
        SensorId s = f.sensor();
        long horizonSeconds = f.interval().multipliedBy(f.horizon()).toSeconds();
        connection.publish(new MqttConnection.Outbound(
                topics.forecast(s),
                Json.bytes(ForecastMessage.of(f)),
                0,
                true,
                Math.max(1, horizonSeconds),
                null,
                f.modelVersion()));
        RiskMessage risk = RiskMessage.of(r.risk());
        connection.publish(
                new MqttConnection.Outbound(topics.risk(s), Json.bytes(risk), 1, true, null, null, f.modelVersion()));
        SensorCycle.Alert alert = r.alert();
        if (alert != null) {
            AlertMessage m = new AlertMessage(
                    risk, alert.alertId(), alert.state(), alert.previousLevel().wireName(), null);
            connection.publish(new MqttConnection.Outbound(
                    topics.alerts(s), Json.bytes(m), 1, false, null, null, f.modelVersion()));
        }
    }

    /**
     * A close on the alerts topic as a raise or clear is, with the sensor's newest risk (its fields
     * left out when none is known), state {@code closed}, the level closed as previous level and
     * the request's note (left out when it gave none).
     */
    @Override
    public void alertClosed(SensorCycle.ClosedAlert closed) {
        AlertMessage m = new AlertMessage(
                closed.risk() == null ? null : RiskMessage.of(closed.risk()),
                closed.alertId(),
                "closed",
                closed.level().wireName(),
                closed.note());
        connection.publish(
                new MqttConnection.Outbound(topics.alerts(closed.sensor()), Json.bytes(m), 1, false, null, null, null));
    }

    @Override
    public void schedule(List<ScheduleEntry> schedule) {
        connection.publish(new MqttConnection.Outbound(
                topics.schedule(), Json.bytes(ScheduleMessage.of(schedule)), 1, true, null, null, null));
    }
}
