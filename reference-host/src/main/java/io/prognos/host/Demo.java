package io.prognos.host;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The demo: trains models for three sensors, replays their readings hour by hour as a plant would
 * send them, forecasts and assesses risk at every hour, reports alerts as levels rise, and prints
 * the models, the current risk and the maintenance schedule.
 *
 * <p>One sensor is real: NAB's office ambient-temperature series, which ends in a system failure
 * (MIT licence, shipped with its notice). Two are generated so that the schedule has something to
 * rank: a bearing heating towards its limit and a stable fan motor current.
 */
final class Demo {

    /** A sensor in the demo: its readings, operating limits, and how much is history before the replay. */
    record DemoSensor(SensorId id, List<Reading> readings, OperatingLimits limits, int replayFrom) {
    }

    private final ForecastingPlugin plugin;
    private final PrintStream out;

    Demo(ForecastingPlugin plugin, PrintStream out) {
        this.plugin = plugin;
        this.out = out;
    }

    static List<DemoSensor> sensors() throws IOException {
        List<Reading> ambient;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Demo.class.getResourceAsStream("/demo/ambient_temperature_system_failure.csv"), StandardCharsets.UTF_8))) {
            ambient = CsvReadings.read(in, ",", 1);
        }
        Instant end = ambient.get(ambient.size() - 1).timestamp();
        Random r = new Random(7);
        List<Reading> bearing = new ArrayList<>();
        List<Reading> fan = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Instant t = end.minus(Duration.ofHours(599 - i));
            // Steady at 60 degrees for 380 hours, then heating by 0.15 degrees per hour.
            double heat = i < 380 ? 0 : 0.15 * (i - 380);
            bearing.add(new Reading(t, 60 + heat + 0.4 * Math.sin(2 * Math.PI * i / 24) + 0.2 * r.nextGaussian()));
            fan.add(new Reading(t, 12 + 0.3 * Math.sin(2 * Math.PI * i / 24) + 0.1 * r.nextGaussian()));
        }
        return List.of(
                new DemoSensor(SensorId.of("office-hvac", "ambient_temperature"), ambient,
                        OperatingLimits.between(58, 84), (int) (ambient.size() * 0.6)),
                new DemoSensor(SensorId.of("pump-2", "bearing_temperature"), bearing,
                        new OperatingLimits(null, null, 85.0, 94.0), 450),
                new DemoSensor(SensorId.of("fan-3", "motor_current"), fan, OperatingLimits.between(8, 16), 450));
    }

    void run(List<DemoSensor> sensors) {
        long started = System.nanoTime();
        out.printf("Prognos demo: plugin %s %s (%s), %d sensors%n", plugin.id(), plugin.version(), plugin.engineVersion(),
                sensors.size());
        int n = 0;
        for (DemoSensor s : sensors) {
            n++;
            out.printf("[%d/%d] training %s on %d readings ...%n", n, sensors.size(), s.id(), s.replayFrom());
            ModelInfo m = plugin.train(new TrainRequest(s.id(), s.readings().subList(0, s.replayFrom())));
            out.printf("      done in %.1f s: serving %s, validation MAE %.3f against %.3f for the last value%n",
                    m.trainingMillis() / 1000.0, m.servedMethod(), m.valMae(), m.baselineMae());
        }

        Map<SensorId, RiskAssessment> latest = new LinkedHashMap<>();
        Map<SensorId, Forecast> latestForecast = new LinkedHashMap<>();
        int forecasts = 0;
        int alerts = 0;
        // An alert is a rise to medium or above after a quiet day: level flapping around a threshold
        // within a day is one episode, as a receiver acting on alerts would want it.
        Duration quiet = Duration.ofHours(24);
        out.println("replaying the rest of each series hour by hour ...");
        for (DemoSensor s : sensors) {
            RiskLevel previous = RiskLevel.LOW;
            Instant lastRaised = Instant.MIN;
            List<Reading> all = s.readings();
            for (int i = s.replayFrom(); i <= all.size(); i++) {
                List<Reading> recent = all.subList(Math.max(0, i - 48), i);
                Forecast f;
                try {
                    f = plugin.forecast(new ForecastRequest(s.id(), recent));
                } catch (InsufficientHistoryException e) {
                    continue; // a gap in the data: nothing to forecast from until it refills
                }
                forecasts++;
                RiskAssessment a = plugin.assessRisk(f, s.limits());
                boolean rising = a.level().compareTo(previous) > 0 && a.level().atLeast(RiskLevel.MEDIUM);
                if (a.level().atLeast(RiskLevel.MEDIUM)) {
                    if (rising && f.lastObserved().isAfter(lastRaised.plus(quiet))) {
                        alerts++;
                        report(s, f, a, alerts);
                    } else if (rising && a.level().atLeast(RiskLevel.HIGH)) {
                        alerts++;
                        report(s, f, a, alerts);
                    }
                    lastRaised = f.lastObserved();
                }
                previous = a.level();
                latest.put(s.id(), a);
                latestForecast.put(s.id(), f);
            }
        }
        if (alerts > 12) {
            out.printf("  ... %d more alerts%n", alerts - 12);
        }
        printSummary(latest, latestForecast);
        out.printf(Locale.ROOT, "%d forecasts, %d alerts, %.1f s in all%n", forecasts, alerts,
                (System.nanoTime() - started) / 1e9);
    }

    private void report(DemoSensor s, Forecast f, RiskAssessment a, int alerts) {
        if (alerts <= 12) {
            out.printf("  ALERT %s %s at %s: %s (score %d) - %s%n", s.id(), a.level().wireName(), f.lastObserved(),
                    a.recommendedAction(), a.score(), String.join("; ", a.reasons()));
        }
    }

    private void printSummary(Map<SensorId, RiskAssessment> latest, Map<SensorId, Forecast> latestForecast) {
        out.println();
        out.println("Models");
        out.printf("  %-36s %-13s %10s %12s %6s%n", "sensor", "method", "val MAE", "last value", "MASE");
        for (ModelInfo m : plugin.models()) {
            out.printf(Locale.ROOT, "  %-36s %-13s %10.3f %12.3f %6.2f%n", m.sensor(), m.servedMethod(), m.valMae(),
                    m.baselineMae(), m.mase());
        }
        out.println();
        out.println("Current risk");
        for (RiskAssessment a : latest.values()) {
            Forecast f = latestForecast.get(a.sensor());
            out.printf(Locale.ROOT, "  %-36s %-8s score %3d  now %.2f, in %dh %.2f [%.2f, %.2f]%s%n", a.sensor(),
                    a.level().wireName(), a.score(), f.lastValue(), f.horizon(),
                    f.points().get(f.horizon() - 1).value(), f.points().get(f.horizon() - 1).lower(),
                    f.points().get(f.horizon() - 1).upper(),
                    a.timeToFailureHours() == null ? "" : String.format(Locale.ROOT, ", time to failure %.1f h",
                            a.timeToFailureHours()));
        }
        out.println();
        List<ScheduleEntry> schedule = plugin.schedule(latest.values(), Duration.ofDays(7));
        out.println("Maintenance schedule (next 7 days)");
        if (schedule.isEmpty()) {
            out.println("  nothing due");
        }
        for (ScheduleEntry e : schedule) {
            out.printf(Locale.ROOT, "  %d. %-14s %-8s %-30s act by %s - %s%n", e.priority(), e.deviceId(),
                    e.level().wireName(), e.worstSensor().sensorKey(), e.actBy(), e.recommendedAction());
        }
        out.println();
    }
}
