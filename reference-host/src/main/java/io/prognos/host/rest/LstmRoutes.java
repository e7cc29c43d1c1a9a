package io.prognos.host.rest;

import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.SensorService;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prognos.api.Capability;
import io.prognos.api.ConfigDef;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import io.prognos.api.UnknownSensorException;
import io.prognos.mqtt.Payloads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code /api/v1/lstm} routes of the original system, answering in its field names. */
public final class LstmRoutes {

    public static final String BASE = "/api/v1/lstm";
    private static final Set<String> KNOWN = Set.of("status", "train", "predict", "models", "maintenance-schedule",
            "test");

    private final HostRuntime runtime;
    private final ObjectMapper json;
    private final Payloads payloads;

    LstmRoutes(HostRuntime runtime, ObjectMapper json) {
        this.runtime = runtime;
        this.json = json;
        this.payloads = new Payloads(json);
    }

    /** A low-cardinality name of the route for metrics. */
    public String routeName(String path) {
        if (!path.startsWith(BASE + "/")) {
            return path.equals("/health") || path.equals("/metrics") || path.equals("/openapi.json") ? path : "other";
        }
        String first = path.substring(BASE.length() + 1).split("/")[0];
        return KNOWN.contains(first) ? BASE + "/" + first : "other";
    }

    public RestApi.Reply route(String method, String path, Map<String, String> query, JsonNode body) {
        if (!path.startsWith(BASE + "/")) {
            throw new RestApi.HttpError(404, null, "no such path " + path + "; the API is under " + BASE);
        }
        String[] parts = path.substring(BASE.length() + 1).split("/");
        String name = parts[0];
        switch (name) {
            case "status" -> {
                allow(method, "GET");
                return RestApi.Reply.ok(status());
            }
            case "train" -> {
                allow(method, "POST");
                return RestApi.Reply.ok(train(body));
            }
            case "predict" -> {
                allow(method, "POST");
                return RestApi.Reply.ok(predict(body));
            }
            case "maintenance-schedule" -> {
                allow(method, "GET");
                return RestApi.Reply.ok(schedule(query));
            }
            case "test" -> {
                allow(method, "GET", "POST");
                return RestApi.Reply.ok(selfTest());
            }
            case "models" -> {
                if (parts.length == 1) {
                    allow(method, "GET");
                    return RestApi.Reply.ok(models());
                }
                if (parts.length == 3) {
                    SensorId sensor = SensorId.of(parts[1], parts[2]);
                    allow(method, "GET", "DELETE");
                    return RestApi.Reply.ok(method.equals("GET") ? model(sensor) : delete(sensor));
                }
                throw new RestApi.HttpError(404, null, "use " + BASE + "/models or " + BASE
                        + "/models/{device_id}/{sensor_key}");
            }
            default -> throw new RestApi.HttpError(404, null, "no such path " + path + "; known: " + KNOWN);
        }
    }

    private static void allow(String method, String... allowed) {
        if (!List.of(allowed).contains(method)) {
            throw new RestApi.MethodNotAllowed(String.join(", ", allowed), "method " + method + " not allowed; use "
                    + String.join(" or ", allowed));
        }
    }

    private ObjectNode status() {
        ForecastingPlugin p = runtime.plugin();
        Set<Capability> caps = p.capabilities();
        ObjectNode root = json.createObjectNode();
        ObjectNode engine = root.putObject("forecasting_engine");
        engine.put("status", "operational");
        engine.put("optimization_mode", "cpu_optimized");
        engine.put("framework_version", p.engineVersion());
        engine.put("plugin_id", p.id());
        engine.put("plugin_version", p.version());
        engine.put("spi_version", p.spiVersion());
        ObjectNode c = engine.putObject("capabilities");
        c.put("time_series_forecasting", caps.contains(Capability.TIME_SERIES_FORECASTING));
        c.put("failure_prediction", caps.contains(Capability.FAILURE_PREDICTION));
        c.put("maintenance_scheduling", caps.contains(Capability.MAINTENANCE_SCHEDULING));
        c.put("confidence_intervals", caps.contains(Capability.CONFIDENCE_INTERVALS));
        c.put("batch_forecasting", caps.contains(Capability.BATCH_FORECASTING));
        c.put("model_persistence", caps.contains(Capability.MODEL_PERSISTENCE));
        c.put("default_forecast_horizon_hours", horizonHours(p));
        c.put("default_sequence_length", intSetting(p, "sequence-length", 30));
        engine.put("models_loaded", p.models().size());
        ObjectNode host = root.putObject("host");
        host.put("threads", Integer.parseInt(runtime.maskedConfig().get("prognos.threads")));
        host.put("mqtt", runtime.mqtt() == null ? "disabled" : "enabled");
        host.put("readings_received", runtime.mqtt() == null ? 0 : runtime.mqtt().readingsReceived());
        ObjectNode config = root.putObject("configuration");
        runtime.maskedConfig().forEach(config::put);
        return root;
    }

