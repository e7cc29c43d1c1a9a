package io.prognos.lstm;

/**
 * Novelty of stillness: a sensor whose value stops changing, as a frozen sensor or a gateway
 * repeating the last value it had does. Neither a surprise nor a shift shows it (the forecasts
 * re-anchor on the value it stays at), nor the range or the shape rules when it stops at an
 * ordinary value: a noisy hourly sensor (70 +- 2.5) stuck at its last reading scored 0.00 for 48
 * hours, a daily-cycle one 0.3-1.0 fading to 0.3, and neither left the low level.
 *
 * <p>Learnt from the training history's last values as the shape library stores them ({@link
 * PatternNovelty}, 16-bit steps of their range): the longest run of equal values it holds, how
 * often a value equals the one before, {@code p = (repeats + 1) / (pairs + 2)}, and the same for
 * each value it holds. A live run of values each within half a stored step of the one before is
 * still; once it is longer than twice the longest run the history showed (and at least three
 * values), its surprisal is that of so many repeats in a row, {@code (run - 1) log10(1 / p_v)}
 * decimal digits, with its own value's rate {@code p_v = (repeats_v + 2 p) / (pairs_v + 2)}: a
 * value the history sat at (an idle counter's 0) repeats at its own high rate, one it never held
 * (a feed stuck at an ordinary reading, or dropped to 0) at about the overall rate. A history that
 * never changes (a flat line) makes nothing still.
 */
final class Stillness {

    /** A history too short for a library, or one that never changes: nothing is still. */
    static final Stillness NONE = new Stillness(Integer.MAX_VALUE, 1, 0, 0, 0, new char[0]);

    /**
     * The weight of the overall rate in a value's own, in pairs: the weight the overall rate's
     * {@code (r + 1) / (n + 2)} gives its own prior.
     */
    static final double PRIOR_PAIRS = 2;

    private final int longestRun;
    private final double repeatRate;
    private final double tolerance;
    private final double low;
    private final double step;
    // The library's codes, shared with it. A value's own rate is counted from them when a run is
    // long enough to be asked about (one pass, about a microsecond), not at every model read.
    private final char[] codes;

    private Stillness(int longestRun, double repeatRate, double tolerance, double low, double step, char[] codes) {
        this.longestRun = longestRun;
        this.repeatRate = repeatRate;
        this.tolerance = tolerance;
        this.low = low;
        this.step = step;
        this.codes = codes;
    }

    /** From the library's codes: value {@code low + code * step}. */
    static Stillness of(char[] codes, double low, double step) {
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
        return new Stillness(longest, p, step / 2, low, step, codes);
    }

    int longestRun() {
        return longestRun;
    }

    /** {@code log10(1 / p)}: the surprisal of one repeat at the history's overall rate. */
    double repeatDigits() {
        return -Math.log10(repeatRate);
    }

    /** The surprisal of one repeat of {@code value}: its own rate in the history, drawn towards the overall one. */
    double repeatDigits(double value) {
        long code = Math.round((value - low) / step);
        int pairs = 0;
        int repeats = 0;
        if (code >= 0 && code <= Character.MAX_VALUE) {
            for (int i = 1; i < codes.length; i++) {
                if (codes[i - 1] == code) {
                    pairs++;
                    repeats += codes[i] == code ? 1 : 0;
                }
            }
        }
        return -Math.log10((repeats + PRIOR_PAIRS * repeatRate) / (pairs + PRIOR_PAIRS));
    }

    /**
     * Decimal digits of surprise of a run of {@code run} still values at {@code value}; 0 while it is
     * no longer than the history's runs.
     */
    double surprisal(int run, double value) {
        long needed = Math.max(2L * longestRun, 2) + 1;
        return tolerance == 0 || run < needed
                ? 0
                : Math.min(AnomalyStats.MAX_SURPRISAL, (run - 1) * repeatDigits(value));
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
