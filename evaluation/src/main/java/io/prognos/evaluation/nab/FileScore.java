package io.prognos.evaluation.nab;

/**
 * One file's NAB result under one profile at one threshold. The counts are of rows after the
 * probationary period, as NAB reports them: {@code tp} detections inside windows, {@code fp}
 * detections outside, {@code fn} and {@code tn} rows without a detection inside and outside.
 * {@code windowsDetected} counts windows with at least one detection.
 */
public record FileScore(
        String file,
        String profile,
        double threshold,
        double score,
        int tp,
        int tn,
        int fp,
        int fn,
        int rows,
        int windows,
        int windowsDetected) {}
