package io.prognos.host.dashboard;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.ForecastMessage;
import io.prognos.host.core.wire.ModelMessage;
import io.prognos.host.core.wire.PredictRequestMessage;
import io.prognos.host.core.wire.RiskMessage;
import io.prognos.host.core.wire.ScheduleMessage;
import io.prognos.jdbc.AlertsTable;
import io.prognos.jdbc.LatestResults;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's two views as JSON ({@code GET fleet} and {@code GET sensors/{device}/{sensor}}),
 * built from what the cycle last produced ({@link FleetWatch}), the plugin's models and the stored
 * readings. Field names are the wire's (risk, forecast, model) so that a page and a script read
 * the same words.
 */
public final class FleetReplies {

    private FleetReplies() {}

    /** {@code GET fleet}: one row per sensor with a model or a result, the counts per level, recent alerts, the schedule. */
    public record Fleet(
            boolean success,
            Instant generatedAt,
            int sensorCount,
            Map<String, Integer> levelCounts,
            List<Row> sensors,
            List<AlertRow> alerts,
            ScheduleMessage schedule) {}

    /** One sensor in the fleet table; null where there is nothing yet (no forecast, no model). */
    public record Row(
            String deviceId,
            String sensorKey,
            String riskLevel,
            Integer riskScore,
            Double anomalyScore,
            Double timeToFailureHours,
            Double timeToFailureLowHours,
            Double timeToFailureHighHours,
            String recommendedAction,
            Double lastValue,
            Instant lastReadingAt,
            Double lastReadingAgeSeconds,
            String method,
            Double valRelmae,
            Instant trainedAt) {}

    /** {@code GET alerts}: every sensor's open alert, newest first. */
    public record OpenAlerts(boolean success, int count, List<OpenAlert> alerts) {}

    /**
     * An open alert: its id, as published on {@code prognos/alerts}, its raise as the dashboard lists
     * it, and the reading its sensor's newest assessment was based on (null when none is stored):
     * long past for a sensor that stopped reporting, whose alert no assessment will clear.
     */
    public record OpenAlert(String alertId, @JsonUnwrapped AlertRow raised, Instant latestBasedOn) {
        public static OpenAlert of(String alertId, FleetWatch.AlertEvent e, Instant latestBasedOn) {
            return new OpenAlert(alertId, AlertRow.of(e), latestBasedOn);
        }
    }

    /** An alert transition. */
    public record AlertRow(
            String deviceId,
            String sensorKey,
            Instant at,
            String state,
            String riskLevel,
            String previousLevel,
            String recommendedAction,
            String why) {
        public static AlertRow of(FleetWatch.AlertEvent e) {
            return new AlertRow(
                    e.sensor().deviceId(),
                    e.sensor().sensorKey(),
                    e.at(),
                    e.state(),
                    e.level(),
                    e.previousLevel(),
                    e.recommendedAction(),
                    e.why());
        }
    }

    /** {@code GET sensors/{device}/{sensor}}: what the sensor view draws. */
    public record SensorView(
            boolean success,
            String deviceId,
            String sensorKey,
            List<Point> readings,
            ForecastMessage forecast,
            RiskMessage risk,
            PredictRequestMessage.Limits limits,
            List<Point> anomalyScores,
            double anomalyThreshold,
            List<AlertRow> alerts,
            ModelMessage model,
            Coverage coverage,
            String trainingProblem,
            String forecastProblem) {}

    /** A time and a value. */
    public record Point(Instant ts, double value) {}

    /**
     * How many completed intervals fell inside the interval forecast for them, against the
     * nominal coverage the forecasts were made for; {@code share} is null before the first.
     */
    public record Coverage(int intervals, int inside, Double share, Double nominal) {}

    /** {@code PUT limits/{device}/{sensor}}: the limits now in force. */
    public record LimitsSet(
            boolean success,
            String deviceId,
            String sensorKey,
            PredictRequestMessage.Limits limits,
            String keptUntil) {}

