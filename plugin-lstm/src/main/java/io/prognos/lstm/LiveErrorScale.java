package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * How far each step's calibrated error scale is off on live errors ({@code lstm.error-scale=live}):
 * the anomaly score's standardized errors are divided by it.
 *
 * <p>A step's scale is the 90 % quantile of its calibration scores, 60-100 of them, so it is 10-20
 * % off on many sensors (relative standard error {@code 0.88 / sqrt(n)} under normal errors), and
 * the normal tail 4-5 standard deviations out turns that into 1-2 decimal digits of surprise: the
 * cause of most false alerts on healthy sensors (docs/evaluation.md). Live errors keep coming, so
 * the state learns the same quantile of {@code |z|} on them, relative to the nominal {@code z}: by
 * stochastic approximation on its logarithm, at rate {@code 1 / (n0 + seen)} with {@code n0} the
 * step's calibration scores (the calibration's estimate pooled with the live errors as they come,
 * the empirical quantile's pace), at most {@link AnomalyStats#MEMORY} intervals remembered, ten
 * times slower while the anomaly score is at least 0.5 (as {@link AnomalyStats}, so that an anomaly
 * does not teach the scale that it is usual). Its gain is the inverse density of {@code ln |z|} at
 * the quantile under the normal law (2.95 at 90 %), the step that makes the approximation converge
 * at the empirical quantile's rate.
 */
final class LiveErrorScale {

    private final double[] logRatio; // [step]: ln(live quantile / nominal z)
    private final double[] seen; // [step]: live errors learnt from

    LiveErrorScale(int horizon) {
        this(new double[horizon], new double[horizon]);
    }

    private LiveErrorScale(double[] logRatio, double[] seen) {
        this.logRatio = logRatio;
        this.seen = seen;
    }

    boolean fits(int horizon) {
        return logRatio.length == horizon;
    }

    /** What step {@code h}'s standardized errors are divided by. */
    double ratio(int h) {
        return Math.exp(logRatio[h]);
    }

    /**
     * Learns from step {@code h}'s standardized error {@code z} (by the calibrated scale, not this
     * one's) of an interval whose anomaly score was {@code score}; {@code nominalZ} is the normal
     * quantile of the intervals' nominal miscoverage {@code nominalAlpha}.
     */
    void learn(int h, double z, double nominalZ, double nominalAlpha, int calibrationScores, double score) {
        seen[h]++;
        double rate = 1 / Math.min(AnomalyStats.MEMORY, calibrationScores + seen[h]) / (score >= 0.5 ? 10 : 1);
        double density = 2 * Math.exp(-0.5 * nominalZ * nominalZ) / Math.sqrt(2 * Math.PI); // of |z| at nominalZ
        double gain = 1 / (nominalZ * density);
        double beyond = Math.abs(z) > nominalZ * ratio(h) ? 1 : 0;
        logRatio[h] += gain * rate * (beyond - nominalAlpha);
    }

    void write(DataOutputStream out) throws IOException {
        DataArrays.writeDoubles(out, logRatio);
        DataArrays.writeDoubles(out, seen);
    }

    static LiveErrorScale read(DataInputStream in) throws IOException {
        double[] logRatio = DataArrays.readDoubles(in);
        double[] seen = DataArrays.readDoubles(in);
        if (seen.length != logRatio.length) {
            throw new IOException("live error scale's arrays of different lengths");
        }
        for (int h = 0; h < logRatio.length; h++) {
            if (!(Math.abs(logRatio[h]) < 50 && seen[h] >= 0)) {
                throw new IOException("implausible live error scale at step " + (h + 1));
            }
        }
        return new LiveErrorScale(logRatio, seen);
    }
}
