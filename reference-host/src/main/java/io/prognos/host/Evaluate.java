package io.prognos.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prognos.api.BadRequestException;
import io.prognos.api.ConfigDef;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code evaluate} subcommand: how the plugin would have done on a CSV's own history. */
final class Evaluate {

    static final String USAGE = """
            usage: java -jar prognos-host.jar evaluate --csv FILE [options]

              --csv FILE            timestamp and value columns, with a header line
              --ts-column NAME      timestamp column (default: the first)
              --value-column NAME   value column (default: the second)
              --delimiter C         column separator (default ','; SKAB uses ';')
              --resample D          bucket means at this interval, e.g. 1h, 5m, 1s (default: the median spacing)
              --limits LOW,HIGH     operating limits for the risk (either may be empty)
              --windows FILE        labelled windows: a CSV of start,end[,failure] or NAB's combined_windows.json
              --train-fraction F    share of the series trained on before the first origin (default 0.7)
              --retrain-every D     retrain on everything seen so far at this interval (default: never)
              --season D            period of the seasonal baseline (default 24h)
              --json                one JSON object instead of the table
              --plot FILE.png       actuals, forecasts with interval bands, alerts and windows

            A rolling-origin backtest: train on the first part, then at every interval forecast the
            horizon from the readings up to that point only, and score it when the readings arrive.
            An alert is a risk level of medium or above; it counts for a labelled window from one window
            length before its start to its end, and otherwise as a false alert.
            """;

    private Evaluate() {
    }

    static int run(CommandLine cl, Map<String, String> config, PluginLoader.Loaded loaded, PrintStream out,
                   PrintStream err) throws Exception {
        if (!cl.has("csv")) {
            err.print(USAGE);
            throw new BadRequestException("--csv", "give the series with --csv FILE");
        }
        Path csv = Path.of(cl.option("csv", ""));
        List<Reading> readings = new ArrayList<>(PrognosHost.csv(cl));
        if (readings.size() < 3) {
            throw new BadRequestException("--csv", csv + " has " + readings.size() + " readings; a backtest needs more");
        }
        readings.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
        Duration interval = cl.has("resample") ? duration(cl, "resample") : medianSpacing(readings);
        Backtester.Resampled series = Backtester.Resampled.of(readings, interval);
        OperatingLimits limits = cl.has("limits") ? limits(cl.option("limits", "")) : OperatingLimits.none();
        List<LabelledWindows.Window> windows = cl.has("windows")
                ? LabelledWindows.read(Path.of(cl.option("windows", "")), csv.getFileName().toString()) : List.of();
        double fraction = Double.parseDouble(cl.option("train-fraction", "0.7"));
        if (!(fraction > 0.05 && fraction < 0.95)) {
            throw new BadRequestException("--train-fraction", "must be between 0.05 and 0.95, got " + fraction);
        }
        Duration retrain = cl.has("retrain-every") ? duration(cl, "retrain-every") : null;
        int period = (int) Math.max(0, (cl.has("season") ? duration(cl, "season") : Duration.ofHours(24)).toMillis()
                / interval.toMillis());

        var plugin = loaded.plugin();
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loaded.loader());
        Backtester.Result r;
        try {
            plugin.start(new PluginContext(CommandLine.withPrefix(config, plugin.id() + "."), new ThreadLimits(1, 1),
                    new InMemoryModelStore(), Clock.systemUTC()));
            r = new Backtester(plugin, fraction, retrain, Duration.ofHours(24))
                    .run(SensorId.of("evaluate", csv.getFileName().toString()), readings, series, limits, period);
        } finally {
            plugin.stop();
            Thread.currentThread().setContextClassLoader(before);
        }
        if (r.origins() == 0) {
            throw new BadRequestException("--resample", "no origin could be forecast: at " + interval
                    + " the test part never has a full input window of consecutive readings; try a finer --resample");
        }
        ObjectNode report = report(csv, readings.size(), series, r, windows, limits);
        if (cl.has("plot")) {
            Path png = Path.of(cl.option("plot", "evaluation.png"));
            EvaluationPlot.write(png, csv.getFileName().toString(), series, r, windows);
            report.put("plot", png.toString());
        }
        ObjectMapper json = new ObjectMapper();
        if (cl.has("json")) {
            out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else {
            out.print(table(report));
        }
        return 0;
    }

