package io.prognos.host.rest;

import io.prognos.api.Capability;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.PluginDescription;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import io.prognos.host.core.RetrainOptions;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingOutOfMemory;
import io.prognos.host.core.wire.ModelMessage;
import io.prognos.host.core.wire.PredictReply;
import io.prognos.host.core.wire.PredictRequestMessage;
import io.prognos.host.core.wire.Requests;
import io.prognos.host.core.wire.ScheduleMessage;
import io.prognos.host.core.wire.TrainReply;
import io.prognos.host.core.wire.TrainRequestMessage;
import io.prognos.host.dashboard.FleetReplies;
import io.prognos.host.dashboard.FleetWatch;
import io.prognos.host.dashboard.StaticFiles;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.SensorService;
import io.prognos.jdbc.ForecastPoller;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** The {@code /api/v1/lstm} routes of the original system, answering in its field names. */
public final class LstmRoutes {

    static final String BASE = "/api/v1/lstm";
    private static final Set<String> KNOWN = Set.of(
            "status",
            "train",
            "predict",
            "models",
            "maintenance-schedule",
            "test",
            "fleet",
            "sensors",
            "limits",
            "readings",
            "alerts");
    /**
     * The query parameters each route reads; any other is refused, as an unknown body field is: a
     * typo such as {@code day_ahead=30} must not quietly answer with the default of 7 days.
     */
    private static final Map<String, List<String>> PARAMETERS = Map.of(
            "maintenance-schedule", List.of("days_ahead"), "sensors", List.of("hours"), "alerts", List.of("note"));
    /** The sensor view draws at most this many readings, the newest. */
    static final int VIEW_READINGS = 2_000;

    private final HostRuntime runtime;

    private final RestTrainings trainings;
    private final RestReadings readings;

    LstmRoutes(HostRuntime runtime, RestTrainings trainings, RestReadings readings) {
        this.runtime = runtime;
        this.trainings = trainings;
        this.readings = readings;
    }

    /** A low-cardinality name of the route for metrics. */
    String routeName(String path) {
        if (StaticFiles.serves(path)) {
            return "/dashboard";
        }
        if (!path.startsWith(BASE + "/")) {
            return path.equals("/health") || path.equals("/metrics") || path.equals("/openapi.json") ? path : "other";
        }
        String first = path.substring(BASE.length() + 1).split("/")[0];
        return KNOWN.contains(first) ? BASE + "/" + first : "other";
    }

    /** {@code clientGone} says whether the request's client has closed its connection (long requests look). */
    Object route(String method, String path, Map<String, String> query, byte[] body, BooleanSupplier clientGone) {
        if (!path.startsWith(BASE + "/")) {
            throw new RestApi.HttpError(404, null, "no such path " + path + "; the API is under " + BASE);
        }
        String[] parts = path.substring(BASE.length() + 1).split("/");
        for (int i = 0; i < parts.length; i++) {
            parts[i] = segment(parts[i]);
        }
        if (KNOWN.contains(parts[0])) {
            onlyParameters(query, PARAMETERS.getOrDefault(parts[0], List.of()));
        }
        switch (parts[0]) {
            case "status" -> {
                allow(method, "GET");
                return status();
            }
            case "train" -> {
                allow(method, "POST");
                TrainRequestMessage req = Requests.bind(body, TrainRequestMessage.class);
                return TrainReply.of(trainings.run(
                        req.sensor().toString(),
                        () -> TrainingOutOfMemory.told( // 503, not a bare 500
                                req.sensor(),
                                () -> runtime.service().train(req.sensor(), RetrainOptions.of(runtime.plugin(), req))),
                        clientGone));
            }
            case "predict" -> {
                allow(method, "POST");
                PredictRequestMessage req = Requests.bind(body, PredictRequestMessage.class);
                SensorCycle.Result r = runtime.service().predict(req.sensor(), req.limits());
                return PredictReply.of(
                        r.forecast(),
                        r.risk(),
                        r.anomaly(),
                        runtime.plugin().describe().anomalyThreshold());
            }
            case "maintenance-schedule" -> {
                allow(method, "GET");
                return schedule(query);
            }
            case "test" -> {
                allow(method, "GET", "POST");
                Requests.bind(body, Requests.NoFields.class);
                return selfTest();
            }
            case "models" -> {
                if (parts.length == 1) {
                    allow(method, "GET");
                    List<ModelMessage> models = runtime.plugin().models().stream()
                            .map(ModelMessage::of)
                            .toList();
                    return new Replies.Models(true, models.size(), models);
                }
                SensorId sensor = sensorIn(parts, "models");
                allow(method, "GET", "DELETE");
                if (method.equals("GET")) {
                    ModelInfo m = runtime.plugin().model(sensor).orElseThrow(() -> new UnknownSensorException(sensor));
                    return new Replies.Model(true, ModelMessage.of(m));
                }
                if (!runtime.plugin().deleteModel(sensor)) {
                    throw new UnknownSensorException(sensor);
                }
                return new Replies.Deleted(true, sensor.toString());
            }
            case "alerts" -> {
                if (parts.length != 1) {
                    SensorId sensor = sensorIn(parts, "alerts");
                    allow(method, "DELETE");
                    return runtime.alertClosing().answer(sensor, query.get("note"));
                }
                allow(method, "GET");
                onlyParameters(query, List.of()); // a note is a close's
                return FleetReplies.openAlerts(
                        runtime.jdbc().alerts(), runtime.jdbc().latest());
            }
            case "fleet" -> {
                allow(method, "GET");
                return FleetReplies.fleet(runtime.fleet(), runtime.plugin().models(), Instant.now());
            }
            case "sensors" -> {
                SensorId sensor = sensorIn(parts, "sensors");
                allow(method, "GET");
                return sensorView(sensor, query);
            }
            case "limits" -> {
                SensorId sensor = sensorIn(parts, "limits");
                allow(method, "GET", "PUT");
                if (method.equals("PUT")) {
                    runtime.limits()
                            .set(
                                    sensor,
                                    Requests.bind(body, PredictRequestMessage.Limits.class)
                                            .toLimits());
                }
                return new FleetReplies.LimitsSet(
                        true,
                        sensor.deviceId(),
                        sensor.sensorKey(),
                        PredictRequestMessage.Limits.of(runtime.limits().apply(sensor)),
                        "a PUT of {}, which returns to those of prognos.limits; kept in the database across"
                                + " restarts");
            }
            case "readings" -> {
                if (parts.length != 2 && parts.length != 3) {
                    throw new RestApi.HttpError(
                            404,
                            null,
                            "use " + BASE + "/readings/{device_id} (a device's payload) or " + BASE
                                    + "/readings/{device_id}/{sensor_key}");
                }
                allow(method, "POST");
                return readings.accept(parts[1], parts.length == 3 ? parts[2] : null, body);
            }
            default -> throw new RestApi.HttpError(404, null, "no such path " + path + "; known: " + KNOWN);
        }
    }

