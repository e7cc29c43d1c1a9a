package io.prognos.evaluation.data;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import io.prognos.host.core.wire.Timestamps;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The one CSV reader of Prognos: a header line, then a timestamp column and a value column chosen
 * by name or position. Quoted fields, a byte-order mark and any one-character delimiter (SKAB uses
 * {@code ;}) are handled by Apache Commons CSV. Timestamps are ISO-8601 instants, epoch
 * numbers in seconds, milliseconds, microseconds or nanoseconds, local date-times such as
 * {@code 2013-07-04 00:00:00} in the file's zone (UTC unless given), or the file's own pattern
 * ({@link TimestampCells}).
 *
 * <p>A line that does not parse fails the whole file naming its line: silently skipping data would
 * hide a wrong column. An empty value cell is skipped (a sensor that did not report).
 */
public final class CsvReadings {

    /**
     * Which columns hold the timestamp and the value (null names mean the first and second column),
     * the delimiter, and the decimal mark of the values: '.', or ',' as a spreadsheet in a German or
     * French locale writes them (with ';' between columns), the timestamps' pattern (null: the
     * forms {@link Timestamps} reads) and the zone of times written without one.
     */
    public record Columns(
            String timestamp, String value, char delimiter, char decimal, String timeFormat, ZoneId zone) {
        public Columns {
            Objects.requireNonNull(zone, "zone");
            if (timeFormat != null) {
                timestampPattern(timeFormat);
            }
            if (decimal != '.' && decimal != ',') {
                throw new BadRequestException("decimal", "the decimal mark is '.' or ',', got '" + decimal + "'");
            }
            if (decimal == delimiter) {
                throw new BadRequestException(
                        "decimal", "the decimal mark '" + decimal + "' is also the delimiter: give another delimiter");
            }
        }

        public Columns(String timestamp, String value, char delimiter, char decimal) {
            this(timestamp, value, delimiter, decimal, null, ZoneOffset.UTC);
        }

        public Columns(String timestamp, String value, char delimiter) {
            this(timestamp, value, delimiter, '.');
        }

        public static Columns defaults() {
            return new Columns(null, null, ',');
        }
    }

    private CsvReadings() {}

