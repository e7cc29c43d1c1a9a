package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What counts as still, from what the history showed. */
class StillnessTest {

    @Test
    void aRunIsNovelOnlyBeyondTwiceTheHistorysLongest() {
        // 1, 1, 2, 3, 3, 4: longest run 2, 2 repeats in 5 pairs, p = 3 / 7.
        Stillness s = Stillness.of(new char[] {1, 1, 2, 3, 3, 4}, 0, 0.1);
        assertEquals(2, s.longestRun());
        assertEquals(Math.log10(7.0 / 3), s.repeatDigits(), 1e-12);
        double[] v = {5, 9, 9, 9, 9, 9.04};
        assertEquals(0, s.surprisal(s.run(v, 5), 9), "a run of 4 values: not beyond twice 2");
        assertEquals(4 * s.repeatDigits(), s.surprisal(s.run(v, 6), 9.04), 1e-12, "5 values within half a step (0.05)");
        assertEquals(
                0, s.surprisal(s.run(new double[] {9, 9, 9, 9, 9.06}, 5), 9.06), "a change of more than half a step");
    }

    @Test
    void aHistoryThatNeverRepeatedMakesThreeEqualValuesNovel() {
        Stillness s = Stillness.of(new char[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 1);
        assertEquals(1, s.longestRun());
        assertEquals(0, s.surprisal(s.run(new double[] {4, 7, 7}, 2), 7));
        // 7 starts one pair, not a repeat: p_7 = (0 + 2 p) / (1 + 2), p = 1 / 9.
        assertEquals(2 * Math.log10(27.0 / 2), s.surprisal(s.run(new double[] {4, 7, 7, 7}, 4), 7), 1e-12);
        assertEquals(2 * Math.log10(9), s.surprisal(s.run(new double[] {4, 9, 9, 9}, 4), 9), 1e-12, "9 never seen");
    }

    /**
     * An idle counter's 0, where the history sat for long stretches, repeats at its own high rate;
     * a feed stuck at a value the history only passed through is as surprising as before.
     */
    @Test
    void aRunAtAValueTheHistorySatAtIsLessNovelThanOneAtAValueItPassedThrough() {
        char[] codes = new char[200];
        for (int i = 0; i < codes.length; i++) {
            // idle (code 0) for 8 of every 20 values, busy (codes 10-21, each once) for the rest
            codes[i] = (char) (i % 20 < 8 ? 0 : 10 + i % 20 - 8);
        }
        Stillness s = Stillness.of(codes, 0, 1);
        assertEquals(8, s.longestRun());
        double[] idle = new double[20];
        double[] stuck = new double[20];
        java.util.Arrays.fill(stuck, 15);
        int run = s.run(idle, 20);
        assertEquals(20, run);
        // 0 repeats in 70 of its 80 pairs (p_0 = (70 + 2 p) / 82), 15 starts 10 pairs, none a repeat.
        double p = (70 + 1.0) / (199 + 2);
        assertEquals(19 * -Math.log10((70 + 2 * p) / 82), s.surprisal(run, 0), 1e-12);
        assertEquals(19 * -Math.log10(2 * p / 12), s.surprisal(s.run(stuck, 20), 15), 1e-12);
        assertTrue(s.surprisal(run, 0) < 0.2 * s.surprisal(run, 15), "idle is no stuck sensor");
    }

    @Test
    void aFlatHistoryMakesNothingStill() {
        assertEquals(Stillness.NONE, Stillness.of(new char[] {0, 0, 0, 0}, 5, 0));
        assertEquals(0, Stillness.NONE.surprisal(Stillness.NONE.run(new double[] {1, 1, 1, 1, 1, 1, 1}, 7), 1));
    }
}
