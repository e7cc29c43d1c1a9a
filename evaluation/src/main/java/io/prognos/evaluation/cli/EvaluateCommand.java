package io.prognos.evaluation.cli;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.evaluation.PluginFactory;
import io.prognos.evaluation.Stats;
import io.prognos.evaluation.data.CsvReadings;
import io.prognos.evaluation.data.LabelledWindows;
import io.prognos.evaluation.data.LabelledWindows.Window;
import io.prognos.evaluation.data.Resampled;
import io.prognos.evaluation.forecast.Backtester;
import io.prognos.evaluation.forecast.EvaluationPlot;
import io.prognos.evaluation.forecast.ReportTable;
import io.prognos.evaluation.forecast.Scorecard;
import io.prognos.evaluation.forecast.SeriesReport;
import io.prognos.evaluation.forecast.SeriesReports;
import io.prognos.evaluation.nab.CorpusScore;
import io.prognos.evaluation.nab.CostProfile;
import io.prognos.evaluation.nab.NabResults;
import io.prognos.evaluation.nab.NabScorer;
import io.prognos.evaluation.nab.ScoredFile;
import io.prognos.host.core.wire.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code evaluate}: how the plugin would have done on series' own histories, against baselines. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "A rolling-origin backtest: train on the first part of each series, then at every interval"
                    + " forecast the horizon from the readings up to that point only and score it when the"
                    + " readings arrive, beside the last value, the seasonal naive forecast and a damped trend.",
            "Reports MASE (Hyndman and Koehler: MAE over the in-sample one-step naive MAE of the training"
                    + " part), relative MAE (over the last value on the same pairs), interval coverage, width and"
                    + " interval (Winkler) score against split-conformal last-value intervals, and with --windows"
                    + " NAB's scores of the alerts. Several series: the geometric mean of every ratio."
        },
        footer = {
            "",
            "Example: evaluate --data ../shared/data/nab/realKnownCause"
                    + " --windows ../shared/data/nab/combined_windows.json --resample 1h --json"
        })
public final class EvaluateCommand implements Callable<Integer> {

