package io.prognos.evaluation.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --limits} judges the times to failure against the crossing as it came. */
class TimeToFailureEvaluationTest {

    /**
     * Sensors climbing steadily to their limit (50 + 0.05 and 0.048 an hour, limit 77, crossed at
     * hours 540 and 562.5): every time to failure the risk gives in the last horizon before the
     * crossing sees it come, within half an interval of when it came; the run's figures are the
     * series' summed.
     */
    @Test
    void aSteadyClimbsTimeToFailureIsRightWithinHalfAnInterval(@TempDir Path dir) throws Exception {
        for (double slope : new double[] {0.05, 0.048}) {
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
            for (int i = 0; i < 600; i++) {
                csv.append(t0.plusSeconds(3600L * i))
                        .append(',')
                        .append(50 + slope * i)
                        .append('\n');
            }
            Files.writeString(dir.resolve("ramp-" + slope + ".csv"), csv);
        }
        JsonNode card =
                ReportSetAccuracyTest.evaluate("--data", dir.toString(), "--train-fraction", "0.8", "--limits", ",77");
        JsonNode run = card.get("time_to_failure");
        int givenInSeries = 0;
        for (JsonNode s : card.get("series")) {
            JsonNode own = s.get("alerts").get("time_to_failure");
            int given = own.get("given").asInt();
            assertTrue(given >= 10, "a time to failure in (nearly) every hour of the last horizon: " + own);
            assertEquals(given, own.get("came").asInt(), "each came within the horizon: " + own);
            assertTrue(own.get("mean_abs_error_hours").asDouble() < 0.5, own.toString());
            assertTrue(own.get("forecast_or_came").asInt() >= given, own.toString());
            assertEquals(0, own.get("came_later").asInt(), own.toString());
            givenInSeries += given;
        }
        assertEquals(2, card.get("series").size());
        assertEquals(givenInSeries, run.get("given").asInt(), run.toString());
        assertTrue(run.get("mean_abs_error_hours").asDouble() < 0.5, run.toString());
    }

    /**
     * {@code --limits training-range} gives each series the lowest and highest reading it was trained
     * on (a ramp of 600 hours trained on its first 480: 50 to 73.95, not the whole series' 79.95), and
     * a series whose training part holds one value is skipped, saying why.
     */
    @Test
    void theTrainingRangeIsEachSeriesOwnTrainingPart(@TempDir Path dir) throws Exception {
        StringBuilder ramp = new StringBuilder("timestamp,value\n");
        StringBuilder flat = new StringBuilder("timestamp,value\n");
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        for (int i = 0; i < 600; i++) {
            ramp.append(t0.plusSeconds(3600L * i))
                    .append(',')
                    .append(50 + 0.05 * i)
                    .append('\n');
            flat.append(t0.plusSeconds(3600L * i))
                    .append(',')
                    .append(i < 500 ? 7 : 8)
                    .append('\n');
        }
        Files.writeString(dir.resolve("ramp.csv"), ramp);
        Files.writeString(dir.resolve("flat.csv"), flat);
        JsonNode card = ReportSetAccuracyTest.evaluate(
                "--data", dir.toString(), "--train-fraction", "0.8", "--limits", "training-range");
        assertEquals(1, card.get("series").size(), card.toString());
        JsonNode series = card.get("series").get(0);
        assertEquals("low 50.0, high 73.95", series.get("alerts").get("limits").asText(), series.toString());
        String why = card.get("skipped").get("flat.csv").asText();
        assertTrue(why.contains("single value") && why.contains("training-range"), why);
    }
}
