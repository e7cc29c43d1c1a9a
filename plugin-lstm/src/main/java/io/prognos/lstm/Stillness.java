package io.prognos.lstm;

/**
 * Novelty of stillness: a sensor whose value stops changing, as a frozen sensor or a gateway
 * repeating the last value it had does. Neither a surprise nor a shift shows it (the forecasts
 * re-anchor on the value it stays at), nor the range or the shape rules when it stops at an
 * ordinary value: a noisy hourly sensor (70 +- 2.5) stuck at its last reading scored 0.00 for 48
 * hours, a daily-cycle one 0.3-1.0 fading to 0.3, and neither left the low level.
 *
 * <p>Learnt from the training history's last values as the shape library stores them ({@link
 * PatternNovelty}, 16-bit steps of their range): the longest run of equal values it holds, and how
 * often a value equals the one before, {@code p = (repeats + 1) / (pairs + 2)}. A live run of
 * values each within half a stored step of the one before is still; once it is longer than twice
 * the longest run the history showed (and at least three values), its surprisal is that of so
 * many repeats in a row, {@code (run - 1) log10(1 / p)} decimal digits. A history that never
 * changes (a flat line) makes nothing still.
 *
 * @param longestRun   the history's longest run of equal stored values
 * @param repeatDigits {@code log10(1 / p)}, the surprisal of one repeat
 * @param tolerance    half a stored step: a smaller change is no change
 */
record Stillness(int longestRun, double repeatDigits, double tolerance) {

    /** A history too short for a library, or one that never changes: nothing is still. */
    static final Stillness NONE = new Stillness(Integer.MAX_VALUE, 0, 0);

    static Stillness of(char[] codes, double step) {
        if (codes.length < 2 || !(step > 0)) {
            return NONE;
        }
        int longest = 1;
        int run = 1;
        int repeats = 0;
        for (int i = 1; i < codes.length; i++) {
            if (codes[i] == codes[i - 1]) {
                repeats++;
                longest = Math.max(longest, ++run);
            } else {
                run = 1;
            }
        }
        double p = (repeats + 1.0) / (codes.length + 1.0); // (repeats + 1) / (pairs + 2)
        return new Stillness(longest, -Math.log10(p), step / 2);
    }

    /** Decimal digits of surprise of a run of {@code run} still values; 0 while it is no longer than the history's runs. */
    double surprisal(int run) {
        long needed = Math.max(2L * longestRun, 2) + 1;
        return tolerance == 0 || run < needed ? 0 : Math.min(AnomalyStats.MAX_SURPRISAL, (run - 1) * repeatDigits);
    }

    /** How many values, up to {@code values[size - 1]}, each stayed within the tolerance of the one before. */
    int run(double[] values, int size) {
        int run = Math.min(1, size);
        for (int i = size - 1; i > 0 && Math.abs(values[i] - values[i - 1]) <= tolerance; i--) {
            run++;
        }
        return run;
    }
}
