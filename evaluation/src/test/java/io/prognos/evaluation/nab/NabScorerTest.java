package io.prognos.evaluation.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.evaluation.SharedData;
import io.prognos.evaluation.data.LabelledWindows;
import io.prognos.evaluation.data.LabelledWindows.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NabScorerTest {

    private final NabScorer scorer = new NabScorer();

    /** 100 rows a minute apart (probation: rows 0-14), the given windows as row ranges, scores 1 on {@code detections}. */
    private static ScoredFile file(int[][] windows, int... detections) {
        Instant t0 = Instant.parse("2020-01-01T00:00:00Z");
        Instant[] ts = new Instant[100];
        double[] scores = new double[100];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t0.plus(Duration.ofMinutes(i));
        }
        for (int d : detections) {
            scores[d] = 1;
        }
        List<Window> ws = java.util.Arrays.stream(windows)
                .map(w -> new Window(ts[w[0]], ts[w[1]], ts[w[0]]))
                .toList();
        return new ScoredFile("cat/file.csv", ts, scores, ws);
    }

    @Test
    void aDetectionAtTheLeftEdgeEarnsTheFullTruePositiveWeight() {
        FileScore s = scorer.score(file(new int[][] {{40, 49}}, 40, 45), CostProfile.STANDARD, 0.5);
        assertEquals(1.0, s.score(), 1e-12);
        assertEquals(2, s.tp());
        assertEquals(8, s.fn());
        assertEquals(0, s.fp());
        assertEquals(85 - 10, s.tn());
        assertEquals(1, s.windowsDetected());
    }

    @Test
    void laterDetectionsEarnLessAndOnlyTheEarliestCounts() {
        // Earliest detection on the last of 10 rows: position -1/10.
        double last = scorer.score(file(new int[][] {{40, 49}}, 49), CostProfile.STANDARD, 0.5)
                .score();
        // S(-0.1) / S(-1), with S(x) = 2 / (1 + e^{5x}) - 1
        double s = 2 / (1 + Math.exp(-0.5)) - 1;
        double s1 = 2 / (1 + Math.exp(-5)) - 1;
        assertEquals(s / s1, last, 1e-12);
        double middle = scorer.score(file(new int[][] {{40, 49}}, 45, 49), CostProfile.STANDARD, 0.5)
                .score();
        assertTrue(middle > last && middle < 1.0, middle + " vs " + last);
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertEquals(
                -1.0,
                scorer.score(file(new int[][] {{40, 49}}), CostProfile.STANDARD, 0.5)
                        .score(),
                1e-12);
        assertEquals(
                -2.0,
                scorer.score(file(new int[][] {{40, 49}}), CostProfile.REWARD_LOW_FN_RATE, 0.5)
                        .score(),
                1e-12);
    }

    @Test
    void falsePositivesCostByDistancePastThePrecedingWindowAndProbationIsIgnored() {
        // Row 5 is probationary: ignored. Row 20 precedes every window: the full FP weight.
        FileScore early = scorer.score(file(new int[][] {{40, 49}}, 5, 20, 40), CostProfile.STANDARD, 0.5);
        assertEquals(1.0 - 0.11, early.score(), 1e-12);
        assertEquals(1, early.fp());
        // Row 58 is 9 rows past the right edge of a 10-row window: distance 9 / 9 = 1.
        FileScore after = scorer.score(file(new int[][] {{40, 49}}, 40, 58), CostProfile.STANDARD, 0.5);
        double s1 = 2 / (1 + Math.exp(5)) - 1;
        assertEquals(1.0 + 0.11 * s1, after.score(), 1e-12);
        // One row past the edge: distance 1 / 9, a fraction of the weight; 3 window widths on, all of it.
        FileScore near = scorer.score(file(new int[][] {{40, 49}}, 40, 50), CostProfile.STANDARD, 0.5);
        assertEquals(1.0 + 0.11 * (2 / (1 + Math.exp(5.0 / 9)) - 1), near.score(), 1e-12);
        assertTrue(near.score() > after.score());
        FileScore far = scorer.score(file(new int[][] {{40, 49}}, 40, 76), CostProfile.STANDARD, 0.5);
        assertEquals(1.0 - 0.11, far.score(), 1e-12);
    }

    @Test
    void theBestThresholdIsTheOneWithTheHighestRawScore() {
        ScoredFile f = file(new int[][] {{40, 49}}, 42);
        f.scores()[30] = 0.7; // an FP below the TP's score: the best threshold keeps it out
        f.scores()[42] = 0.8;
        CorpusScore best = scorer.bestThreshold(List.of(f), CostProfile.STANDARD);
        assertEquals(0.8, best.threshold(), 0);
        assertEquals(scorer.score(f, CostProfile.STANDARD, 0.8).score(), best.raw(), 1e-12);
        assertTrue(best.raw() > scorer.score(f, CostProfile.STANDARD, 0.85).score());
        assertTrue(best.raw() > scorer.score(f, CostProfile.STANDARD, 0.6).score());
    }

    @Test
    void normalizationRunsFromTheNullDetectorToThePerfectOne() {
        ScoredFile never = file(new int[][] {{40, 49}, {70, 79}});
        ScoredFile perfect = file(new int[][] {{40, 49}, {70, 79}}, 40, 70);
        assertEquals(
                0.0, scorer.corpus(List.of(never), CostProfile.STANDARD, 0.5).score(), 1e-9);
        assertEquals(
                100.0,
                scorer.corpus(List.of(perfect), CostProfile.STANDARD, 0.5).score(),
                1e-9);
        assertEquals(
                100.0,
                scorer.corpus(List.of(perfect), CostProfile.REWARD_LOW_FN_RATE, 0.5)
                        .score(),
                1e-9);
    }

    /**
     * NAB's published results of Numenta's HTM detector on the six realKnownCause files: every
     * per-file row of {@code numenta_standard_scores.csv} (score to 1e-6 and the four counts), the
     * raw standard score 0.718 over the six files and its normalized 52.4 over their 15 windows.
     */
    @Test
    void reproducesNabsPublishedScoresOfNumentasDetector() throws Exception {
        Path windowsFile = SharedData.require("nab/combined_windows.json");
        Path results = SharedData.require("nab/results/numenta");
        Path published = SharedData.require("nab/results/numenta/numenta_standard_scores.csv");
        JsonNode thresholds = new ObjectMapper()
                .readTree(SharedData.require("nab/config/thresholds.json").toFile());
        double threshold =
                thresholds.get("numenta").get("standard").get("threshold").asDouble();

        Map<String, List<Window>> windows = LabelledWindows.readAll(windowsFile);
        NabResults.Read read = NabResults.read(results, windows);
        assertEquals(6, read.files().size(), "six realKnownCause result files");
        assertEquals(List.of("numenta_standard_scores.csv"), read.unmatched());

        Map<String, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(published)) {
            String[] p = line.split(",");
            if (p[1].equals("standard")) {
                rows.put(p[2], p);
            }
        }
        double raw = 0;
        for (ScoredFile f : read.files()) {
            FileScore s = scorer.score(f, CostProfile.STANDARD, threshold);
            String[] row = rows.get(f.key());
            assertEquals(Double.parseDouble(row[4]), s.score(), 1e-6, f.key());
            assertEquals(Integer.parseInt(row[5]), s.tp(), f.key() + " TP");
            assertEquals(Integer.parseInt(row[6]), s.tn(), f.key() + " TN");
            assertEquals(Integer.parseInt(row[7]), s.fp(), f.key() + " FP");
            assertEquals(Integer.parseInt(row[8]), s.fn(), f.key() + " FN");
            assertEquals(Integer.parseInt(row[9]), s.rows(), f.key() + " rows");
            raw += s.score();
        }
        assertEquals(0.718, raw, 5e-4);
        CorpusScore corpus = scorer.corpus(read.files(), CostProfile.STANDARD, threshold);
        assertEquals(raw, corpus.raw(), 1e-9);
        assertEquals(15, corpus.windows());
        assertEquals(52.4, corpus.score(), 0.05);
    }
}
