package io.prognos.evaluation.cli;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.evaluation.PluginFactory;
import io.prognos.evaluation.data.LabelledWindows;
import io.prognos.evaluation.data.LabelledWindows.Window;
import io.prognos.evaluation.nab.CorpusScore;
import io.prognos.evaluation.nab.CostProfile;
import io.prognos.evaluation.nab.FileScore;
import io.prognos.evaluation.nab.NabReport;
import io.prognos.evaluation.nab.NabResults;
import io.prognos.evaluation.nab.NabRunner;
import io.prognos.evaluation.nab.NabScorer;
import io.prognos.evaluation.nab.PluginDetector;
import io.prognos.evaluation.nab.ScoredFile;
import io.prognos.evaluation.nab.StreamingDetector;
import io.prognos.host.core.wire.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code nab}: the Numenta Anomaly Benchmark, run with Prognos as the detector or scoring existing results. */
@Command(
        name = "nab",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the Numenta Anomaly Benchmark (NAB v1.0): streams every CSV under --data (NAB's layout"
                    + " CATEGORY/FILE.csv, columns timestamp,value) through Prognos reading by reading, with no"
                    + " look-ahead, writes one anomaly score per row in NAB's results layout to --out, and prints"
                    + " NAB's normalized score of its three profiles over all the files.",
            "With --score DIR it scores result files that exist already (any detector's, in NAB's layout)."
        },
        footer = {"", "Example: nab --data ../shared/data/nab --windows ../shared/data/nab/combined_windows.json"})
public final class NabCommand implements Callable<Integer> {

    /** Exactly one of the two sources. */
    static final class Source {
        @Option(
                names = "--data",
                paramLabel = "DIR",
                required = true,
                description = "NAB data: CATEGORY/FILE.csv with timestamp,value")
        Path data;

        @Option(
                names = "--score",
                paramLabel = "DIR",
                required = true,
                description = "existing results: CATEGORY/[DETECTOR_]FILE.csv with timestamp,anomaly_score")
        Path score;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--windows", paramLabel = "FILE", required = true, description = "NAB's combined_windows.json")
    Path windows;

    @Option(names = "--out", paramLabel = "DIR", description = "where --data writes its results (NAB's layout)")
    Path out;

    @Option(
            names = "--threshold",
            paramLabel = "T",
            description = "detection threshold (default with --data: the"
                    + " one the detector declares; required with --score)")
    Double threshold;

    @Option(
            names = "--alerts",
            paramLabel = "LEVEL",
            defaultValue = "score",
            description = "with --data, what raises an alert: score (the anomaly score at the threshold, NAB's way;"
                    + " default) or risk (the risk level the plugin assesses without operating limits, as the host's"
                    + " alerts topic raises them)")
    String alerts;

    @Option(names = "--threads", paramLabel = "N", description = "files run at once (default: the cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "JSON instead of the table")
    boolean json;

    @Spec
    CommandSpec spec;

    private final PluginFactory plugins;

    public NabCommand(PluginFactory plugins) {
        this.plugins = plugins;
    }

    private PluginDetector.Alerts alertsLevel() {
        return switch (alerts.toLowerCase(Locale.ROOT)) {
            case "score" -> PluginDetector.Alerts.SCORE;
            case "risk" -> PluginDetector.Alerts.RISK;
            default -> throw usage("--alerts must be score or risk, got '" + alerts + "'");
        };
    }

    /** Options picocli cannot check itself, named before any file is read: usage errors, as its own are. */
    private void checkOptions() {
        alertsLevel();
        if (threads < 1) {
            throw usage("--threads must be at least 1, got " + threads);
        }
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw usage("--threshold must be between 0 and 1 (anomaly scores are), got " + threshold);
        }
        if (source.score != null && threshold == null) {
            throw usage("--score needs the detector's --threshold: NAB scores results at a threshold fixed before"
                    + " seeing them");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        long t0 = System.nanoTime();
        Map<String, List<Window>> labels = LabelledWindows.readAll(windows);
        PrintWriter err = spec.commandLine().getErr();
        List<ScoredFile> files = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<String> unmatched = List.of();
        String detector;
        double t;
        String thresholdSource;
        if (source.data != null) {
            PluginDetector.Alerts level = alertsLevel(); // before the plugin starts: a typo is named at once
            ForecastingPlugin plugin = plugins.start();
            try {
                StreamingDetector.Factory d = new PluginDetector(plugin, threshold, level);
                detector = d.name() + (level == PluginDetector.Alerts.RISK ? " (alerts from the risk level)" : "");
                t = threshold != null ? threshold : d.declaredThreshold();
                thresholdSource = threshold != null ? "--threshold" : "declared by the detector";
                for (NabRunner.Run r : new NabRunner(d, threads, err).run(source.data, labels, out)) {
                    files.add(r.file());
                    seconds.put(r.file().key(), r.seconds());
                }
            } finally {
                plugin.stop();
            }
        } else {
            NabResults.Read read = NabResults.read(source.score, labels);
            files.addAll(read.files());
            unmatched = read.unmatched();
            detector = "(results in " + source.score + ")";
            t = threshold;
            thresholdSource = "--threshold";
        }
        if (files.isEmpty()) {
            Path dir = source.data != null ? source.data : source.score;
            throw new BadRequestException(
                    source.data != null ? "--data" : "--score",
                    "no file there matches a series of " + windows + layoutHint(dir));
        }
        NabReport report =
                report(detector, t, thresholdSource, files, seconds, unmatched, (System.nanoTime() - t0) / 1e9);
        PrintWriter w = spec.commandLine().getOut();
        w.println(json ? Json.pretty(report) : table(report));
        w.flush();
        return 0;
    }

    /** Why a folder of CSVs matched nothing, when it looks like one category rather than the corpus. */
    private static String layoutHint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.list(dir)) {
            boolean csvHere = files.anyMatch(f -> f.getFileName().toString().endsWith(".csv"));
            return csvHere
                    ? " (NAB's layout is CATEGORY/FILE.csv: " + dir + " holds CSVs itself; give the folder above it)"
                    : "";
        }
    }