    private static SensorId sensorIn(String[] parts, String route) {
        if (parts.length != 3) {
            String list = route.equals("models") || route.equals("alerts") ? BASE + "/" + route + " or " : "";
            throw new RestApi.HttpError(404, null, "use " + list + BASE + "/" + route + "/{device_id}/{sensor_key}");
        }
        return SensorId.of(parts[1], parts[2]);
    }

    private FleetReplies.SensorView sensorView(SensorId sensor, Map<String, String> query) {
        double hours;
        try {
            hours = Double.parseDouble(query.getOrDefault("hours", "168"));
        } catch (NumberFormatException e) {
            throw new RestApi.HttpError(400, "hours", "hours must be a number, got '" + query.get("hours") + "'");
        }
        if (!(hours > 0 && hours <= 24 * 366)) {
            throw new RestApi.HttpError(400, "hours", "hours must be above 0 and at most 8784, got " + hours);
        }
        FleetWatch.Track track = runtime.fleet().track(sensor);
        ModelInfo model = runtime.plugin().model(sensor).orElse(null);
        List<Reading> readings =
                runtime.service().recentReadings(sensor, Duration.ofMillis((long) (hours * 3_600_000)), VIEW_READINGS);
        if (track == null && model == null && readings.isEmpty()) {
            throw new UnknownSensorException(sensor);
        }
        return FleetReplies.sensor(
                sensor,
                readings,
                track,
                model,
                PredictRequestMessage.Limits.of(runtime.limits().apply(sensor)),
                runtime.plugin().describe().anomalyThreshold(),
                runtime.trainingProblem(sensor),
                track == null ? null : track.noForecast());
    }

