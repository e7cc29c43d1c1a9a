package io.prognos.evaluation.nab;

import io.prognos.evaluation.data.LabelledWindows.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's scoring rules (NAB v1.0), written from their definition:
 *
 * <ul>
 *   <li>The first 15 % of a file's rows, at most 750, are probationary: never scored.
 *   <li>A row whose anomaly score is at or above the threshold is a detection.
 *   <li>A window earns the weighted score of its earliest detection: with the window's rows
 *       {@code L..R} ({@code W} of them), a detection at row {@code i} sits at relative position
 *       {@code -(R - i + 1) / W} and earns {@code tpWeight * S(position) / S(-1)}, where
 *       {@code S(x) = 2 / (1 + e^{5x}) - 1} (so the left edge earns exactly {@code tpWeight} and
 *       a detection on the last row about a tenth of it). A window without detection costs
 *       {@code fnWeight}.
 *   <li>A detection outside every window costs {@code fpWeight * S(d)}, with {@code d} its distance
 *       in rows past the right edge of the preceding window divided by that window's width less
 *       one; {@code S} is taken as -1 from a distance of 3 on, and when no window precedes it.
 *   <li>A file's score is the sum; a corpus is normalized as in {@link CorpusScore}.
 * </ul>
 *
 * <p>Checked against NAB's published per-file scores of Numenta's HTM detector
 * ({@code NabScorerTest}).
 */
public final class NabScorer {

    static final double PROBATIONARY_SHARE = 0.15;
    /** NAB caps the probationary period at 15 % of 5,000 rows. */
    static final double PROBATIONARY_CAP = PROBATIONARY_SHARE * 5000;

    /** Where a file's rows stand relative to its windows; independent of profile and threshold. */
    private record Layout(int probation, int[] window, int[] left, int[] right, int[] preceding, boolean[] counted) {
        /** The window of row {@code i}, or -1. */
        int windowOf(int i) {
            return window[i];
        }
    }