    static NabReport report(
            String detector,
            double threshold,
            String source,
            List<ScoredFile> files,
            Map<String, Double> seconds,
            List<String> unmatched,
            double totalSeconds) {
        NabScorer scorer = new NabScorer();
        Map<String, CorpusScore> fixed = new LinkedHashMap<>();
        Map<String, CorpusScore> best = new LinkedHashMap<>();
        for (CostProfile p : CostProfile.NAB) {
            fixed.put(p.name(), scorer.corpus(files, p, threshold));
            best.put(p.name(), scorer.bestThreshold(files, p));
        }
        List<NabReport.FileReport> perFile = new ArrayList<>();
        int windows = 0;
        for (ScoredFile f : files) {
            Map<String, FileScore> profiles = new LinkedHashMap<>();
            for (CostProfile p : CostProfile.NAB) {
                profiles.put(p.name(), scorer.score(f, p, threshold));
            }
            windows += f.windows().size();
            perFile.add(new NabReport.FileReport(f.key(), f.rows(), seconds.get(f.key()), profiles));
        }
        return new NabReport(
                detector,
                threshold,
                source,
                fixed.get("standard"),
                fixed.get("reward_low_FP_rate"),
                fixed.get("reward_low_FN_rate"),
                new NabReport.BestThreshold(
                        "chosen on these files, as NAB's"
                                + " scoreboard chose each detector's threshold over the corpus: not a fair figure for them",
                        best),
                windows,
                totalSeconds,
                perFile,
                unmatched);
    }

    static String table(NabReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-62s %6s %9s %4s %4s %4s %7s%n",
                "file",
                "rows",
                "standard",
                "TP",
                "FP",
                "FN",
                "seconds"));
        for (NabReport.FileReport f : r.files()) {
            FileScore s = f.profiles().get("standard");
            sb.append(String.format(
                    Locale.ROOT,
                    "%-62s %6d %9.4f %4d %4d %4d %7s%n",
                    f.file(),
                    f.rows(),
                    s.score(),
                    s.tp(),
                    s.fp(),
                    s.fn(),
                    f.seconds() == null ? "-" : String.format(Locale.ROOT, "%.1f", f.seconds())));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%s over %d files and %d windows at threshold %s (%s):%n",
                r.detector(),
                r.files().size(),
                r.windows(),
                r.threshold(),
                r.thresholdSource()));
        for (CorpusScore c : List.of(r.standard(), r.rewardLowFpRate(), r.rewardLowFnRate())) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-20s score %6.1f  (raw %.3f, null %.1f, perfect %.1f)%n",
                    c.profile(),
                    c.score(),
                    c.raw(),
                    c.nullScore(),
                    c.perfect()));
        }
        sb.append("best threshold, chosen on these same files (not a fair figure):\n");
        r.bestThreshold()
                .profiles()
                .values()
                .forEach(c -> sb.append(String.format(
                        Locale.ROOT, "  %-20s score %6.1f at threshold %s%n", c.profile(), c.score(), c.threshold())));
        if (!r.unmatched().isEmpty()) {
            sb.append("not scored (no labelled series of that name): ")
                    .append(r.unmatched())
                    .append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%.1f s in all%n", r.seconds()));
        return sb.toString();
    }
}
