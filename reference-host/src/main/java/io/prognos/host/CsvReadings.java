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

    static List<Reading> read(BufferedReader in, String delimiter, int valueColumn) throws IOException {
        List<Reading> out = new ArrayList<>();
        String line = in.readLine(); // header
        int lineNo = 1;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(delimiter, -1);
            if (parts.length <= valueColumn) {
                throw new BadRequestException("csv", "line " + lineNo + " has " + parts.length + " columns, the value is"
                        + " expected in column " + (valueColumn + 1));
            }
            try {
                out.add(new Reading(timestamp(parts[0].trim()), Double.parseDouble(parts[valueColumn].trim())));
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
