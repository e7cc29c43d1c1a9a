package io.prognos.host;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a timestamp,value CSV with a header line. Timestamps are ISO-8601 instants, epoch
 * milliseconds, or local date-times ({@code 2013-07-04 00:00:00}) taken as UTC. A line that does not
 * parse fails the whole file with its line number: silently skipping data would hide a wrong column.
 */
final class CsvReadings {

    private CsvReadings() {
    }

    /**
     * Reads the columns named {@code tsColumn} and {@code valueColumn} of the header (null: the
     * first and the second column).
     */
    static List<Reading> read(BufferedReader in, String delimiter, String tsColumn, String valueColumn)
            throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new BadRequestException("csv", "the file is empty; a header line is expected");
        }
        List<String> names = java.util.Arrays.stream(header.split(java.util.regex.Pattern.quote(delimiter), -1))
                .map(n -> n.trim().replace("\"", "")).toList();
        int ts = column(names, tsColumn, 0, "--ts-column");
        int value = column(names, valueColumn, 1, "--value-column");
        return read(in, delimiter, ts, value);
    }

    private static int column(List<String> names, String name, int fallback, String option) {
        if (name == null) {
            if (names.size() <= fallback) {
                throw new BadRequestException(option, "the header has " + names.size() + " column(s): " + names);
            }
            return fallback;
        }
        int i = names.indexOf(name);
        if (i < 0) {
            throw new BadRequestException(option, "no column '" + name + "' in the header " + names);
        }
        return i;
    }

    /** Reads after the header line, the timestamp in column {@code tsColumn}. */
    private static List<Reading> read(BufferedReader in, String delimiter, int tsColumn, int valueColumn)
            throws IOException {
        List<Reading> out = new ArrayList<>();
        String line;
        int lineNo = 1;
        String split = java.util.regex.Pattern.quote(delimiter);
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(split, -1);
            if (parts.length <= Math.max(valueColumn, tsColumn)) {
                throw new BadRequestException("csv", "line " + lineNo + " has " + parts.length + " columns, the value is"
                        + " expected in column " + (valueColumn + 1));
            }
            try {
                out.add(new Reading(timestamp(parts[tsColumn].trim().replace("\"", "")),
                        Double.parseDouble(parts[valueColumn].trim())));
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new BadRequestException("csv", "line " + lineNo + " cannot be read: " + e.getMessage(), e);
            }
        }
        return out;
    }

    static Instant timestamp(String text) {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(Long.parseLong(text));
        }
        if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
            return java.time.OffsetDateTime.parse(text).toInstant();
        }
        return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    }
}