    /** A plugin key's effective value: configured, else its declared default. */
    private String setting(ForecastingPlugin p, String suffix) {
        String key = p.id() + "." + suffix;
        String configured = runtime.maskedConfig().get(key);
        if (configured != null) {
            return configured;
        }
        return p.configDef().keys().stream().filter(k -> k.name().equals(key)).map(ConfigDef.Key::defaultValue)
                .findFirst().orElse(null);
    }

    private int intSetting(ForecastingPlugin p, String suffix, int fallback) {
        String v = setting(p, suffix);
        return v == null ? fallback : Integer.parseInt(v.trim());
    }

    private double horizonHours(ForecastingPlugin p) {
        String interval = setting(p, "interval");
        double hours = interval == null ? 1 : ConfigDef.parseDuration(interval).toMillis() / 3_600_000.0;
        double h = intSetting(p, "horizon", 12) * hours;
        return h;
    }

    private ObjectNode train(JsonNode body) {
        SensorId sensor = sensor(body);
        TrainingOptions options = new TrainingOptions(optInt(body, "sequence_length"), optInt(body, "forecast_horizon"),
                optInt(body, "epochs"), optInt(body, "batch_size"), optInt(body, "patience"),
                body.hasNonNull("interval") ? duration(body, "interval") : null);
        ModelInfo m = runtime.service().train(sensor, options);
        ObjectNode o = json.createObjectNode();
        o.put("success", true);
        o.put("training_time_seconds", m.trainingMillis() / 1000.0);
        o.put("val_mae", m.valMae());
        o.put("forecast_horizon", m.horizon());
        o.set("model", model(m));
        return o;
    }

    private ObjectNode predict(JsonNode body) {
        SensorId sensor = sensor(body);
        OperatingLimits override = body.hasNonNull("limits") ? limits(body.get("limits")) : null;
        SensorService.Prediction p = runtime.service().predict(sensor, override);
        ObjectNode o = payloads.forecast(p.forecast());
        o.put("success", true);
        o.put("forecast_horizon_hours", p.forecast().interval().multipliedBy(p.forecast().horizon()).toMillis()
                / 3_600_000.0);
        o.set("failure_risk", payloads.risk(p.risk()));
        return o;
    }

    private ObjectNode schedule(Map<String, String> query) {
        double days;
        try {
            days = Double.parseDouble(query.getOrDefault("days_ahead", "7"));
        } catch (NumberFormatException e) {
            throw new RestApi.HttpError(400, "days_ahead", "days_ahead must be a number of days, got '"
                    + query.get("days_ahead") + "'");
        }
        if (!(days > 0 && days <= 366)) {
            throw new RestApi.HttpError(400, "days_ahead", "days_ahead must be above 0 and at most 366, got " + days);
        }
        SensorService.Schedule s = runtime.service().schedule(Duration.ofMinutes(Math.round(days * 1440)));
        ObjectNode o = payloads.schedule(s.entries());
        o.put("success", true);
        o.put("days_ahead", days);
        o.put("sensors_assessed", s.assessed());
        ObjectNode skipped = o.putObject("sensors_skipped");
        s.skipped().forEach((sensor, why) -> skipped.put(sensor.toString(), why));
        return o;
    }

    private ObjectNode models() {
        ObjectNode o = json.createObjectNode();
        o.put("success", true);
        List<ModelInfo> all = runtime.plugin().models();
        o.put("model_count", all.size());
        ArrayNode arr = o.putArray("models");
        all.forEach(m -> arr.add(model(m)));
        return o;
    }

    private ObjectNode model(SensorId sensor) {
        ModelInfo m = runtime.plugin().model(sensor).orElseThrow(() -> new UnknownSensorException(sensor));
        ObjectNode o = json.createObjectNode();
        o.put("success", true);
        o.set("model", model(m));
        return o;
    }

