package io.prognos.lstm;

/**
 * Per-model normalisation, fitted on training windows only. Inputs are expressed relative to the
 * window's last value (so the network learns changes, not levels) in units of the typical one-step
 * change {@code diffScale}; a second feature gives the level against the training distribution so
 * mean reversion can still be learned. Targets are future changes from the last value.
 */
record Scaler(double diffScale, double mean, double std) {

    static final int FEATURES = 2;
    private static final double LEVEL_CLIP = 10;

    static Scaler fit(double[] trainingPoints, double[] trainingDiffs) {
        double mean = 0;
        for (double v : trainingPoints) {
            mean += v;
        }
        mean /= Math.max(1, trainingPoints.length);
        double var = 0;
        for (double v : trainingPoints) {
            var += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(var / Math.max(1, trainingPoints.length - 1));
        double mad = 0;
        for (double d : trainingDiffs) {
            mad += Math.abs(d);
        }
        mad /= Math.max(1, trainingDiffs.length);
        // A constant series has no scale; any positive number keeps the arithmetic finite.
        double floor = Math.max(1e-9, 1e-6 * Math.abs(mean));
        return new Scaler(Math.max(mad, Math.max(floor, 1e-3 * std)), mean, Math.max(std, floor));
    }

    /** Writes the window's features into {@code dst} at {@code offset} ([time][feature], row-major). */
    void features(double[] w, float[] dst, int offset) {
        double last = w[w.length - 1];
        int o = offset;
        for (double v : w) {
            dst[o++] = (float) ((v - last) / diffScale);
            dst[o++] = (float) Math.max(-LEVEL_CLIP, Math.min(LEVEL_CLIP, (v - mean) / std));
        }
    }

    void targets(double[] w, double[] future, float[] dst, int offset) {
        double last = w[w.length - 1];
        for (int h = 0; h < future.length; h++) {
            dst[offset + h] = (float) ((future[h] - last) / diffScale);
        }
    }

    double toValue(double[] w, double output) {
        return w[w.length - 1] + output * diffScale;
    }

    /**
     * Typical one-step change within the window, or within its most recent part when that is more
     * turbulent (so intervals widen as soon as a series starts to move), floored so calm windows
     * keep a sensible width.
     */
    double localScale(double[] w) {
        double local = Math.max(meanAbsDiff(w, 1), meanAbsDiff(w, Math.max(1, w.length - RECENT)));
        return Math.max(local, 0.25 * diffScale);
    }

    private static final int RECENT = 4;

    private static double meanAbsDiff(double[] w, int from) {
        double s = 0;
        for (int i = from; i < w.length; i++) {
            s += Math.abs(w[i] - w[i - 1]);
        }
        return s / Math.max(1, w.length - from);
    }
}
