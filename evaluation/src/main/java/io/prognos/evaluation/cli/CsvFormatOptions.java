package io.prognos.evaluation.cli;

import io.prognos.api.BadRequestException;
import io.prognos.evaluation.data.CsvReadings;
import java.time.DateTimeException;
import java.time.ZoneId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * How a CSV file writes its columns, numbers and times: the options of every command that reads
 * one. A bad pattern or zone is refused with the other usage errors, before any file is read.
 */
public final class CsvFormatOptions {

    @Option(
            names = "--delimiter",
            paramLabel = "C",
            defaultValue = ",",
            description = "column separator (default ','; SKAB and many spreadsheets use ';')")
    char delimiter;

    @Option(
            names = "--decimal",
            paramLabel = "C",
            defaultValue = ".",
            description = "decimal mark of the values: '.' or ',' (with --delimiter ';', as spreadsheets write them in"
                    + " many locales)")
    char decimal;

    @Option(
            names = "--ts-format",
            paramLabel = "PATTERN",
            converter = PatternConverter.class,
            description = "how the timestamps are written when they are not ISO-8601 or epoch numbers, as a"
                    + " java.time pattern: 'dd.MM.yyyy HH:mm', 'MM/dd/yyyy hh:mm:ss a'")
    String tsFormat;

    @Option(
            names = "--ts-zone",
            paramLabel = "ZONE",
            defaultValue = "UTC",
            converter = ZoneConverter.class,
            description = "time zone of timestamps written without one, e.g. Europe/Berlin (default UTC); the hour"
                    + " a clock change repeats is read in the file's order; forecast prints its times in it")
    ZoneId tsZone;

    public char delimiter() {
        return delimiter;
    }

    /** The zone of times written without one (UTC unless given). */
    public ZoneId zone() {
        return tsZone;
    }

    /** The pattern of {@code --ts-format}, or null for ISO-8601 and epoch numbers. */
    public java.time.format.DateTimeFormatter timeFormat() {
        return tsFormat == null ? null : CsvReadings.timestampPattern(tsFormat);
    }

    /** The columns by name (null: the first and the second), read in this format. */
    public CsvReadings.Columns columns(String timestampColumn, String valueColumn) {
        return new CsvReadings.Columns(timestampColumn, valueColumn, delimiter, decimal, tsFormat, tsZone);
    }

    static final class PatternConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                CsvReadings.timestampPattern(value);
                return value;
            } catch (BadRequestException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ZoneConverter implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            try {
                return ZoneId.of(value);
            } catch (DateTimeException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a time zone: a region such as Europe/Berlin, or an offset such as +01:00");
            }
        }
    }
}
