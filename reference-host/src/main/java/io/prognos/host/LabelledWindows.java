package io.prognos.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.BadRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Labelled failure or anomaly windows: a CSV of {@code start,end[,failure]} or NAB's
 * {@code combined_windows.json}, where the series' windows are found by the CSV's file name. The
 * failure point is the third column when given, else the window's middle (NAB centres its windows
 * on the labelled anomaly).
 */
final class LabelledWindows {

    /** One labelled window. */
    record Window(Instant start, Instant end, Instant failure) {
        /** Where an alert counts for this window: from one window length before its start to its end. */
        boolean covers(Instant t) {
            Duration len = Duration.between(start, end);
            return !t.isBefore(start.minus(len)) && !t.isAfter(end);
        }
    }

    private LabelledWindows() {
    }

    static List<Window> read(Path file, String seriesFileName) throws IOException {
        if (file.toString().endsWith(".json")) {
            return fromJson(new ObjectMapper().readTree(file.toFile()), seriesFileName, file);
        }
        List<Window> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || (i == 0 && !Character.isDigit(line.charAt(0)))) {
                continue; // blank, or a header
            }
            String[] p = line.split("[,;]");
            try {
                Instant start = CsvReadings.timestamp(p[0].trim());
                Instant end = CsvReadings.timestamp(p[1].trim());
                Instant failure = p.length > 2 && !p[2].isBlank() ? CsvReadings.timestamp(p[2].trim())
                        : start.plus(Duration.between(start, end).dividedBy(2));
                out.add(new Window(start, end, failure));
            } catch (RuntimeException e) {
                throw new BadRequestException("windows", file + " line " + (i + 1) + " is not start,end[,failure]: "
                        + e.getMessage());
            }
        }
        return out;
    }

    static List<Window> fromJson(JsonNode root, String seriesFileName, Path source) {
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.equals(seriesFileName) || key.endsWith("/" + seriesFileName)) {
                List<Window> out = new ArrayList<>();
                for (JsonNode w : e.getValue()) {
                    Instant start = CsvReadings.timestamp(w.get(0).asText().replaceAll("\\.0+$", ""));
                    Instant end = CsvReadings.timestamp(w.get(1).asText().replaceAll("\\.0+$", ""));
                    out.add(new Window(start, end, start.plus(Duration.between(start, end).dividedBy(2))));
                }
                return out;
            }
        }
        throw new BadRequestException("windows", source + " has no windows for " + seriesFileName);
    }
}
