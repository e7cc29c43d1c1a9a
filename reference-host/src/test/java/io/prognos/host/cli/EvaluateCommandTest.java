package io.prognos.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} end to end on a generated series with known properties: a daily cycle for six
 * weeks, then a rise that crosses the operating limit inside a labelled window.
 */
class EvaluateCommandTest {

    @TempDir
    static Path tmp;

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** Hourly from START, two readings an hour; after hour {@code riseFrom} the value rises 0.15 per hour. */
    private static Path series(int riseFrom) throws Exception {
        return series(riseFrom, -1, tmp);
    }

    /** The same in {@code dir}, with hour {@code spikeAt} (if any) 30 higher. */
    private static Path series(int riseFrom, int spikeAt, Path dir) throws Exception {
        Random r = new Random(5);
        StringBuilder csv = new StringBuilder("time;temperature\n");
        for (int i = 0; i < 1440; i++) {
            double rise = i < riseFrom ? 0 : 0.15 * (i - riseFrom);
            double v =
                    50 + 3 * Math.sin(2 * Math.PI * i / 24) + rise + 0.3 * r.nextGaussian() + (i == spikeAt ? 30 : 0);
            // Two readings per hour, resampled to hourly means by --resample.
            csv.append(START.plus(Duration.ofHours(i)))
                    .append(';')
                    .append(v - 0.05)
                    .append('\n');
            csv.append(START.plus(Duration.ofHours(i)).plusSeconds(1800))
                    .append(';')
                    .append(v + 0.05)
                    .append('\n');
        }
        Path f = Files.createTempFile(dir, "series", ".csv");
        Files.writeString(f, csv);
        return f;
    }

