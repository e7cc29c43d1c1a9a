package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The paths' law of errors in the shape of the calibration scores. */
class ErrorShapeTest {

    /** 100 scores of one step, the {@code i / 99} quantiles of the absolute error's law. */
    static double[] scores(java.util.function.DoubleUnaryOperator quantile) {
        double[] s = new double[100];
        for (int i = 0; i < s.length; i++) {
            s[i] = quantile.applyAsDouble(i / 99.0);
        }
        return s;
    }

    private static ErrorShape shape(java.util.function.DoubleUnaryOperator quantile) {
        return ErrorShape.of(Calibration.fromScores(new double[][] {scores(quantile)}), 0.9);
    }

    @Test
    void normalScoresGiveTheNormalDeviationBack() {
        // Absolute errors of a normal law (the last point at the 99.9th percentile, not infinity).
        ErrorShape s = shape(level -> Tails.normalQuantile(0.5 + Math.min(level, 0.999) / 2));
        for (double z : new double[] {-2, -0.5, 0.3, 1, 1.6449}) {
            assertEquals(z, s.deviation(0, z), 0.02, "at " + z);
        }
        assertEquals(0.7, ErrorShape.NORMAL.deviation(5, 0.7), 0, "the normal law itself");
        assertEquals(0.7, s.deviation(3, 0.7), 0, "a step without scores: as the normal");
        ErrorShape none = ErrorShape.of(Calibration.fromScores(new double[][] {{}}), 0.9);
        assertEquals(0.7, none.deviation(0, 0.7), 0, "a step with no calibration scores: as the normal");
    }

    /** What lets the risk leave a step unvalued when its limits are beyond reach (RiskAssessor). */
    @Test
    void noDeviationReachesFurtherThanTheStepsReach() {
        ErrorShape s = shape(level -> -Math.log(1 - Math.min(level, 0.9999)));
        double reach = s.reach(0);
        double furthest = 0;
        for (double z = 0; z < 50; z += 0.01) {
            furthest = Math.max(furthest, Math.max(s.deviation(0, z), -s.deviation(0, -z)));
        }
        assertEquals(reach, furthest, 1e-12, "the deepest deviation is the reach");
        assertEquals(Double.POSITIVE_INFINITY, ErrorShape.NORMAL.reach(0), "the normal law is unbounded");
        assertEquals(Double.POSITIVE_INFINITY, s.reach(1), "a step without scores reads as normal");
    }

    @Test
    void theTableOfLevelsIsTheNormalsWithinItsAccuracy() {
        for (double z = 0; z < 9; z += 0.0137) {
            assertEquals(2 * Tails.normalCdf(z) - 1, ErrorShape.level(z), 1e-5, "at " + z);
        }
        assertEquals(1, ErrorShape.level(Double.POSITIVE_INFINITY), 0);
    }

    /**
     * Laplace errors (absolute errors exponential): the interval's edge stays where it is, inside it the
     * law is more peaked than the normal, beyond it heavier-tailed; the sign is kept.
     */
    @Test
    void peakedHeavyTailedScoresMoveDeviationsInwardInsideAndOutwardBeyond() {
        ErrorShape s = shape(level -> -Math.log(1 - Math.min(level, 0.9999)));
        double z = Tails.normalQuantile(0.95);
        assertEquals(z, s.deviation(0, z), 1e-3, "the edge at the nominal level");
        assertEquals(-z, s.deviation(0, -z), 1e-3);
        // At 0.5 (a two-sided level of 0.383): 1.645 * -ln(0.617) / ln(10) = 0.345.
        assertEquals(0.345, s.deviation(0, 0.5), 0.01);
        assertTrue(s.deviation(0, 2.5) > 3, "beyond the edge: " + s.deviation(0, 2.5));
        assertTrue(s.deviation(0, -2.5) < -3);
    }
}
