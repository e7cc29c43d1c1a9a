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

        BadRequestException missing =
                assertThrows(BadRequestException.class, () -> LabelledWindows.readAll(dir.resolve("none.json")));
        assertEquals("--windows", missing.field());
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }
}