    /**
     * A pattern of {@link DateTimeFormatter} for timestamp cells; AM and PM in any case.
     *
     * @throws BadRequestException for a pattern that is none, saying why
     */
    public static DateTimeFormatter timestampPattern(String pattern) {
        try {
            return new DateTimeFormatterBuilder()
                    .parseCaseInsensitive()
                    .appendPattern(pattern)
                    .toFormatter(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(
                    "ts-format",
                    "'" + pattern + "' is not a timestamp pattern (" + e.getMessage()
                            + "); for instance 'dd.MM.yyyy HH:mm' or 'MM/dd/yyyy hh:mm:ss a'",
                    e);
        }
    }

    /** What a timestamp cell that did not parse is expected to look like, and how to read another form. */
    private static String timestampHint(String cell, Columns columns) {
        if (columns.timeFormat() != null) {
            return " matching --ts-format '" + columns.timeFormat() + "'";
        }
        String hint = " (ISO-8601, a local date-time, or epoch seconds, milliseconds, microseconds or nanoseconds";
        return DATE_FIRST.matcher(cell.trim()).matches()
                ? hint + "; a day or month first? give --ts-format, for instance 'dd.MM.yyyy HH:mm' or"
                        + " 'MM/dd/yyyy HH:mm')"
                : hint + "; another form: give --ts-format)";
    }

    /** A value such as {@code 61,2} read with the decimal point: say how to read it. */
    private static String decimalHint(String cell, Columns columns) {
        if (columns.decimal() == '.' && cell.indexOf(',') >= 0) {
            try {
                Double.parseDouble(cell.replace(',', '.'));
                return " (a decimal comma? give --decimal ',')";
            } catch (NumberFormatException e) {
                return "";
            }
        }
        return "";
    }

    public static List<Reading> read(Path file, Columns columns) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, columns, file.toString());
        }
    }

    /** {@code source} names the input in error messages. */
    public static List<Reading> read(Reader raw, Columns columns, String source) throws IOException {
        Reader in = withoutByteOrderMark(raw);
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setDelimiter(columns.delimiter())
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true)
                .setIgnoreEmptyLines(true)
                .setAllowMissingColumnNames(true)
                .get();
        try (CSVParser parser =
                CSVParser.builder().setReader(in).setFormat(format).get()) {
            List<String> header = parser.getHeaderNames();
            if (header.isEmpty()) {
                throw new BadRequestException("csv", source + " is empty; a header line is expected");
            }
            int ts = column(header, columns.timestamp(), 0, "--ts-column", source);
            int value = column(header, columns.value(), 1, "--value-column", source);
            List<Reading> out = new ArrayList<>();
            TimestampCells times = new TimestampCells(
                    columns.timeFormat() == null ? null : timestampPattern(columns.timeFormat()), columns.zone());
            for (CSVRecord r : parser) {
                long line = r.getParser().getCurrentLineNumber();
                if (r.size() <= Math.max(ts, value)) {
                    throw new BadRequestException(
                            "csv",
                            source + " line " + line + " has " + r.size() + " columns; the value is expected in column "
                                    + (value + 1));
                }
                String cell = r.get(value);
                if (cell.isEmpty()) {
                    continue;
                }
                double v;
                try {
                    v = Double.parseDouble(columns.decimal() == ',' ? cell.replace(',', '.') : cell);
                } catch (NumberFormatException e) {
                    // Java's own words ("For input string") name neither the column nor what is wrong.
                    throw new BadRequestException(
                            "csv",
                            source + " line " + line + ": '" + cell + "' in column '" + header.get(value)
                                    + "' is not a number" + decimalHint(cell, columns),
                            e);
                }
                try {
                    out.add(new Reading(times.next(r.get(ts)), v));
                } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
                    throw new BadRequestException(
                            "csv",
                            source + " line " + line + ": '" + r.get(ts) + "' in column '" + header.get(ts)
                                    + "' is not a timestamp" + timestampHint(r.get(ts), columns),
                            e);
                }
            }
            return out;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            if (e instanceof BadRequestException b) {
                throw b;
            }
            throw new BadRequestException("csv", source + " is not a readable CSV: " + e.getMessage(), e);
        }
    }

    /** The column names of a file's header line. */
    public static List<String> header(Path file, char delimiter) throws IOException {
        try (Reader in = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
                CSVParser p = CSVParser.builder()
                        .setReader(in)
                        .setFormat(CSVFormat.DEFAULT
                                .builder()
                                .setDelimiter(delimiter)
                                .setHeader()
                                .setSkipHeaderRecord(true)
                                .setIgnoreSurroundingSpaces(true)
                                .setAllowMissingColumnNames(true)
                                .get())
                        .get()) {
            return List.copyOf(p.getHeaderNames());
        }
    }

    private static final Pattern DATE_FIRST = Pattern.compile("\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}\\b.*");

    private static int column(List<String> header, String name, int fallback, String option, String source) {
        if (name == null) {
            if (header.size() <= fallback) {
                String hint = header.size() == 1 && header.get(0).matches(".*[;\t|].*")
                        ? " (another delimiter? --delimiter ';' for instance)"
                        : "";
                throw new BadRequestException(
                        option, source + ": the header has " + header.size() + " column(s): " + header + hint);
            }
            return fallback;
        }
        int i = header.indexOf(name);
        if (i < 0) {
            throw new BadRequestException(option, source + ": no column '" + name + "' in the header " + header);
        }
        return i;
    }

    /**
     * An ISO-8601 instant or offset date-time, an epoch number (seconds, milliseconds, microseconds
     * or nanoseconds, told apart by size: {@link Timestamps#epoch}), or a local date-time taken as UTC.
     */
    public static Instant timestamp(String text) {
        return Timestamps.parse(text, true);
    }

    /** Spreadsheet exports often start with U+FEFF, which would otherwise become part of the first column's name. */
    static Reader withoutByteOrderMark(Reader in) throws IOException {
        PushbackReader r = new PushbackReader(in, 1);
        int first = r.read();
        if (first != -1 && first != '\uFEFF') {
            r.unread(first);
        }
        return r;
    }
}