    static ObjectNode report(Path csv, int readings, Backtester.Resampled series, Backtester.Result r,
                             List<LabelledWindows.Window> windows, OperatingLimits limits) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        ForecastScores prognos = r.scores().get(Backtester.PROGNOS);
        ForecastScores last = r.scores().get(ReferenceForecasts.LAST_VALUE);
        o.put("series", csv.getFileName().toString());
        o.put("mase", round(prognos.mase(last)));
        o.put("coverage", round(r.coverage()));
        o.put("nominal_coverage", r.nominalCoverage());
        o.put("mean_interval_width", round(r.meanWidth()));
        o.put("readings", readings);
        o.put("interval", series.interval().toString());
        o.put("test_start", r.testStart().toString());
        o.put("test_end", r.testEnd().toString());
        o.put("origins", r.origins());
        o.put("horizon", r.horizon());
        o.put("scored_pairs", prognos.count());
        ObjectNode methods = o.putObject("methods");
        r.scores().forEach((name, s) -> {
            ObjectNode m = methods.putObject(name);
            m.put("mae", round(s.mae()));
            m.put("rmse", round(s.rmse()));
            m.put("mase", round(s.mase(last)));
            ArrayNode steps = m.putArray("per_step");
            for (int h = 1; h <= s.horizon(); h++) {
                steps.addObject().put("step", h).put("mae", round(s.mae(h))).put("rmse", round(s.rmse(h)));
            }
        });
        ObjectNode model = o.putObject("model");
        model.put("trained_method", r.model().servedMethod());
        model.put("validation_mae", round(r.model().valMae()));
        model.put("validation_last_value_mae", round(r.model().baselineMae()));
        ObjectNode served = model.putObject("served_per_origin");
        r.methodsServed().forEach(served::put);
        model.put("last_reason", r.lastMethodReason());
        o.set("alerts", alerts(json, r, windows, limits));
        ObjectNode timing = o.putObject("timing");
        timing.put("train_seconds", round(r.trainSeconds()));
        timing.put("trainings", r.trainings());
        timing.put("forecast_ms_median", round(r.forecastMsMedian()));
        return o;
    }

    static ObjectNode alerts(ObjectMapper json, Backtester.Result r, List<LabelledWindows.Window> windows,
                                     OperatingLimits limits) {
        ObjectNode a = json.createObjectNode();
        a.put("limits", limits.isEmpty() ? "none" : limits.toString());
        a.put("episodes", r.alertStarts().size());
        int falseAlerts = 0;
        for (Instant start : r.alertStarts()) {
            if (windows.stream().noneMatch(w -> w.covers(start))) {
                falseAlerts++;
            }
        }
        double days = Duration.between(r.testStart(), r.testEnd()).toMillis() / 86_400_000.0;
        a.put("false_alerts", falseAlerts);
        a.put("false_alerts_per_30_days", round(days > 0 ? falseAlerts * 30 / days : Double.NaN));
        ArrayNode list = a.putArray("windows");
        int inTest = 0;
        int caughtBeforeFailure = 0;
        for (LabelledWindows.Window w : windows) {
            ObjectNode n = list.addObject();
            n.put("start", w.start().toString());
            n.put("end", w.end().toString());
            n.put("failure_point", w.failure().toString());
            boolean tested = !w.end().isBefore(r.testStart()) && !w.start().isAfter(r.testEnd());
            n.put("in_test_part", tested);
            if (!tested) {
                continue;
            }
            inTest++;
            Instant first = r.alertingTimes().stream().filter(w::covers).findFirst().orElse(null);
            n.put("caught", first != null);
            if (first != null) {
                n.put("first_alert", first.toString());
                n.put("hours_before_start", round(Duration.between(first, w.start()).toMinutes() / 60.0));
                n.put("hours_before_failure", round(Duration.between(first, w.failure()).toMinutes() / 60.0));
                if (!first.isAfter(w.failure())) {
                    caughtBeforeFailure++;
                }
            }
        }
        a.put("windows_in_test_part", inTest);
        a.put("caught_before_failure", caughtBeforeFailure);
        return a;
    }

    static String table(ObjectNode o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %d readings at %s, %d origins from %s, horizon %d%n",
                o.get("series").asText(), o.get("readings").asInt(), o.get("interval").asText(),
                o.get("origins").asInt(), o.get("test_start").asText(), o.get("horizon").asInt()));
        sb.append(String.format(Locale.ROOT, "%-14s %10s %10s %7s%n", "method", "MAE", "RMSE", "MASE"));
        o.get("methods").fields().forEachRemaining(e -> sb.append(String.format(Locale.ROOT, "%-14s %10.4g %10.4g %7.3f%n",
                e.getKey(), e.getValue().get("mae").asDouble(), e.getValue().get("rmse").asDouble(),
                e.getValue().get("mase").asDouble())));
        sb.append("MAE per step (prognos):");
        o.get("methods").get(Backtester.PROGNOS).get("per_step").forEach(s -> sb.append(String.format(Locale.ROOT,
                " %.3g", s.get("mae").asDouble())));
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "interval coverage %.3f at nominal %.2f, mean width %.4g%n",
                o.get("coverage").asDouble(), o.get("nominal_coverage").asDouble(),
                o.get("mean_interval_width").asDouble()));
        var m = o.get("model");
        sb.append(String.format(Locale.ROOT, "model: trained as %s (validation MAE %.4g vs %.4g last value); served %s%n",
                m.get("trained_method").asText(), m.get("validation_mae").asDouble(),
                m.get("validation_last_value_mae").asDouble(), m.get("served_per_origin")));
        var a = o.get("alerts");
        sb.append(String.format(Locale.ROOT, "alerts (limits %s): %d episodes, %d false (%.2f per 30 days);"
                + " windows caught before failure: %d of %d%n", a.get("limits").asText(), a.get("episodes").asInt(),
                a.get("false_alerts").asInt(), a.get("false_alerts_per_30_days").asDouble(),
                a.get("caught_before_failure").asInt(), a.get("windows_in_test_part").asInt()));
        a.get("windows").forEach(w -> {
            if (w.get("in_test_part").asBoolean()) {
                sb.append(String.format(Locale.ROOT, "  window %s .. %s: %s%n", w.get("start").asText(),
                        w.get("end").asText(), w.get("caught").asBoolean()
                                ? String.format(Locale.ROOT, "first alert %s, %.1f h before start, %.1f h before failure",
                                w.get("first_alert").asText(), w.get("hours_before_start").asDouble(),
                                w.get("hours_before_failure").asDouble()) : "missed"));
            }
        });
        var t = o.get("timing");
        sb.append(String.format(Locale.ROOT, "timing: %d training(s) %.2f s, forecast median %.3f ms%n",
                t.get("trainings").asInt(), t.get("train_seconds").asDouble(), t.get("forecast_ms_median").asDouble()));
        if (o.has("plot")) {
            sb.append("plot: ").append(o.get("plot").asText()).append('\n');
        }
        return sb.toString();
    }

    private static Duration duration(CommandLine cl, String option) {
        try {
            Duration d = ConfigDef.parseDuration(cl.option(option, ""));
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (RuntimeException e) {
            throw new BadRequestException("--" + option, "--" + option + " takes a duration such as 1h, 5m or 1s, got '"
                    + cl.option(option, "") + "'");
        }
    }

    static Duration medianSpacing(List<Reading> sorted) {
        double[] gaps = new double[sorted.size() - 1];
        for (int i = 1; i < sorted.size(); i++) {
            gaps[i - 1] = Duration.between(sorted.get(i - 1).timestamp(), sorted.get(i).timestamp()).toMillis();
        }
        return Duration.ofMillis(Math.max(1, Math.round(Bench.median(gaps))));
    }

    static OperatingLimits limits(String spec) {
        String[] p = spec.split(",", -1);
        if (p.length != 2) {
            throw new BadRequestException("--limits", "--limits takes LOW,HIGH (either may be empty), got '" + spec + "'");
        }
        try {
            return new OperatingLimits(p[0].isBlank() ? null : Double.valueOf(p[0].trim()), null, null,
                    p[1].isBlank() ? null : Double.valueOf(p[1].trim()));
        } catch (NumberFormatException e) {
            throw new BadRequestException("--limits", "--limits takes numbers, got '" + spec + "'");
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : v;
    }
}
