package io.prognos.evaluation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReadingsTest {

    private static List<Reading> read(String csv, String ts, String value, char delimiter) throws Exception {
        return CsvReadings.read(new StringReader(csv), new CsvReadings.Columns(ts, value, delimiter), "test.csv");
    }

    @Test
    void timestampsInEveryAcceptedForm() throws Exception {
        List<Reading> r = read(
                "timestamp,value\n2013-07-04 00:00:00,1.5\n2013-07-04T01:00:00Z,2\n1372906800000,3\n"
                        + "2013-07-04T04:00:00+01:00,4\n1372914000,5\n1372917600.5,6\n",
                null,
                null,
                ',');
        assertEquals(Instant.parse("2013-07-04T00:00:00Z"), r.get(0).timestamp());
        assertEquals(Instant.parse("2013-07-04T01:00:00Z"), r.get(1).timestamp());
        assertEquals(Instant.parse("2013-07-04T03:00:00Z"), r.get(2).timestamp());
        assertEquals(Instant.parse("2013-07-04T03:00:00Z"), r.get(3).timestamp());
        // Unix seconds were read as milliseconds: January 1970.
        assertEquals(Instant.parse("2013-07-04T05:00:00Z"), r.get(4).timestamp(), "epoch seconds");
        assertEquals(Instant.parse("2013-07-04T06:00:00.5Z"), r.get(5).timestamp(), "with a fraction");
    }

    /**
     * A spreadsheet in a German or French locale writes {@code 61,2} between semicolons: read with
     * {@code --decimal ','}, and without it refused with the hint; a decimal mark that is also the
     * delimiter, or neither mark, is refused.
     */
    @Test
    void valuesWithADecimalComma() throws Exception {
        String csv = "Zeit;Wert\n2026-11-01 00:00:00;61,25\n2026-11-01 01:00:00;-0,5\n2026-11-01 02:00:00;7\n";
        List<Reading> r =
                CsvReadings.read(new StringReader(csv), new CsvReadings.Columns(null, null, ';', ','), "test.csv");
        assertEquals(List.of(61.25, -0.5, 7.0), r.stream().map(Reading::value).toList());
        BadRequestException e = assertThrows(BadRequestException.class, () -> read(csv, null, null, ';'));
        assertTrue(
                e.getMessage()
                        .contains("line 2: '61,25' in column 'Wert' is not a number (a decimal comma? give"
                                + " --decimal ',')"),
                e.getMessage());
        assertThrows(BadRequestException.class, () -> new CsvReadings.Columns(null, null, ',', ','));
        assertThrows(BadRequestException.class, () -> new CsvReadings.Columns(null, null, ';', '\''));
        // A comma in a value that is no number either way gets no hint.
        BadRequestException plain =
                assertThrows(BadRequestException.class, () -> read("t;v\n2026-11-01 00:00:00;n,a\n", null, null, ';'));
        assertTrue(plain.getMessage().endsWith("is not a number"), plain.getMessage());
    }

    private static List<Instant> times(String csv, String pattern, String zone) throws Exception {
        return CsvReadings.read(
                        new StringReader(csv),
                        new CsvReadings.Columns(null, null, ';', ',', pattern, ZoneId.of(zone)),
                        "test.csv")
                .stream()
                .map(Reading::timestamp)
                .toList();
    }

    /**
     * A spreadsheet export in local time across the autumn clock change (Berlin, 25 October 2026:
     * 03:00 summer time becomes 02:00 winter time) writes 02:00 twice: read in its zone, the two are
     * an hour apart and every reading an hour after the one before, as the device sent them.
     */
    @Test
    void localTimesInTheFilesOwnPatternAndZoneAcrossAClockChange() throws Exception {
        String autumn = "Zeit;Wert\n25.10.2026 01:00;1\n25.10.2026 02:00;2\n25.10.2026 02:00;3\n25.10.2026 03:00;4\n";
        assertEquals(
                List.of(
                        Instant.parse("2026-10-24T23:00:00Z"),
                        Instant.parse("2026-10-25T00:00:00Z"),
                        Instant.parse("2026-10-25T01:00:00Z"),
                        Instant.parse("2026-10-25T02:00:00Z")),
                times(autumn, "dd.MM.yyyy HH:mm", "Europe/Berlin"));
        // Spring: 02:00 does not exist on 29 March 2026, so 01:00 and 03:00 are an hour apart.
        assertEquals(
                List.of(Instant.parse("2026-03-29T00:00:00Z"), Instant.parse("2026-03-29T01:00:00Z")),
                times("t;v\n2026-03-29 01:00;1\n2026-03-29 03:00;2\n", null, "Europe/Berlin"));
        // A repeated time outside a clock change stays a duplicate; times with their own zone keep it.
        assertEquals(
                List.of(Instant.parse("2026-07-01T10:00:00Z"), Instant.parse("2026-07-01T10:00:00Z")),
                times("t;v\n2026-07-01 12:00;1\n2026-07-01 12:00;2\n", null, "Europe/Berlin"));
        assertEquals(
                List.of(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-25T00:30:00Z")),
                times("t;v\n2026-10-25T00:30:00Z;1\n2026-10-25T02:30:00+02:00;2\n", null, "Europe/Berlin"));
        // Month first with AM and PM in any case, and dates alone.
        assertEquals(
                List.of(Instant.parse("2026-11-03T13:05:00Z"), Instant.parse("2026-11-04T00:15:00Z")),
                times("t;v\n11/03/2026 01:05:00 PM;1\n11/04/2026 12:15:00 am;2\n", "MM/dd/yyyy hh:mm:ss a", "UTC"));
        assertEquals(
                List.of(Instant.parse("2026-11-02T23:00:00Z")),
                times("t;v\n03.11.2026;1\n", "dd.MM.yyyy", "Europe/Berlin"));
    }

    /** A day-first date without a pattern says how to read it; one that does not match the pattern names it. */
    @Test
    void timestampsInAnotherFormAreRefusedSayingHowToReadThem() {
        BadRequestException dayFirst =
                assertThrows(BadRequestException.class, () -> times("Zeit;Wert\n25.10.2026 01:00;1\n", null, "UTC"));
        assertEquals(
                "test.csv line 2: '25.10.2026 01:00' in column 'Zeit' is not a timestamp (ISO-8601, a local date-time,"
                        + " or epoch seconds, milliseconds, microseconds or nanoseconds; a day or month first? give"
                        + " --ts-format, for instance 'dd.MM.yyyy HH:mm' or 'MM/dd/yyyy HH:mm')",
                dayFirst.getMessage());
        BadRequestException other = assertThrows(
                BadRequestException.class, () -> times("Zeit;Wert\n2026-10-25 01:00;1\n", "dd.MM.yyyy HH:mm", "UTC"));
        assertEquals(
                "test.csv line 2: '2026-10-25 01:00' in column 'Zeit' is not a timestamp matching --ts-format"
                        + " 'dd.MM.yyyy HH:mm'",
                other.getMessage());
        BadRequestException pattern = assertThrows(
                BadRequestException.class,
                () -> new CsvReadings.Columns(null, null, ';', ',', "dd.MM.yyyy {", ZoneId.of("UTC")));
        assertEquals("ts-format", pattern.field());
    }

    @Test
    void quotedFieldsAByteOrderMarkAndOtherDelimiters() throws Exception {
        List<Reading> r = read(
                "\uFEFF\"time\";\"a\";\"Current\"\n\"2020-02-08 13:30:47\";\"0,2\";2.16\n", "time", "Current", ';');
        assertEquals(2.16, r.get(0).value());
        List<Reading> skab = read(
                "datetime;a;Current\n2020-02-08 13:30:47;0.2;2.16\n2020-02-08 13:30:48;0.2;\n",
                "datetime",
                "Current",
                ';');
        assertEquals(1, skab.size(), "an empty cell is a sensor that did not report");
    }

    @Test
    void badLinesAndMissingColumnsAreNamed() {
        var e = assertThrows(
                BadRequestException.class, () -> read("ts,value\n2013-07-04 00:00:00,hot\n", null, null, ','));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        var missing = assertThrows(BadRequestException.class, () -> read("datetime;a\n", null, "Current", ';'));
        assertEquals("--value-column", missing.field());
        var time = assertThrows(BadRequestException.class, () -> read("ts,value\nyesterday,1\n", null, null, ','));
        assertTrue(time.getMessage().contains("line 2"), time.getMessage());
        // Each names the cell, its column and what it must be, not Java's "For input string".
        assertEquals("test.csv line 2: 'hot' in column 'value' is not a number", e.getMessage());
        assertTrue(
                time.getMessage().startsWith("test.csv line 2: 'yesterday' in column 'ts' is not a timestamp"),
                time.getMessage());
        var delimiter =
                assertThrows(BadRequestException.class, () -> read("ts;value\n2013-07-04;1\n", null, null, ','));
        assertTrue(
                delimiter.getMessage().endsWith("(another delimiter? --delimiter ';' for instance)"),
                delimiter.getMessage());
    }
}