    /**
     * Every sensor's open alert as stored, newest first, each with the reading its sensor's newest
     * assessment was based on: REST's {@code GET alerts} and MQTT's {@code requests/open-alerts}.
     */
    public static OpenAlerts openAlerts(AlertsTable alerts, LatestResults latest) {
        List<AlertsTable.Stored> stored = alerts.allOpen();
        Map<SensorId, Instant> newest = latest.newestBasedOn(
                stored.stream().map(AlertsTable.Stored::sensor).toList());
        List<OpenAlert> open = stored.stream()
                .map(a -> OpenAlert.of(a.alertId(), FleetWatch.event(a), newest.get(a.sensor())))
                .toList();
        return new OpenAlerts(true, open.size(), open);
    }

    public static Fleet fleet(FleetWatch watch, List<ModelInfo> models, Instant now) {
        Map<SensorId, FleetWatch.Track> tracks = new LinkedHashMap<>();
        watch.tracks().forEach(t -> tracks.put(t.sensor(), t));
        Map<SensorId, ModelInfo> bySensor = new TreeMap<>();
        models.forEach(m -> bySensor.put(m.sensor(), m));
        tracks.keySet().forEach(s -> bySensor.putIfAbsent(s, null));
        List<Row> rows = new ArrayList<>(bySensor.size());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (RiskLevel l : RiskLevel.values()) {
            counts.put(l.wireName(), 0);
        }
        counts.put("unknown", 0);
        bySensor.forEach((sensor, model) -> {
            Row row = row(sensor, tracks.get(sensor), model, now);
            rows.add(row);
            counts.merge(row.riskLevel() == null ? "unknown" : row.riskLevel(), 1, Integer::sum);
        });
        return new Fleet(
                true,
                now,
                rows.size(),
                counts,
                rows,
                watch.recentAlerts().stream().map(AlertRow::of).toList(),
                ScheduleMessage.of(watch.schedule()));
    }

    private static Row row(SensorId sensor, FleetWatch.Track t, ModelInfo m, Instant now) {
        RiskAssessment risk =
                t == null || t.result() == null ? null : t.result().risk();
        Instant last = t == null ? null : t.lastReadingAt();
        return new Row(
                sensor.deviceId(),
                sensor.sensorKey(),
                risk == null ? null : risk.level().wireName(),
                risk == null ? null : risk.score(),
                t == null || t.result() == null || t.result().anomaly() == null
                        ? null
                        : t.result().anomaly().score(),
                risk == null ? null : risk.timeToFailureHours(),
                risk == null ? null : risk.timeToFailureLowHours(),
                risk == null ? null : risk.timeToFailureHighHours(),
                risk == null ? null : risk.recommendedAction(),
                t == null ? null : t.lastValue(),
                last,
                last == null ? null : Duration.between(last, now).toMillis() / 1000.0,
                m == null ? null : m.servedMethod(),
                m == null ? null : finite(m.valRelmae()),
                m == null ? null : m.trainedAt());
    }

    public static SensorView sensor(
            SensorId sensor,
            List<Reading> readings,
            FleetWatch.Track t,
            ModelInfo model,
            PredictRequestMessage.Limits limits,
            double anomalyThreshold,
            String trainingProblem,
            String forecastProblem) {
        var result = t == null ? null : t.result();
        List<Point> scores = t == null
                ? List.of()
                : t.scores().stream()
                        .map(s -> new Point(Instant.ofEpochMilli(s.atMillis()), s.score()))
                        .toList();
        Coverage coverage = new Coverage(
                t == null ? 0 : t.intervalsChecked(),
                t == null ? 0 : t.intervalsInside(),
                t == null || t.intervalsChecked() == 0 ? null : t.intervalsInside() / (double) t.intervalsChecked(),
                result == null ? null : result.forecast().coverage());
        return new SensorView(
                true,
                sensor.deviceId(),
                sensor.sensorKey(),
                readings.stream().map(r -> new Point(r.timestamp(), r.value())).toList(),
                result == null ? null : ForecastMessage.of(result.forecast()),
                result == null ? null : RiskMessage.of(result.risk()),
                limits,
                scores,
                anomalyThreshold,
                t == null ? List.of() : t.alerts().stream().map(AlertRow::of).toList(),
                model == null ? null : ModelMessage.of(model),
                coverage,
                trainingProblem,
                forecastProblem);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
