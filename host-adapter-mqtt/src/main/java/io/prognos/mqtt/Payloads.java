package io.prognos.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import java.time.Duration;
import java.util.List;

/** JSON payloads of the outgoing topics; field names follow the original REST API where it had them. */
public final class Payloads {

    public static final String SCHEMA_VERSION = "1";

    private final ObjectMapper json;

    public Payloads(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode forecast(Forecast f) {
        ObjectNode o = json.createObjectNode();
        o.put("device_id", f.sensor().deviceId());
        o.put("sensor_key", f.sensor().sensorKey());
        o.put("issued_at", f.issuedAt().toString());
        o.put("based_on", f.lastObserved().toString());
        o.put("last_value", f.lastValue());
        o.put("coverage", f.coverage());
        o.put("method", f.method());
        o.put("model_version", f.modelVersion());
        o.put("forecast_horizon", f.horizon());
        ArrayNode points = o.putArray("forecasts");
        for (ForecastPoint p : f.points()) {
            ObjectNode n = points.addObject();
            n.put("timestamp", p.timestamp().toString());
            n.put("steps_ahead", p.stepsAhead());
            // The original API's name; fractional for readings more often than hourly.
            double hours = Duration.between(f.lastObserved(), p.timestamp()).toMillis() / 3_600_000.0;
            if (hours == Math.rint(hours)) {
                n.put("hours_ahead", (long) hours);
            } else {
                n.put("hours_ahead", hours);
            }
            n.put("predicted_value", p.value());
            n.put("confidence_lower", p.lower());
            n.put("confidence_upper", p.upper());
        }
        return o;
    }

    public ObjectNode risk(RiskAssessment a) {
        ObjectNode o = json.createObjectNode();
        o.put("device_id", a.sensor().deviceId());
        o.put("sensor_key", a.sensor().sensorKey());
        o.put("assessed_at", a.assessedAt().toString());
        o.put("risk_level", a.level().wireName());
        o.put("risk_score", a.score());
        if (a.timeToFailureHours() != null) {
            o.put("time_to_failure_hours", a.timeToFailureHours());
        } else {
            o.putNull("time_to_failure_hours");
        }
        o.put("crossing_probability", a.crossingProbability());
        o.put("deviation_rate", a.deviationRate());
        o.put("limits_configured", a.limitsConfigured());
        o.put("recommended_action", a.recommendedAction());
        ArrayNode reasons = o.putArray("reasons");
        a.reasons().forEach(reasons::add);
        return o;
    }

    public ObjectNode schedule(List<ScheduleEntry> entries) {
        ObjectNode o = json.createObjectNode();
        o.put("schedule_count", entries.size());
        ArrayNode arr = o.putArray("schedule");
        for (ScheduleEntry e : entries) {
            ObjectNode n = arr.addObject();
            n.put("priority", e.priority());
            n.put("device_id", e.deviceId());
            n.put("sensor_key", e.worstSensor().sensorKey());
            n.put("risk_level", e.level().wireName());
            n.put("risk_score", e.score());
            if (e.timeToFailureHours() != null) {
                n.put("time_to_failure_hours", e.timeToFailureHours());
            } else {
                n.putNull("time_to_failure_hours");
            }
            n.put("act_by", e.actBy().toString());
            n.put("recommended_action", e.recommendedAction());
        }
        return o;
    }

    public byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }
}