    /** {@code evaluate} of the generated series' temperature column at hourly means, as JSON. */
    private static JsonNode evaluateHourly(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("evaluate"));
        all.addAll(List.of(args));
        all.addAll(List.of("--delimiter", ";", "--value-column", "temperature", "--resample", "1h", "--json"));
        return evaluate(all.toArray(String[]::new));
    }

    private static JsonNode evaluate(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrognosHost.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSteadyDailyCycleIsForecastBetterThanTheLastValueWithHonestIntervals() throws Exception {
        JsonNode r = evaluateHourly("--csv", series(Integer.MAX_VALUE).toString());
        assertEquals("PT1H", r.get("interval").asText());
        assertEquals(2880, r.get("readings").asInt());
        // 30 % of 1440 hours, minus the last point that has nothing after it.
        assertTrue(r.get("origins").asInt() > 420 && r.get("origins").asInt() <= 432, r.toString());
        assertEquals(2, r.get("metrics_version").asInt());
        double relmae = r.get("relmae").asDouble();
        assertTrue(relmae < 0.9, "a daily cycle is more predictable than 'it stays': relmae " + relmae);
        JsonNode prognos = r.get("methods").get("prognos");
        JsonNode last = r.get("methods").get("last_value");
        // MASE is scaled by the training part's one-step naive MAE, relmae by the last value on the same pairs.
        double naive = r.get("scales").get("naive_mae").asDouble();
        assertEquals(prognos.get("mae").asDouble() / naive, r.get("mase").asDouble(), 2e-3);
        assertEquals(prognos.get("mae").asDouble() / last.get("mae").asDouble(), relmae, 2e-3);
        assertTrue(r.get("mase").asDouble() < 1.5 && r.get("mase").asDouble() > 0.1, r.toString());
        assertEquals(12, prognos.get("per_step").size());
        double coverage = r.get("coverage").asDouble();
        assertTrue(coverage > 0.8 && coverage < 0.98, "90 % intervals covered " + coverage);
        assertEquals(
                r.get("mean_width").asDouble(),
                r.get("mean_interval_width").asDouble(),
                0,
                "the version-1 name stays one release");
        double ratio = r.get("interval_score_ratio").asDouble();
        assertEquals(
                r.get("interval_score").asDouble()
                        / r.get("last_value_intervals").get("interval_score").asDouble(),
                ratio,
                2e-3);
        assertEquals(
                0,
                r.get("alerts").get("false_episodes").asInt(),
                r.get("alerts").toString());
    }

    @Test
    void aRiseThroughTheLimitIsCaughtBeforeTheLabelledFailure() throws Exception {
        Path csv = series(1100);
        Path windows = tmp.resolve("windows.csv");
        // The value crosses 70 near hour 1222; the window spans it.
        Files.writeString(
                windows,
                "start,end,failure\n" + START.plus(Duration.ofHours(1180)) + "," + START.plus(Duration.ofHours(1260))
                        + "," + START.plus(Duration.ofHours(1222)) + "\n");
        Path png = tmp.resolve("plot.png");
        JsonNode r = evaluateHourly(
                "--csv", csv.toString(), "--limits", ",70", "--windows", windows.toString(), "--plot", png.toString());
        assertTrue(r.get("relmae").asDouble() < 1, r.toString());
        JsonNode alerts = r.get("alerts");
        JsonNode w = alerts.get("windows").get(0);
        assertTrue(w.get("caught").asBoolean(), alerts.toString());
        assertTrue(w.get("hours_before_failure").asDouble() > 0, alerts.toString());
        assertEquals(1, alerts.get("caught_before_failure").asInt());
        // Scored by NAB's rules on the test part: the window is detected, and its 161 readings (80 hours, two
        // an hour) are either detections or misses; an assessment is stamped on the last reading of its hour.
        for (String profile : new String[] {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}) {
            JsonNode s = alerts.get("nab").get(profile);
            assertEquals(1, s.get("windows_detected").asInt(), s.toString());
            assertEquals(161, s.get("tp").asInt() + s.get("fn").asInt(), s.toString());
            // Detections are the alerts a plant receives: one when the episode opens and one per
            // escalation (medium, high, critical), not one for every hour at medium or above.
            assertTrue(s.get("tp").asInt() <= 3, "detections are raised alerts: " + s);
        }

        var image = ImageIO.read(png.toFile());
        assertEquals(1600, image.getWidth());
    }

    /**
     * Series known to be healthy, declared by a windows file without windows: every alert over their
     * test parts is false, counted with the series that raised one. Unlabelled, none is judged.
     */
    @Test
    void anEmptyWindowsFileCountsEveryAlertOfHealthySeriesAsFalse() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("healthy"));
        series(Integer.MAX_VALUE, -1, dir);
        series(Integer.MAX_VALUE, 1300, dir); // in the test part, which starts at hour 1008
        Path none = tmp.resolve("no-windows.csv");
        Files.writeString(none, "");
        JsonNode judged = evaluateHourly("--data", dir.toString(), "--windows", none.toString());
        JsonNode alerts = judged.get("alerts");
        assertEquals(0, alerts.get("windows").asInt(), alerts.toString());
        assertTrue(alerts.get("false_episodes").asInt() >= 1, "the spike raised an alert: " + alerts);
        assertEquals(1, alerts.get("series_with_false_episodes").asInt(), alerts.toString());
        assertTrue(alerts.get("false_episodes_per30_days").asDouble() > 0, alerts.toString());
        assertTrue(
                evaluateHourly("--data", dir.toString()).get("alerts").isNull(),
                "without windows no alert can be told true or false");
    }

    @Test
    void badOptionsAreNamed() throws Exception {
        Path csv = series(Integer.MAX_VALUE);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrognosHost.run(
                new String[] {"evaluate", "--csv", csv.toString(), "--delimiter", ";", "--value-column", "pressure"},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code, err.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no column 'pressure'"), err.toString());
        err.reset();
        code = PrognosHost.run(
                new String[] {"evaluate", "--csv", csv.toString(), "--delimiter", ";", "--resample", "soon"},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code, "a bad option is a usage error");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--resample"), err.toString());
        // Values picocli cannot check itself are usage errors too, named (they were exit 1, one unnamed).
        for (String[] bad :
                List.of(new String[] {"--train-fraction", "1.5"}, new String[] {"--limits", "5,1"}, new String[] {
                    "--limits", "x"
                })) {
            err.reset();
            List<String> args = new ArrayList<>(List.of("evaluate", "--csv", csv.toString(), "--delimiter", ";"));
            args.addAll(List.of(bad));
            code = PrognosHost.run(
                    args.toArray(String[]::new),
                    new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code, String.join(" ", bad) + ": " + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(bad[0]), err.toString());
        }
    }

    /**
     * Readings that share a time are no spacing: a file with every row twice is read at its hourly
     * interval (its median spacing was 0, and resampling at 1 ms ran the heap out); a span of more
     * intervals than the resampling holds, and readings all at one time, are refused naming why.
     */
    @Test
    void theIntervalIgnoresRepeatedTimesAndAHugeSpanIsRefused() throws Exception {
        StringBuilder twice = new StringBuilder("time,value\n");
        for (int i = 0; i < 300; i++) {
            String row = START.plus(Duration.ofHours(i)) + "," + (20 + Math.sin(i / 4.0)) + "\n";
            twice.append(row).append(row);
        }
        Path doubled = Files.writeString(tmp.resolve("twice.csv"), twice);
        JsonNode r = evaluate("evaluate", "--csv", doubled.toString(), "--json");
        assertEquals("PT1H", r.get("interval").asText(), r.toString());
        assertEquals(600, r.get("readings").asInt());

        StringBuilder stray = new StringBuilder("time,value\n");
        for (int i = 0; i < 100; i++) {
            stray.append(START.plusSeconds(i)).append(',').append(i % 7).append('\n');
        }
        stray.append(START.plus(Duration.ofDays(365))).append(",1\n"); // a year after, at 1 s intervals
        Path span = Files.writeString(tmp.resolve("span.csv"), stray);
        Path same = Files.writeString(
                tmp.resolve("same.csv"), "time,value\n" + START + ",1\n" + START + ",2\n" + START + ",3\n");
        for (Path p : List.of(span, same)) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PrognosHost.run(
                    new String[] {"evaluate", "--csv", p.toString()},
                    new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, said);
            assertTrue(
                    said.contains(p.getFileName().toString())
                            && said.contains(p == span ? "more than 10000000; set a coarser --resample" : "same time"),
                    said);
        }
    }

    @Test
    void aBadSettingIsRefusedBeforeAnySeriesIsRead() throws Exception {
        // A folder whose file cannot be read as a series: read first, it would be refused for the
        // file (exit 1, "no column"); the setting is the user's first mistake to hear about.
        Path dir = Files.createTempDirectory(tmp, "data");
        Files.writeString(dir.resolve("a.csv"), "time;temperature\n2026-01-01T00:00:00Z;1\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrognosHost.run(
                new String[] {
                    "evaluate",
                    "--data",
                    dir.toString(),
                    "--delimiter",
                    ";",
                    "--value-column",
                    "pressure",
                    "--lstm.horizon=0"
                },
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, said);
        assertTrue(said.contains("lstm.horizon"), said);
        assertFalse(said.contains("pressure"), said);
    }
}
