package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiveErrorScaleTest {

    /** The nominal z of 90 % intervals. */
    private static final double Z = 1.6448536269514722;

    private static final double ALPHA = 0.1;

    @Test
    void learnsHowFarTheCalibratedScaleIsOffAndNothingWhenItIsRight() {
        // Live errors 25 % larger than the calibration said, and as it said: the ratio goes to 1.25
        // and stays at 1. A wrong quantile (the median, say) or sign would miss both.
        assertEquals(1.25, learnt(1.25, 0, 5_000, 1), 0.04);
        assertEquals(1.0, learnt(1.0, 0, 5_000, 2), 0.04);
        assertEquals(0.8, learnt(0.8, 0, 5_000, 3), 0.04);
    }

    @Test
    void startsAtTheCalibrationWeightedByItsScores() {
        // With 80 calibration scores the first 80 live errors move it about half way, not all the way.
        double early = learnt(1.5, 0, 80, 4);
        assertTrue(early > 1.1 && early < 1.4, "after 80 errors at 1.5: " + early);
    }

    @Test
    void learnsTenTimesSlowerWhileTheScoreIsHigh() {
        // An anomaly's errors do not teach the scale that they are usual.
        double calm = learnt(3, 0, 200, 5);
        double anomalous = learnt(3, 0.9, 200, 5);
        assertTrue(calm > 2, "calm: " + calm);
        assertTrue(Math.log(anomalous) < Math.log(calm) / 3, "anomalous " + anomalous + " against calm " + calm);
    }

    @Test
    void keepsItsStateThroughItsBytesAndRefusesDamagedOnes() throws IOException {
        LiveErrorScale s = new LiveErrorScale(3);
        Random r = new Random(7);
        for (int i = 0; i < 300; i++) {
            s.learn(i % 3, 1.3 * r.nextGaussian(), Z, ALPHA, 80, 0);
        }
        LiveErrorScale back = read(bytes(s));
        assertArrayEquals(
                new double[] {s.ratio(0), s.ratio(1), s.ratio(2)},
                new double[] {back.ratio(0), back.ratio(1), back.ratio(2)});
        assertTrue(back.fits(3) && !back.fits(4));

        byte[] damaged = StoredForm.bytes(out -> {
            DataArrays.writeDoubles(out, new double[] {0, 1e300});
            DataArrays.writeDoubles(out, new double[] {1, 1});
        });
        IOException e = assertThrows(IOException.class, () -> read(damaged));
        assertTrue(e.getMessage().contains("step 2"), e.getMessage());
    }

    /** The ratio learnt from {@code n} standard normal errors times {@code trueRatio}, 80 calibration scores. */
    private static double learnt(double trueRatio, double score, int n, long seed) {
        LiveErrorScale s = new LiveErrorScale(1);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            s.learn(0, trueRatio * r.nextGaussian(), Z, ALPHA, 80, score);
        }
        return s.ratio(0);
    }

    private static byte[] bytes(LiveErrorScale s) throws IOException {
        return StoredForm.bytes(s::write);
    }

    private static LiveErrorScale read(byte[] bytes) throws IOException {
        return LiveErrorScale.read(StoredForm.in(bytes));
    }
}
