package io.prognos.host.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one wire format: what subscribers and REST clients parse. */
class WireFormatTest {

    static final SensorId PUMP = SensorId.of("pump-1", "temp");
    static final Instant LAST = Instant.parse("2025-06-01T10:00:00Z");

    /** A reader that refuses a key twice in one object, which most JSON libraries resolve silently. */
    static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static Forecast forecast() {
        List<ForecastPoint> points = new ArrayList<>();
        for (int h = 1; h <= 3; h++) {
            points.add(new ForecastPoint(LAST.plus(Duration.ofMinutes(30L * h)), h, 50 + h, 48, 52 + 2 * h));
        }
        return new Forecast(
                PUMP, LAST.plusSeconds(5), LAST, 50, Duration.ofMinutes(30), 0.9, "blend", "why", "v1", points);
    }

    static RiskAssessment risk() {
        return new RiskAssessment(
                PUMP,
                LAST.plusSeconds(5),
                LAST,
                75,
                RiskLevel.HIGH,
                3.5,
                2.0,
                null,
                0.6,
                0.2,
                Double.NaN,
                true,
                LAST.plus(Duration.ofHours(2)),
                "Plan maintenance within 2 hours",
                List.of("60 % probability of crossing high 90.0 within 1.5 h"));
    }

    static JsonNode strict(Object message) throws Exception {
        return STRICT.readTree(new String(Json.bytes(message), StandardCharsets.UTF_8));
    }

    @Test
    void anAlertCarriesTheRiskAtTheTopLevelWithEveryKeyOnceAndReadsBack() throws Exception {
        AlertMessage alert = new AlertMessage(RiskMessage.of(risk()), "a-1", "raised", "medium", null);
        JsonNode n = strict(alert);
        assertEquals("high", n.get("risk_level").asText());
        assertEquals(LAST.toString(), n.get("based_on").asText(), "the last reading's time, once");
        assertEquals("raised", n.get("state").asText());
        assertTrue(n.get("deviation_rate").isNull(), "NaN is written as null: JSON has no NaN");
        assertTrue(n.get("time_to_failure_high_hours").isNull());
        AlertMessage back = Json.mapper().readValue(Json.bytes(alert), AlertMessage.class);
        assertEquals(alert.risk().basedOn(), back.risk().basedOn(), "a subscriber reads back what was sent");
        assertTrue(Double.isNaN(back.risk().deviationRate()), "null reads back as NaN");
        assertEquals(alert.risk().reasons(), back.risk().reasons());
    }

    @Test
    void aCloseCarriesItsNoteAndARaiseHasNoNoteKeyAsBeforeNotes() throws Exception {
        JsonNode raise = strict(new AlertMessage(RiskMessage.of(risk()), "a-1", "raised", "medium", null));
        assertFalse(raise.has("note"), "a subscriber strict about keys reads a raise as it was published before");
        AlertMessage close = new AlertMessage(RiskMessage.of(risk()), "c-1", "closed", "high", "pump retired");
        JsonNode n = strict(close);
        assertEquals("closed", n.get("state").asText());
        assertEquals("pump retired", n.get("note").asText());
        assertEquals(
                "pump retired",
                Json.mapper().readValue(Json.bytes(close), AlertMessage.class).note());
    }

    @Test
    void aPredictReplyKeepsTheOriginalFieldNamesAndAddsTheAnomaly() throws Exception {
        AnomalyScore a =
                new AnomalyScore(PUMP, LAST.minus(Duration.ofMinutes(30)), LAST, 50.2, 0.7, 0.7, 0.1, 0, "surprise");
        JsonNode n = strict(PredictReply.of(forecast(), risk(), a, 0.57));
        assertEquals(3, n.get("forecasts").size());
        JsonNode p = n.get("forecasts").get(1);
        assertEquals(1, p.get("hours_ahead").asInt(), "two half-hour steps");
        assertEquals(52.0, p.get("predicted_value").asDouble());
        assertEquals(48.0, p.get("confidence_lower").asDouble());
        assertEquals(1.5, n.get("forecast_horizon_hours").asDouble());
        assertEquals("high", n.get("failure_risk").get("risk_level").asText());
        assertTrue(n.get("anomaly").get("anomalous").asBoolean(), "0.7 reaches the threshold 0.57");
        assertEquals(0.7, n.get("anomaly").get("anomaly_score").asDouble());
    }

