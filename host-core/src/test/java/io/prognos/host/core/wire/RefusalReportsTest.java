package io.prognos.host.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What an operator gets on the errors topic for a message of many bad readings. */
class RefusalReportsTest {

    private final ReadingParser parser = new ReadingParser(
            Json.mapper(),
            "ts",
            "value",
            Set.of(),
            1 << 20,
            Duration.ofMinutes(5),
            Duration.ofDays(3650),
            Clock.fixed(Instant.parse("2026-05-01T12:00:00Z"), ZoneOffset.UTC));

    /**
     * A message of 20 texts, then 3 infinite values, then one good reading, then a bare number, as
     * a device might send it.
     */
    private List<BadPayloadException> refusedOfABadArray() throws Exception {
        String payload =
                "[" + "{\"value\": \"hot\"},".repeat(20) + "{\"value\": 1e999},".repeat(3) + "{\"value\": 1}, 2]";
        ReadingParser.Parsed p = parser.parse(payload.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, p.readings().size());
        return p.refused();
    }

    @Test
    void theFirstTenAreSaidEachAndTheRestSummedUpByReasonWithTheirNumber() throws Exception {
        List<RefusalReports.Report> reports = RefusalReports.of(refusedOfABadArray(), " (kept)");

        assertEquals(RefusalReports.EACH + 3, reports.size(), reports.toString());
        for (int i = 0; i < RefusalReports.EACH; i++) {
            RefusalReports.Report r = reports.get(i);
            assertEquals("non_numeric_value", r.reason());
            assertEquals(1, r.readings());
            assertTrue(r.message().startsWith("reading " + (i + 1) + " of 25: "), r.message());
            assertTrue(r.message().endsWith(" (kept)"), r.message());
        }
        RefusalReports.Report texts = reports.get(RefusalReports.EACH);
        assertEquals("non_numeric_value", texts.reason());
        assertEquals(10, texts.readings());
        assertTrue(texts.message().startsWith("10 more refused as non_numeric_value"), texts.message());
        assertTrue(texts.message().contains("the first: reading 11 of 25: 'value' is not a number"), texts.message());
        RefusalReports.Report infinite = reports.get(RefusalReports.EACH + 1);
        assertEquals("non_finite_value", infinite.reason());
        assertEquals(3, infinite.readings());
        assertTrue(infinite.message().contains("the first: reading 21 of 25: "), infinite.message());
        // A reason refused once past the first ten is said as it is, not as "1 more".
        RefusalReports.Report bare = reports.get(RefusalReports.EACH + 2);
        assertEquals("malformed_json", bare.reason());
        assertEquals(1, bare.readings());
        assertTrue(bare.message().startsWith("reading 25 of 25: a reading must be a JSON object"), bare.message());
        assertEquals(
                24, reports.stream().mapToInt(RefusalReports.Report::readings).sum(), "every refusal counted");
    }

    @Test
    void aFewAreSaidEach() throws Exception {
        List<BadPayloadException> few = refusedOfABadArray().subList(18, 22);
        List<RefusalReports.Report> reports = RefusalReports.of(few, "");
        assertEquals(4, reports.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(few.get(i).getMessage(), reports.get(i).message());
            assertEquals(few.get(i).reason(), reports.get(i).reason());
            assertEquals(1, reports.get(i).readings());
        }
        assertEquals(List.of(), RefusalReports.of(List.of(), ""));
    }
}
