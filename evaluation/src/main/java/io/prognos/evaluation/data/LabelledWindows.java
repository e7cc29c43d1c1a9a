package io.prognos.evaluation.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.BadRequestException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Labelled anomaly or failure windows: NAB's {@code combined_windows.json} (keys
 * {@code CATEGORY/FILE.csv}, windows as [start, end]) or a CSV of {@code start,end[,failure]}.
 *
 * <p>The failure point of a NAB window is NAB's labelled anomaly point inside it, read from
 * {@code combined_labels.json} beside the windows file (NAB builds each window around such a
 * point); without that file it is the window's middle.
 */
public final class LabelledWindows {

    /** One window; the failure point lies within it. */
    public record Window(Instant start, Instant end, Instant failure) {
        public Window {
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("window ends before it starts: " + start + " .. " + end);
            }
            if (failure.isBefore(start) || failure.isAfter(end)) {
                // "caught before the failure point" counts alerts inside the window up to it
                throw new IllegalArgumentException(
                        "failure point " + failure + " is outside its window " + start + " .. " + end);
            }
        }

        public boolean contains(Instant t) {
            return !t.isBefore(start) && !t.isAfter(end);
        }
    }

    private LabelledWindows() {}

    /** Every series' windows in a NAB windows JSON, by its key ({@code CATEGORY/FILE.csv}); times in UTC. */
    public static Map<String, List<Window>> readAll(Path json) throws IOException {
        return readAll(json, ZoneOffset.UTC);
    }

    /**
     * As {@link #readAll(Path)}, times written without a zone (NAB's are) in {@code zone}, that of
     * the series they label.
     */
    public static Map<String, List<Window>> readAll(Path json, ZoneId zone) throws IOException {
        ObjectMapper m = new ObjectMapper();
        Map<String, List<List<String>>> raw;
        try {
            raw = m.readValue(json.toFile(), new TypeReference<>() {});
        } catch (JsonProcessingException e) {
            // Jackson's own message ends in its source location ("at [Source: REDACTED ...]"): the
            // user needs what is wrong and where in the file.
            JsonLocation at = e.getLocation();
            throw new BadRequestException(
                    "--windows",
                    json + " is not NAB's windows JSON ({\"CATEGORY/FILE.csv\":" + " [[start, end], ...]}): "
                            + e.getOriginalMessage()
                            + (at != null ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : ""),
                    e);
        } catch (IOException e) {
            throw new BadRequestException("--windows", json + " cannot be read: " + e, e);
        }
        if (raw == null) { // the JSON literal null
            throw new BadRequestException(
                    "--windows", json + " is not NAB's windows JSON ({\"CATEGORY/FILE.csv\": [[start, end], ...]})");
        }
        Map<String, List<Instant>> labels = labelsBeside(json, m, zone);
        Map<String, List<Window>> out = new LinkedHashMap<>();
        raw.forEach((key, windows) -> {
            if (windows == null) {
                throw new BadRequestException("--windows", json + ": " + key + " has no list of windows ([] for none)");
            }
            List<Window> list = new ArrayList<>();
            for (List<String> w : windows) {
                if (w == null || w.size() != 2 || w.contains(null)) {
                    throw new BadRequestException("--windows", json + ": a window of " + key + " is not [start, end]");
                }
                try {
                    Instant start = TimestampCells.parse(w.get(0), null, zone);
                    Instant end = TimestampCells.parse(w.get(1), null, zone);
                    Instant failure = labels.getOrDefault(key, List.of()).stream()
                            .filter(t -> !t.isBefore(start) && !t.isAfter(end))
                            .findFirst()
                            .orElse(start.plus(Duration.between(start, end).dividedBy(2)));
                    list.add(new Window(start, end, failure));
                } catch (DateTimeException
                        | IllegalArgumentException e) { // an unreadable time, or an end before the start
                    throw new BadRequestException(
                            "--windows", json + ": a window of " + key + ", " + w + ": " + e.getMessage(), e);
                }
            }
            out.put(key, List.copyOf(list));
        });
        return out;
    }

    /**
     * The windows of one series: from a NAB JSON (the key whose file name is {@code seriesFileName}),
     * or from a CSV of {@code start,end[,failure]}.
     */
    public static List<Window> forSeries(Path file, String seriesFileName) throws IOException {
        return forSeries(file, seriesFileName, null, ZoneOffset.UTC);
    }

    /**
     * As {@link #forSeries(Path, String)}, the times written as the series' are: in {@code format}
     * (null: ISO-8601 or epoch numbers; a CSV's cell not in it is read in those forms), those
     * without a zone in {@code zone}. Read as UTC whatever the series' zone, a window of a
     * Berlin-time series sat an hour or two off its readings.
     */
    public static List<Window> forSeries(Path file, String seriesFileName, DateTimeFormatter format, ZoneId zone)
            throws IOException {
        if (file.toString().endsWith(".json")) {
            for (Map.Entry<String, List<Window>> e : readAll(file, zone).entrySet()) {
                String key = e.getKey();
                if (key.equals(seriesFileName) || key.endsWith("/" + seriesFileName)) {
                    return e.getValue();
                }
            }
            throw new BadRequestException("--windows", file + " has no windows for " + seriesFileName);
        }
        return readCsv(file, format, zone);
    }

    private static List<Window> readCsv(Path file, DateTimeFormatter format, ZoneId zone) throws IOException {
        List<Window> out = new ArrayList<>();
        try (Reader in = CsvReadings.withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
                CSVParser p = CSVParser.builder()
                        .setReader(in)
                        .setFormat(CSVFormat.DEFAULT
                                .builder()
                                .setIgnoreSurroundingSpaces(true)
                                .setIgnoreEmptyLines(true)
                                .get())
                        .get()) {
            for (CSVRecord r : p) {
                if (r.getRecordNumber() == 1
                        && !Character.isDigit(
                                r.get(0).isEmpty() ? 'x' : r.get(0).charAt(0))) {
                    continue; // a header
                }
                if (r.size() < 2) {
                    throw new BadRequestException(
                            "--windows",
                            file + " line " + r.getParser().getCurrentLineNumber() + " has " + r.size()
                                    + " column; a window is start,end[,failure]");
                }
                try {
                    Instant start = time(r.get(0), format, zone);
                    Instant end = time(r.get(1), format, zone);
                    Instant failure = r.size() > 2 && !r.get(2).isBlank()
                            ? time(r.get(2), format, zone)
                            : start.plus(Duration.between(start, end).dividedBy(2));
                    out.add(new Window(start, end, failure));
                } catch (RuntimeException e) {
                    throw new BadRequestException(
                            "--windows",
                            file + " line " + r.getParser().getCurrentLineNumber() + " is not start,end[,failure]: "
                                    + e.getMessage(),
                            e);
                }
            }
        }
        return out;
    }

    /** A window's time in the series' format, or failing that in the forms every file may use. */
    private static Instant time(String cell, DateTimeFormatter format, ZoneId zone) {
        if (format != null) {
            try {
                return TimestampCells.parse(cell, format, zone);
            } catch (DateTimeException notInIt) {
                // an ISO-8601 time or an epoch number, below
            }
        }
        return TimestampCells.parse(cell, null, zone);
    }

    private static Map<String, List<Instant>> labelsBeside(Path windows, ObjectMapper m, ZoneId zone)
            throws IOException {
        Path labels = windows.resolveSibling("combined_labels.json");
        if (!Files.isRegularFile(labels)) {
            return Map.of();
        }
        Map<String, List<String>> raw = m.readValue(labels.toFile(), new TypeReference<>() {});
        Map<String, List<Instant>> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(
                k, v.stream().map(t -> TimestampCells.parse(t, null, zone)).toList()));
        return out;
    }
}
