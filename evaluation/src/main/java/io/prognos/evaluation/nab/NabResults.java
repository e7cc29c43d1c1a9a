package io.prognos.evaluation.nab;

import io.prognos.api.BadRequestException;
import io.prognos.evaluation.data.CsvReadings;
import io.prognos.evaluation.data.LabelledWindows.Window;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * NAB's results layout: {@code DIR/CATEGORY/DETECTOR_FILE.csv} with the columns {@code timestamp},
 * {@code value}, {@code anomaly_score} and {@code label} (any further columns are ignored). Files
 * are matched to the windows file's keys {@code CATEGORY/FILE.csv} with or without a detector-name
 * prefix, so any detector's published results can be scored.
 */
public final class NabResults {

    static final DateTimeFormatter NAB_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** Files read, and result files that match no labelled series (named so nothing is dropped silently). */
    public record Read(List<ScoredFile> files, List<String> unmatched) {}

    private NabResults() {}

    public static Read read(Path dir, Map<String, List<Window>> windows) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadRequestException("--score", dir + " is not a directory of NAB results");
        }
        List<ScoredFile> files = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (Path csv : csvFiles(dir)) {
            String key = keyOf(dir.relativize(csv), windows);
            if (key == null) {
                unmatched.add(dir.relativize(csv).toString());
                continue;
            }
            files.add(readFile(csv, key, windows.get(key)));
        }
        files.sort(Comparator.comparing(ScoredFile::key));
        return new Read(files, unmatched);
    }

    /**
     * {@code CATEGORY/FILE.csv} for {@code [CATEGORY/][PREFIX_]FILE.csv}, the longest match winning;
     * null when none. Without a category folder any category's file of that name matches.
     */
    static String keyOf(Path relative, Map<String, List<Window>> windows) {
        String category = relative.getNameCount() < 2
                ? null
                : relative.getName(relative.getNameCount() - 2).toString();
        String name = relative.getFileName().toString();
        String best = null;
        for (String key : windows.keySet()) {
            int slash = key.lastIndexOf('/');
            if (slash < 0 || (category != null && !key.substring(0, slash).equals(category))) {
                continue;
            }
            String file = key.substring(slash + 1);
            if ((name.equals(file) || name.endsWith("_" + file)) && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        return best;
    }

    private static ScoredFile readFile(Path csv, String key, List<Window> windows) throws IOException {
        List<Instant> ts = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
                CSVParser p = CSVParser.builder()
                        .setReader(in)
                        .setFormat(CSVFormat.DEFAULT
                                .builder()
                                .setHeader()
                                .setSkipHeaderRecord(true)
                                .setIgnoreSurroundingSpaces(true)
                                .get())
                        .get()) {
            if (!p.getHeaderMap().containsKey("timestamp") || !p.getHeaderMap().containsKey("anomaly_score")) {
                throw new BadRequestException(
                        "--score", csv + " lacks a timestamp or anomaly_score column; header " + p.getHeaderNames());
            }
            for (CSVRecord r : p) {
                try {
                    ts.add(CsvReadings.timestamp(r.get("timestamp")));
                    scores.add(Double.parseDouble(r.get("anomaly_score")));
                } catch (RuntimeException e) {
                    throw new BadRequestException(
                            "--score",
                            csv + " line " + p.getCurrentLineNumber() + " cannot be read: " + e.getMessage(),
                            e);
                }
            }
        }
        return new ScoredFile(
                key,
                ts.toArray(Instant[]::new),
                scores.stream().mapToDouble(Double::doubleValue).toArray(),
                windows);
    }

    /**
     * Writes one file's scores in NAB's layout under {@code dir/CATEGORY/DETECTOR_FILE.csv}, with the
     * detector's {@code raw} scores beside the scored ones (as Numenta's results have them).
     */
    public static Path write(Path dir, String detector, ScoredFile f, double[] values, double[] raw)
            throws IOException {
        int slash = f.key().lastIndexOf('/');
        Path out = dir.resolve(f.key().substring(0, Math.max(0, slash)))
                .resolve(detector + "_" + f.key().substring(slash + 1));
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
                CSVPrinter p = new CSVPrinter(
                        w,
                        CSVFormat.DEFAULT
                                .builder()
                                .setRecordSeparator('\n')
                                .setHeader("timestamp", "value", "anomaly_score", "raw_score", "label")
                                .get())) {
            for (int i = 0; i < f.rows(); i++) {
                Instant t = f.timestamps()[i];
                boolean inWindow = f.windows().stream().anyMatch(win -> win.contains(t));
                p.printRecord(NAB_TIME.format(t), values[i], f.scores()[i], raw[i], inWindow ? 1 : 0);
            }
        }
        return out;
    }

    /** The data files under a NAB data folder ({@code CATEGORY/FILE.csv}), sorted. */
    public static List<Path> csvFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".csv"))
                    .sorted()
                    .toList();
        }
    }
}