    private ObjectNode delete(SensorId sensor) {
        if (!runtime.plugin().deleteModel(sensor)) {
            throw new UnknownSensorException(sensor);
        }
        ObjectNode o = json.createObjectNode();
        o.put("success", true);
        o.put("deleted", sensor.toString());
        return o;
    }

    private ObjectNode model(ModelInfo m) {
        return modelNode(json, m);
    }

    /** A model's metadata in the original API's field names, plus what is new. */
    public static ObjectNode modelNode(ObjectMapper json, ModelInfo m) {
        ObjectNode n = json.createObjectNode();
        n.put("device_id", m.sensor().deviceId());
        n.put("sensor_key", m.sensor().sensorKey());
        n.put("sequence_length", m.sequenceLength());
        n.put("forecast_horizon", m.horizon());
        n.put("train_loss", m.trainLoss());
        n.put("val_loss", m.valLoss());
        n.put("val_mae", m.valMae());
        n.put("baseline_mae", m.baselineMae());
        n.put("mase", m.mase());
        n.put("served_method", m.servedMethod());
        n.put("interval_seconds", m.interval().toSeconds());
        n.put("epochs_run", m.epochsRun());
        n.put("sample_count", m.sampleCount());
        n.put("training_time_seconds", m.trainingMillis() / 1000.0);
        n.put("trained_at", m.trainedAt().toString());
        n.put("model_version", m.modelVersion());
        n.put("status", m.status().name().toLowerCase());
        return n;
    }

    /**
     * Trains and forecasts a generated daily cycle with a slow rise under its own sensor id,
     * deletes that model again, and says what it did and how long each step took.
     */
    private ObjectNode selfTest() {
        SensorId sensor = SensorId.of("prognos-self-test", "sine");
        Instant now = Instant.now();
        List<Reading> series = new ArrayList<>();
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 400; i++) {
            series.add(new Reading(now.minus(Duration.ofHours(400 - i)),
                    50 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.01 * i + 0.3 * r.nextGaussian()));
        }
        ForecastingPlugin p = runtime.plugin();
        long t0 = System.nanoTime();
        ModelInfo m = p.train(new TrainRequest(sensor, series));
        long t1 = System.nanoTime();
        var f = p.forecast(new io.prognos.api.ForecastRequest(sensor, series.subList(series.size() - 48, series.size())));
        long t2 = System.nanoTime();
        p.deleteModel(sensor);
        ObjectNode o = json.createObjectNode();
        o.put("success", true);
        o.put("description", "trained on 400 generated hourly readings (daily cycle, slow rise, noise),"
                + " forecast the next " + f.horizon() + " hours, then deleted the test model");
        o.put("training_time_seconds", (t1 - t0) / 1e9);
        o.put("prediction_time_ms", (t2 - t1) / 1e6);
        o.put("val_mae", m.valMae());
        o.put("baseline_mae", m.baselineMae());
        o.put("served_method", m.servedMethod());
        o.put("forecast_points", f.points().size());
        o.put("plugin", p.id() + " " + p.version());
        return o;
    }

    private static SensorId sensor(JsonNode body) {
        return SensorId.of(text(body, "device_id"), text(body, "sensor_key"));
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new RestApi.HttpError(400, field, field + " is required");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new RestApi.HttpError(400, field, field + " must be a non-empty string");
        }
        return v.asText();
    }

    private static Integer optInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new RestApi.HttpError(400, field, field + " must be a whole number, got " + v);
        }
        return v.intValue();
    }

    private static Double optDouble(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new RestApi.HttpError(400, "limits." + field, "limits." + field + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static Duration duration(JsonNode body, String field) {
        try {
            return ConfigDef.parseDuration(body.get(field).asText());
        } catch (RuntimeException e) {
            throw new RestApi.HttpError(400, field, field + " must be a duration such as 1h or 15m, got "
                    + body.get(field));
        }
    }

    private static OperatingLimits limits(JsonNode n) {
        if (!n.isObject()) {
            throw new RestApi.HttpError(400, "limits", "limits must be an object with low, warning_low,"
                    + " warning_high and high");
        }
        return new OperatingLimits(optDouble(n, "low"), optDouble(n, "warning_low"), optDouble(n, "warning_high"),
                optDouble(n, "high"));
    }
}
