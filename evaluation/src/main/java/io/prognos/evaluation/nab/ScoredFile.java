package io.prognos.evaluation.nab;

import io.prognos.evaluation.data.LabelledWindows.Window;
import java.time.Instant;
import java.util.List;

/**
 * One data file as a detector scored it: its rows' timestamps (ascending) and anomaly scores, and
 * the file's labelled windows. {@code key} is NAB's {@code CATEGORY/FILE.csv}. {@code scoredFrom}
 * is the first scored row, or {@link #NAB_PROBATION} for NAB's probationary period (15 % of the
 * rows, at most 750); {@code evaluate} scores only its test part.
 */
public record ScoredFile(String key, Instant[] timestamps, double[] scores, List<Window> windows, int scoredFrom) {

    public static final int NAB_PROBATION = -1;

    public ScoredFile(String key, Instant[] timestamps, double[] scores, List<Window> windows) {
        this(key, timestamps, scores, windows, NAB_PROBATION);
    }

    public ScoredFile {
        if (timestamps.length != scores.length) {
            throw new IllegalArgumentException(
                    key + ": " + timestamps.length + " timestamps but " + scores.length + " scores");
        }
        for (int i = 1; i < timestamps.length; i++) {
            if (timestamps[i].isBefore(timestamps[i - 1])) {
                throw new IllegalArgumentException(key + ": rows are not in time order at row " + i);
            }
        }
        windows = List.copyOf(windows);
    }

    public int rows() {
        return scores.length;
    }
}
