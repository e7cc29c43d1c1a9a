package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What counts as still, from what the history showed. */
class StillnessTest {

    @Test
    void aRunIsNovelOnlyBeyondTwiceTheHistorysLongest() {
        // 1, 1, 2, 3, 3, 4: longest run 2, 2 repeats in 5 pairs, p = 3 / 7.
        Stillness s = Stillness.of(new char[] {1, 1, 2, 3, 3, 4}, 0.1);
        assertEquals(2, s.longestRun());
        assertEquals(Math.log10(7.0 / 3), s.repeatDigits(), 1e-12);
        double[] v = {5, 9, 9, 9, 9, 9.04};
        assertEquals(0, s.surprisal(s.run(v, 5)), "a run of 4 values: not beyond twice 2");
        assertEquals(4 * s.repeatDigits(), s.surprisal(s.run(v, 6)), 1e-12, "5 values within half a step (0.05)");
        assertEquals(0, s.surprisal(s.run(new double[] {9, 9, 9, 9, 9.06}, 5)), "a change of more than half a step");
    }

    @Test
    void aHistoryThatNeverRepeatedMakesThreeEqualValuesNovel() {
        Stillness s = Stillness.of(new char[] {1, 2, 3, 4, 5, 6, 7, 8}, 1);
        assertEquals(1, s.longestRun());
        assertEquals(0, s.surprisal(s.run(new double[] {4, 7, 7}, 2)));
        assertEquals(2 * Math.log10(9), s.surprisal(s.run(new double[] {4, 7, 7, 7}, 4)), 1e-12);
    }

    @Test
    void aFlatHistoryMakesNothingStill() {
        assertEquals(Stillness.NONE, Stillness.of(new char[] {0, 0, 0, 0}, 0));
        assertEquals(0, Stillness.NONE.surprisal(Stillness.NONE.run(new double[] {1, 1, 1, 1, 1, 1, 1}, 7)));
    }
}
