package io.prognos.evaluation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledWindowsTest {

    @TempDir
    Path dir;

    /** Windows of a series in local time are in its zone and, in a CSV, may be in its own pattern. */
    @Test
    void windowsAreReadInTheSeriesZoneAndFormat() throws Exception {
        java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
        Path csv = Files.writeString(
                dir.resolve("w.csv"),
                "start,end,failure\n25.10.2026 01:00,25.10.2026 05:00,2026-10-25T03:00:00+01:00\n"
                        + "2026-07-01 12:00,1782914400,\n");
        List<LabelledWindows.Window> w = LabelledWindows.forSeries(
                csv, "a.csv", java.time.format.DateTimeFormatter.ofPattern("dd.MM.uuuu HH:mm"), berlin);
        assertEquals(
                List.of(
                        new LabelledWindows.Window(
                                Instant.parse("2026-10-24T23:00:00Z"),
                                Instant.parse("2026-10-25T04:00:00Z"),
                                Instant.parse("2026-10-25T02:00:00Z")),
                        new LabelledWindows.Window(
                                Instant.parse("2026-07-01T10:00:00Z"),
                                Instant.parse("2026-07-01T14:00:00Z"),
                                Instant.parse("2026-07-01T12:00:00Z"))),
                w,
                "local times in Berlin; an offset and an epoch number as written");
        Path json = Files.writeString(
                dir.resolve("local.json"),
                "{\"cat/a.csv\": [[\"2026-07-01 12:00:00.000000\", \"2026-07-01 14:00:00.000000\"]]}");
        assertEquals(
                Instant.parse("2026-07-01T10:00:00Z"),
                LabelledWindows.readAll(json, berlin).get("cat/a.csv").get(0).start());
        assertEquals(
                Instant.parse("2026-07-01T12:00:00Z"),
                LabelledWindows.readAll(json).get("cat/a.csv").get(0).start(),
                "UTC unless told");
    }

    @Test
    void aWindowsFileIsReadByItsSeriesKeys() throws Exception {
        Path json = Files.writeString(
                dir.resolve("windows.json"),
                "{\"cat/a.csv\": [[\"2014-02-01 00:00:00.000000\", \"2014-02-02 00:00:00.000000\"]], \"cat/b.csv\": []}");
        Map<String, List<LabelledWindows.Window>> w = LabelledWindows.readAll(json);
        assertEquals(List.of(), w.get("cat/b.csv"));
        LabelledWindows.Window a = w.get("cat/a.csv").get(0);
        assertEquals(Instant.parse("2014-02-01T00:00:00Z"), a.start());
        assertEquals(Instant.parse("2014-02-02T00:00:00Z"), a.end());
        assertEquals(Instant.parse("2014-02-01T12:00:00Z"), a.failure()); // no labels beside it: the middle
    }

    @Test
    void aBrokenOrMissingFileIsRefusedSayingWhereAndWhy() throws Exception {
        Path cut = Files.writeString(dir.resolve("cut.json"), "{\"cat/a.csv\": [[\"2014-02-01\", ");
        BadRequestException broken = assertThrows(BadRequestException.class, () -> LabelledWindows.readAll(cut));
        assertEquals("--windows", broken.field());
        assertTrue(broken.getMessage().contains("is not NAB's windows JSON"), broken.getMessage());
        assertTrue(broken.getMessage().contains("(line 1, column "), broken.getMessage());
        // Jackson's own location text said nothing to a user ("[Source: REDACTED ...").
        assertFalse(broken.getMessage().contains("Source"), broken.getMessage());

        // A window's own fault names the window (both escaped as the parser's exception and its trace).
        for (String[] bad : new String[][] {
            {"[\"2014-02-02 00:00:00\", \"2014-02-01 00:00:00\"]", "ends before it starts"},
            {"[\"yesterday\", \"2014-02-01 00:00:00\"]", "yesterday"}
        }) {
            Path file = Files.writeString(dir.resolve("bad.json"), "{\"cat/a.csv\": [" + bad[0] + "]}");
            BadRequestException e = assertThrows(BadRequestException.class, () -> LabelledWindows.readAll(file));
            assertEquals("--windows", e.field());
            assertTrue(
                    e.getMessage().contains("a window of cat/a.csv")
                            && e.getMessage().contains(bad[1]),
                    e.getMessage());
        }
        // JSON nulls where the file's parts belong (each was a NullPointerException with its trace).
        for (String[] bad : new String[][] {
            {"null", "is not NAB's windows JSON"},
            {"{\"cat/a.csv\": null}", "cat/a.csv has no list of windows"},
            {"{\"cat/a.csv\": [null]}", "a window of cat/a.csv is not [start, end]"},
            {"{\"cat/a.csv\": [[null, \"2014-02-01 00:00:00\"]]}", "a window of cat/a.csv is not [start, end]"}
        }) {
            Path file = Files.writeString(dir.resolve("null.json"), bad[0]);
            BadRequestException e = assertThrows(BadRequestException.class, () -> LabelledWindows.readAll(file));
            assertEquals("--windows", e.field());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        // A CSV of start,end[,failure] likewise, naming the line; a failure point must lie in its window.
        for (String[] bad : new String[][] {
            {"2024-01-02T00:00:00Z", "line 2 has 1 column"},
            {"2024-01-01T00:00:00Z,2024-01-03T00:00:00Z,2024-01-05T00:00:00Z", "outside its window"}
        }) {
            Path csv = Files.writeString(dir.resolve("bad.csv"), "start,end,failure\n" + bad[0] + "\n");
            BadRequestException e =
                    assertThrows(BadRequestException.class, () -> LabelledWindows.forSeries(csv, "a.csv"));
            assertEquals("--windows", e.field());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }

        BadRequestException missing =
                assertThrows(BadRequestException.class, () -> LabelledWindows.readAll(dir.resolve("none.json")));
        assertEquals("--windows", missing.field());
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }
}