    @Test
    void requestsNameTheFieldThatIsWrong() {
        assertEquals(
                "device_id",
                refused("{\"sensor_key\": \"t\"}", TrainRequestMessage.class).field());
        var notANumber = refused(
                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"limits\": {\"high\": \"x\"}}",
                PredictRequestMessage.class);
        assertEquals("limits.high", notANumber.field());
        assertEquals("limits.high must be a number", notANumber.getMessage());
        var notAnObject = refused("[1]", PredictRequestMessage.class);
        assertEquals("the request must be a JSON object", notAnObject.getMessage());
        assertEquals("body", notAnObject.field());
        // The JSON literal null binds to no object: refused as the other non-objects (it was bound to
        // null, and REST answered 500, MQTT not at all).
        for (Class<?> type : new Class<?>[] {PredictRequestMessage.class, TrainRequestMessage.class}) {
            var nothing = refused(" null ", type);
            assertEquals("the request must be a JSON object", nothing.getMessage());
            assertEquals("body", nothing.field());
        }
        var noLimits = refused("null", PredictRequestMessage.Limits.class);
        assertEquals("the request must be a JSON object", noLimits.getMessage());
        assertEquals(
                "body", refused("{\"device_id\": ", TrainRequestMessage.class).field());
        TrainRequestMessage ok = Requests.bind(
                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"epochs\": 5}".getBytes(StandardCharsets.UTF_8),
                TrainRequestMessage.class);
        assertEquals(Map.of("epochs", "5"), ok.options());
        assertFalse(ok.keepOptions());
        TrainRequestMessage keep = Requests.bind(
                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"keep_options\": true}"
                        .getBytes(StandardCharsets.UTF_8),
                TrainRequestMessage.class);
        assertTrue(keep.keepOptions());
        assertEquals(Map.of(), keep.options(), "keep_options is no option of the plugin's");
        // Text is text: a number or a truth value where an id or a note is asked is refused naming
        // the field, as text where a number is asked is (it was taken as its digits).
        for (String value : new String[] {"5", "5.5", "true"}) {
            var device = refused("{\"device_id\": " + value + ", \"sensor_key\": \"b\"}", PredictRequestMessage.class);
            assertEquals("device_id", device.field());
            assertEquals("device_id must be a string", device.getMessage());
            var sensor = refused("{\"device_id\": \"a\", \"sensor_key\": " + value + "}", TrainRequestMessage.class);
            assertEquals("sensor_key", sensor.field());
            var note = refused(
                    "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"note\": " + value + "}",
                    CloseAlertRequestMessage.class);
            assertEquals("note must be a string", note.getMessage());
        }
        var notABoolean = refused(
                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"keep_options\": 1}", TrainRequestMessage.class);
        assertEquals("keep_options", notABoolean.field());
        assertEquals("keep_options must be true or false", notABoolean.getMessage());
        // Options are the plugin's to check (by its declaration, naming the key): an object goes on as
        // its JSON text, and the plugin refuses it as a value of the wrong kind or an unknown key.
        TrainRequestMessage object = Requests.bind(
                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"epochs\": {\"x\": 1}}"
                        .getBytes(StandardCharsets.UTF_8),
                TrainRequestMessage.class);
        assertEquals(Map.of("epochs", "{\"x\":1}"), object.options());
        assertEquals(
                "limits.hi",
                refused(
                                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"limits\": {\"hi\": 1}}",
                                PredictRequestMessage.class)
                        .field());
        assertEquals(
                "limits.low",
                refused(
                                "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"limits\": {\"low\": 2, \"high\": 1}}",
                                PredictRequestMessage.class)
                        .field());
    }

    private static BadRequestException refused(String json, Class<?> type) {
        return assertThrows(
                BadRequestException.class, () -> Requests.bind(json.getBytes(StandardCharsets.UTF_8), type));
    }
}