    @Option(
            names = "--csv",
            paramLabel = "FILE",
            description = "a series: a header line, then timestamp and value" + " columns (repeat for several)")
    List<Path> csv = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "every .csv file under this folder")
    Path data;

    @Option(names = "--ts-column", paramLabel = "NAME", description = "timestamp column (default: the first)")
    String tsColumn;

    @Option(
            names = "--value-column",
            paramLabel = "NAME",
            split = ",",
            description =
                    "value column(s), comma-separated; * for every column but the timestamp" + " (default: the second)")
    List<String> valueColumns = new ArrayList<>();

    @Mixin
    CsvFormatOptions csvFormat;

    @Option(
            names = "--resample",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "bucket means at this interval, e.g. 1h, 5m, 1s (default: the median spacing)")
    Duration resample;

    @Option(
            names = "--limits",
            paramLabel = "LOW,HIGH",
            description = "operating limits for the risk (either may be empty), or " + TRAINING_RANGE
                    + ": each series' lowest and highest reading of its training part, so that a crossing is a"
                    + " value its training never showed")
    String limits;

    /** The {@code --limits} value that asks for each series' own training range. */
    static final String TRAINING_RANGE = "training-range";

    @Option(
            names = "--windows",
            paramLabel = "FILE",
            description = "labelled windows: a CSV of start,end[,failure] or NAB's combined_windows.json; an empty"
                    + " CSV says the series are healthy, so that every alert counts as false; its times are read as the"
                    + " series' (--ts-zone, and a CSV's also in --ts-format)")
    Path windows;

    @Option(
            names = "--train-fraction",
            paramLabel = "F",
            defaultValue = "0.7",
            description = "share of each series trained on before the first origin (default 0.7)")
    double trainFraction;

    @Option(
            names = "--retrain-every",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "retrain on everything seen so far at this interval (default: never)")
    Duration retrainEvery;

    @Option(
            names = "--season",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "24h",
            description = "period of the seasonal baseline and of seasonal MASE (default 24h)")
    Duration season;

    @Option(names = "--json", description = "JSON instead of the table")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "PNG|DIR",
            description = "a PNG of the test part (one series), or a" + " folder for one PNG per series")
    Path plot;

    @Spec
    CommandSpec spec;

    private final PluginFactory plugins;

    public EvaluateCommand(PluginFactory plugins) {
        this.plugins = plugins;
    }

    /** One series to evaluate: a file and a value column (null: the second column). */
    record Series(Path file, String column, String name) {}

    @Override
    public Integer call() throws Exception {
        if (!(trainFraction > 0.05 && trainFraction < 0.95)) {
            // A usage error, named and before any file is read, as picocli's own are.
            throw new ParameterException(
                    spec.commandLine(), "--train-fraction must be above 0.05 and below 0.95, got " + trainFraction);
        }
        OperatingLimits limitsParsed;
        try {
            limitsParsed =
                    limits == null || limits.equals(TRAINING_RANGE) ? OperatingLimits.none() : parseLimits(limits);
        } catch (BadRequestException e) {
            String why = e.getMessage();
            throw new ParameterException(
                    spec.commandLine(), why.startsWith("--limits") ? why : "--limits " + limits + ": " + why);
        }
        List<Series> all = series();
        Map<String, List<Window>> nabWindows =
                windows != null && windows.toString().endsWith(".json")
                        ? LabelledWindows.readAll(windows, csvFormat.zone())
                        : null;
        List<SeriesReport> reports = new ArrayList<>();
        List<ScoredFile> scored = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        PrintWriter err = spec.commandLine().getErr();
        for (Series s : all) {
            if (all.size() > 1) {
                err.printf("evaluate: %s ...%n", s.name());
                err.flush();
            }
            List<Window> ws = windowsFor(s, nabWindows);
            try {
                reports.add(evaluate(s, limitsParsed, ws, all.size() > 1, scored));
            } catch (InvalidConfigurationException e) {
                // The configuration, not the series: every series would be skipped alike, each
                // printing it (300 copies over the healthy set), and the run end in "no series".
                throw e;
            } catch (BadRequestException e) {
                if (all.size() == 1) {
                    throw e;
                }
                // One series that cannot be evaluated at this interval does not cost the others.
                err.printf("evaluate: %s skipped: %s%n", s.name(), e.getMessage());
                skipped.put(s.name(), e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (reports.isEmpty()) {
            throw new BadRequestException("--data", "no series could be evaluated: " + skipped);
        }
        if (all.size() == 1) {
            out.println(json ? Json.pretty(reports.get(0)) : ReportTable.series(reports.get(0)));
        } else {
            Map<String, CorpusScore> nab = null;
            if (!scored.isEmpty()) {
                nab = new LinkedHashMap<>();
                for (CostProfile p : CostProfile.NAB) {
                    nab.put(p.name(), new NabScorer().corpus(scored, p, 0.5));
                }
            }
            Scorecard card = Scorecard.of(reports, nab, windows != null, skipped);
            out.println(json ? Json.pretty(card) : ReportTable.scorecard(card));
        }
        out.flush();
        return 0;
    }

    private SeriesReport evaluate(
            Series s, OperatingLimits limitsParsed, List<Window> ws, boolean many, List<ScoredFile> scored)
            throws IOException {
        // The plugin first: a bad setting is refused before any series is read (read first, the
        // first series of a folder was read, and resampled, only to be thrown away).
        ForecastingPlugin plugin = plugins.start();
        List<Reading> readings;
        int period;
        Duration interval;
        Backtester.Result r;
        OperatingLimits seriesLimits = limitsParsed;
        try {
            readings = new ArrayList<>(CsvReadings.read(s.file(), csvFormat.columns(tsColumn, s.column())));
            if (readings.size() < 3) {
                throw new BadRequestException(
                        "--csv", s.name() + " has " + readings.size() + " readings; a backtest needs more");
            }
            readings.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
            interval = resample != null ? resample : medianSpacing(readings, s.name());
            checkSpan(readings, interval, s.name());
            Resampled series = Resampled.of(readings, interval);
            period = (int) Math.max(0, season.toMillis() / interval.toMillis());
            if (TRAINING_RANGE.equals(limits)) {
                seriesLimits = trainingRange(readings, series, s.name());
            }
            r = new Backtester(plugin, trainFraction, retrainEvery)
                    .run(SensorId.of("evaluate", s.name()), readings, series, seriesLimits, period);
        } finally {
            plugin.stop();
        }
        if (r.origins() == 0) {
            throw new BadRequestException(
                    "--resample",
                    s.name() + ": no origin could be forecast: at " + interval
                            + " the test part never has a full input window of consecutive readings; try a finer --resample");
        }
        String png = null;
        if (plot != null) {
            Path target = many ? plot.resolve(s.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".png") : plot;
            if (many) {
                Files.createDirectories(plot);
            }
            EvaluationPlot.write(target, s.name(), r.series(), r, ws);
            png = target.toString();
        }
        if (!ws.isEmpty()) {
            scored.add(SeriesReports.scoredFile(r, readings, ws, s.name()));
        }
        return SeriesReports.of(s.name(), readings, r.series(), r, ws, seriesLimits, period, png);
    }

    private List<Series> series() throws IOException {
        List<Path> files = new ArrayList<>(csv);
        if (data != null) {
            if (!Files.isDirectory(data)) {
                throw new BadRequestException("--data", data + " is not a folder");
            }
            files.addAll(NabResults.csvFiles(data));
        }
        if (files.isEmpty()) {
            throw new BadRequestException("--csv", "give the series with --csv FILE (repeatable) or --data DIR");
        }
        List<Series> out = new ArrayList<>();
        for (Path f : files) {
            String base = data != null && f.startsWith(data)
                    ? data.relativize(f).toString()
                    : f.getFileName().toString();
            List<String> cols = valueColumns;
            if (cols.size() == 1 && cols.get(0).equals("*")) {
                List<String> header = CsvReadings.header(f, csvFormat.delimiter());
                String ts = tsColumn != null ? tsColumn : header.get(0);
                cols = header.stream().filter(c -> !c.equals(ts)).toList();
            }
            if (cols.isEmpty()) {
                out.add(new Series(f, null, base));
            } else {
                for (String c : cols) {
                    out.add(new Series(
                            f, c, cols.size() > 1 || valueColumns.get(0).equals("*") ? base + "#" + c : base));
                }
            }
        }
        return out;
    }

    private List<Window> windowsFor(Series s, Map<String, List<Window>> nab) throws IOException {
        if (windows == null) {
            return List.of();
        }
        if (nab == null) {
            return LabelledWindows.forSeries(
                    windows, s.file().getFileName().toString(), csvFormat.timeFormat(), csvFormat.zone());
        }
        String name = s.file().getFileName().toString();
        for (Map.Entry<String, List<Window>> e : nab.entrySet()) {
            if (e.getKey().equals(name) || e.getKey().endsWith("/" + name)) {
                return e.getValue();
            }
        }
        throw new BadRequestException("--windows", windows + " has no windows for " + name);
    }

    static Duration medianSpacing(List<Reading> sorted, String name) {
        // Readings that share a timestamp (a logger that wrote each row twice) are no spacing: counted,
        // such a file's median was 0, and its resampling at 1 ms ran the heap out.
        double[] gaps = new double[sorted.size() - 1];
        int n = 0;
        for (int i = 1; i < sorted.size(); i++) {
            long gap = Duration.between(
                            sorted.get(i - 1).timestamp(), sorted.get(i).timestamp())
                    .toMillis();
            if (gap > 0) {
                gaps[n++] = gap;
            }
        }
        if (n == 0) {
            throw new BadRequestException(
                    "--csv", name + ": every reading has the same time: there is no interval between them");
        }
        return Duration.ofMillis(Math.max(1, Math.round(Stats.median(Arrays.copyOf(gaps, n)))));
    }

    /** Intervals a series may span: 10 million, 120 MB of resampled values and counts. */
    static final long MAX_INTERVALS = 10_000_000;

    /**
     * Refuses an interval at which the readings span more than {@link #MAX_INTERVALS}: a series of
     * second readings over years, or a stray reading years from the others, at a fine interval.
     */
    static void checkSpan(List<Reading> sorted, Duration interval, String name) {
        long spanned = Duration.between(
                                        sorted.get(0).timestamp(),
                                        sorted.get(sorted.size() - 1).timestamp())
                                .toMillis()
                        / interval.toMillis()
                + 1;
        if (spanned > MAX_INTERVALS) {
            throw new BadRequestException(
                    "--resample",
                    name + ": from its first reading (" + sorted.get(0).timestamp() + ") to its last ("
                            + sorted.get(sorted.size() - 1).timestamp() + ") are " + spanned + " intervals of "
                            + interval + ", more than " + MAX_INTERVALS + "; set a coarser --resample");
        }
    }

    /** The lowest and highest of the readings the backtest trains on. */
    private OperatingLimits trainingRange(List<Reading> readings, Resampled series, String name) {
        List<Reading> trained =
                Backtester.upTo(readings, series.time(Backtester.cut(series.values().length, trainFraction)));
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (Reading r : trained) {
            low = Math.min(low, r.value());
            high = Math.max(high, r.value());
        }
        if (!(low < high)) {
            throw new BadRequestException(
                    "--limits",
                    name + ": its training part holds a single value (" + low + "): no range to leave for "
                            + TRAINING_RANGE);
        }
        return OperatingLimits.between(low, high);
    }

    static OperatingLimits parseLimits(String spec) {
        String[] p = spec.split(",", -1);
        if (p.length != 2) {
            throw new BadRequestException(
                    "--limits",
                    "--limits takes LOW,HIGH (either may be empty) or " + TRAINING_RANGE + ", got '" + spec + "'");
        }
        try {
            return new OperatingLimits(
                    p[0].isBlank() ? null : Double.valueOf(p[0].trim()),
                    null,
                    null,
                    p[1].isBlank() ? null : Double.valueOf(p[1].trim()));
        } catch (NumberFormatException e) {
            throw new BadRequestException("--limits", "--limits takes numbers, got '" + spec + "'");
        }
    }
}