    /** {@code S(x)} as defined above; -1 for {@code x >= 3}. */
    static double scaledSigmoid(double x) {
        if (x >= 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * x)) - 1.0;
    }

    private static final double MAX_TP = scaledSigmoid(-1.0);

    public FileScore score(ScoredFile f, CostProfile p, double threshold) {
        Layout l = layout(f);
        double[] sweep = sweepScores(l, p);
        double[] best = new double[f.windows().size()];
        Arrays.fill(best, Double.NaN);
        int tp = 0;
        int tn = 0;
        int fp = 0;
        int fn = 0;
        double fpSum = 0;
        for (int i = l.probation(); i < f.rows(); i++) {
            boolean detected = f.scores()[i] >= threshold;
            int w = l.windowOf(i);
            if (w >= 0) {
                if (detected) {
                    tp++;
                    if (Double.isNaN(best[w])) {
                        best[w] = sweep[i]; // the earliest detection scores highest
                    }
                } else {
                    fn++;
                }
            } else if (detected) {
                fp++;
                fpSum += sweep[i];
            } else {
                tn++;
            }
        }
        double score = fpSum;
        int windows = 0;
        int detectedWindows = 0;
        for (int w = 0; w < best.length; w++) {
            if (!l.counted()[w]) {
                continue;
            }
            windows++;
            if (Double.isNaN(best[w])) {
                score -= p.fnWeight();
            } else {
                score += best[w];
                detectedWindows++;
            }
        }
        return new FileScore(f.key(), p.name(), threshold, score, tp, tn, fp, fn, f.rows(), windows, detectedWindows);
    }

    /** The files scored together; the normalization counts every labelled window of the files. */
    public CorpusScore corpus(List<ScoredFile> files, CostProfile p, double threshold) {
        double raw = 0;
        int windows = 0;
        for (ScoredFile f : files) {
            raw += score(f, p, threshold).score();
            windows += f.windows().size();
        }
        return CorpusScore.of(p, threshold, raw, windows);
    }

    /**
     * The threshold with the highest raw score over all the files, and that score: what NAB's own
     * optimizer reports. Never a fair figure for the files it was chosen on; report it as such.
     */
    public CorpusScore bestThreshold(List<ScoredFile> files, CostProfile p) {
        record Row(double anomaly, int window, double sweep) {}
        List<Row> rows = new ArrayList<>();
        double total = 0;
        int windows = 0;
        int windowBase = 0;
        List<Double> bestPerWindow = new ArrayList<>();
        for (ScoredFile f : files) {
            Layout l = layout(f);
            double[] sweep = sweepScores(l, p);
            for (int w = 0; w < f.windows().size(); w++) {
                bestPerWindow.add(Double.NaN);
                if (l.counted()[w]) {
                    total -= p.fnWeight();
                }
            }
            for (int i = l.probation(); i < f.rows(); i++) {
                int w = l.windowOf(i);
                rows.add(new Row(f.scores()[i], w < 0 ? -1 : windowBase + w, sweep[i]));
            }
            windowBase += f.windows().size();
            windows += f.windows().size();
        }
        rows.sort((a, b) -> Double.compare(b.anomaly(), a.anomaly()));
        double bestTotal = total;
        double bestThreshold = Double.POSITIVE_INFINITY;
        for (int k = 0; k < rows.size(); ) {
            double threshold = rows.get(k).anomaly();
            for (; k < rows.size() && rows.get(k).anomaly() == threshold; k++) {
                Row r = rows.get(k);
                if (r.window() < 0) {
                    total += r.sweep();
                } else {
                    double before = bestPerWindow.get(r.window());
                    if (Double.isNaN(before)) {
                        total += p.fnWeight() + r.sweep();
                        bestPerWindow.set(r.window(), r.sweep());
                    } else if (r.sweep() > before) {
                        total += r.sweep() - before;
                        bestPerWindow.set(r.window(), r.sweep());
                    }
                }
            }
            if (total > bestTotal + 1e-12) {
                bestTotal = total;
                bestThreshold = threshold;
            }
        }
        return CorpusScore.of(p, bestThreshold, bestTotal, windows);
    }

    /** What a detection at each row would add: the TP score inside a window, the FP cost outside. */
    private static double[] sweepScores(Layout l, CostProfile p) {
        int n = l.window().length;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            int w = l.windowOf(i);
            if (w >= 0) {
                int width = l.right()[w] - l.left()[w] + 1;
                double position = -(l.right()[w] - i + 1) / (double) width;
                s[i] = scaledSigmoid(position) * p.tpWeight() / MAX_TP;
            } else {
                int prev = l.preceding()[i];
                double distance = 3.0;
                if (prev >= 0) {
                    int width = l.right()[prev] - l.left()[prev] + 1;
                    distance = width > 1 ? Math.abs(l.right()[prev] - i) / (double) (width - 1) : 3.0;
                }
                s[i] = scaledSigmoid(distance) * p.fpWeight();
            }
        }
        return s;
    }

    private static Layout layout(ScoredFile f) {
        int n = f.rows();
        int probation = f.scoredFrom() != ScoredFile.NAB_PROBATION
                ? f.scoredFrom()
                : (int) Math.min(Math.floor(PROBATIONARY_SHARE * n), PROBATIONARY_CAP);
        List<Window> ws = f.windows();
        int[] window = new int[n];
        Arrays.fill(window, -1);
        int[] left = new int[ws.size()];
        int[] right = new int[ws.size()];
        boolean[] counted = new boolean[ws.size()];
        for (int w = 0; w < ws.size(); w++) {
            left[w] = firstAtOrAfter(f, ws.get(w));
            right[w] = lastAtOrBefore(f, ws.get(w));
            for (int i = left[w]; i <= right[w]; i++) {
                window[i] = w;
            }
            counted[w] = left[w] <= right[w] && right[w] >= probation;
        }
        int[] preceding = new int[n];
        int prev = -1;
        for (int i = 0; i < n; i++) {
            preceding[i] = prev;
            if (window[i] >= 0 && i == right[window[i]]) {
                prev = window[i];
            }
        }
        return new Layout(probation, window, left, right, preceding, counted);
    }

    private static int firstAtOrAfter(ScoredFile f, Window w) {
        int lo = 0;
        int hi = f.rows();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (f.timestamps()[mid].isBefore(w.start())) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int lastAtOrBefore(ScoredFile f, Window w) {
        int lo = 0;
        int hi = f.rows();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (!f.timestamps()[mid].isAfter(w.end())) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }
}