    /**
     * One raw path segment, percent-decoded: a device id with '/' (JDBC's sensors may have one) is
     * sent as {@code %2F}, as the dashboard does, and stays one segment; a '+' is itself, not a space.
     */
    static String segment(String raw) {
        // A malformed escape never gets here: the JDK's server refuses such a request line itself.
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void onlyParameters(Map<String, String> query, List<String> known) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw new RestApi.HttpError(
                        400,
                        name,
                        known.isEmpty()
                                ? "unknown parameter '" + name + "'; this route takes none"
                                : "unknown parameter '" + name + "'; known parameters are " + known);
            }
        }
    }

    private static void allow(String method, String... allowed) {
        if (!List.of(allowed).contains(method)) {
            throw new RestApi.MethodNotAllowed(
                    String.join(", ", allowed),
                    "method " + method + " not allowed; use " + String.join(" or ", allowed));
        }
    }

    private Replies.Status status() {
        ForecastingPlugin p = runtime.plugin();
        Set<Capability> caps = p.capabilities();
        PluginDescription d = p.describe();
        Double hours = d.interval() == null ? null : d.horizon() * d.interval().toMillis() / 3_600_000.0;
        Replies.Capabilities c = new Replies.Capabilities(
                caps.contains(Capability.TIME_SERIES_FORECASTING),
                caps.contains(Capability.FAILURE_PREDICTION),
                caps.contains(Capability.MAINTENANCE_SCHEDULING),
                caps.contains(Capability.CONFIDENCE_INTERVALS),
                caps.contains(Capability.BATCH_FORECASTING),
                caps.contains(Capability.MODEL_PERSISTENCE),
                caps.contains(Capability.ANOMALY_SCORES),
                hours != null ? hours : Double.valueOf(d.horizon()),
                d.horizon(),
                d.details().get("sequence_length"),
                d.interval() == null ? "detected per sensor" : d.interval().toString(),
                d.anomalyThreshold());
        Replies.Engine engine = new Replies.Engine(
                "operational",
                "cpu_optimized",
                p.engineVersion(),
                p.id(),
                p.version(),
                p.spiVersion(),
                c,
                p.models().size());
        Replies.Host host = new Replies.Host(
                runtime.trainingJobs(),
                runtime.mqtt() == null ? "disabled" : runtime.mqtt().isConnected() ? "connected" : "disconnected",
                runtime.mqtt() == null ? 0 : runtime.mqtt().readingsReceived(),
                runtime.contexts().size());
        Map<String, Object> kafka =
                runtime.kafka() == null ? null : runtime.kafka().status();
        return new Replies.Status(engine, host, kafka, poller(), new TreeMap<>(runtime.maskedConfig()));
    }

    private Replies.Poller poller() {
        ForecastPoller p = runtime.poller();
        if (p == null) {
            return null;
        }
        ForecastPoller.LastRun last = p.lastRun();
        if (last == null) {
            return new Replies.Poller(p.every().toString(), null, null, null, null, null, null);
        }
        ForecastPoller.RunReport r = last.report();
        return new Replies.Poller(
                p.every().toString(),
                last.endedAt(),
                r.sensors(),
                r.trained(),
                r.forecasts(),
                r.skipped(),
                r.completed());
    }

    private Replies.Schedule schedule(Map<String, String> query) {
        double days;
        try {
            days = Double.parseDouble(query.getOrDefault("days_ahead", "7"));
        } catch (NumberFormatException e) {
            throw new RestApi.HttpError(
                    400, "days_ahead", "days_ahead must be a number of days, got '" + query.get("days_ahead") + "'");
        }
        if (!(days > 0 && days <= 366)) {
            throw new RestApi.HttpError(400, "days_ahead", "days_ahead must be above 0 and at most 366, got " + days);
        }
        SensorService.Schedule s = runtime.service().schedule(Duration.ofMinutes(Math.round(days * 1440)));
        Map<String, String> skipped = new TreeMap<>();
        s.skipped().forEach((sensor, why) -> skipped.put(sensor.toString(), why));
        return new Replies.Schedule(true, ScheduleMessage.of(s.entries()), days, s.assessed(), skipped);
    }

    /**
     * Trains and forecasts a generated daily cycle with a slow rise under its own sensor id,
     * deletes that model again, and says what it did and how long each step took.
     */
    private Replies.SelfTest selfTest() {
        SensorId sensor = SensorId.of("prognos-self-test", "sine");
        Instant now = Instant.now();
        List<Reading> series = new ArrayList<>();
        Random r = new Random(1);
        for (int i = 0; i < 400; i++) {
            series.add(new Reading(
                    now.minus(Duration.ofHours(400 - i)),
                    50 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.01 * i + 0.3 * r.nextGaussian()));
        }
        ForecastingPlugin p = runtime.plugin();
        long t0 = System.nanoTime();
        ModelInfo m = p.train(new TrainRequest(sensor, series));
        long t1 = System.nanoTime();
        SensorState state = p.openState(sensor, null);
        p.observe(state, series.subList(series.size() - 100, series.size()));
        var f = p.forecast(state);
        long t2 = System.nanoTime();
        p.deleteModel(sensor);
        return new Replies.SelfTest(
                true,
                "trained on 400 generated hourly readings (daily cycle, slow rise," + " noise), forecast the next "
                        + f.horizon() + " intervals, then deleted the test model",
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e6,
                m.metric(ModelInfo.VAL_MAE),
                m.metric(ModelInfo.BASELINE_MAE),
                m.servedMethod(),
                f.points().size(),
                p.id() + " " + p.version());
    }
}
