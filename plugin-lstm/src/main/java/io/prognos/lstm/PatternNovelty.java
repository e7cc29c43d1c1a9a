package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Novelty of shape: how far the newest stretch of {@link #width()} intervals lies from the nearest
 * stretch of the training history of the same length. The range rule sees values a sensor never
 * showed; this sees shapes it never showed inside that range, such as a day of lower peaks (NAB's
 * art_daily_jumpsdown: its values all lie within the range, and the forecasts re-anchor on the
 * lower level within a few intervals).
 *
 * <p>The library is the training history's last {@link #MAX_VALUES} interval values, and every
 * stretch within it is compared, so a sharp transition is matched at whatever position it takes in
 * the stretch (a library of training windows taken every few origins missed the positions between,
 * and a daily transition scored as novel every day). A stretch's distance is the root mean square
 * difference to its nearest library stretch; its surprisal, in decimal digits, is that of an
 * exponential law whose mean is the history's own: each library stretch's distance to its nearest
 * stretch that does not overlap it. {@code (d / mean) log10 e}.
 *
 * <p>Stored as 16-bit steps of the library's own range (2 KB); the values in memory are the stored
 * ones, so a model read back scores exactly as the one trained.
 */
final class PatternNovelty {

    /** Interval values the library keeps: a bound on the work per interval and on the model's size. */
    static final int MAX_VALUES = 1_024;

    private static final double LOG10_E = Math.log10(Math.E);
    private static final int STEPS = 65_535;

    /** A model of a format without a library: no shape is novel. */
    static final PatternNovelty NONE = new PatternNovelty(new char[0], 1, 0, 0, 1);

    private final char[] codes;
    private final float[] library;
    private final int width;
    private final double low;
    private final double step;
    private final double meanDistance;
    private final Stillness stillness;
    /**
     * Library stretches by their mean, built on first use: every stored model is read at start and
     * the index costs about 130 us on this machine (means, sort, positions), so a model read does
     * not build it. Two threads may both build it; either result is the same.
     */
    private volatile ByMean byMean;

    /** Library stretches in order of their means, and those means: the search starts at the nearest mean. */
    private record ByMean(int[] order, double[] means) {}

    private PatternNovelty(char[] codes, int width, double low, double step, double meanDistance) {
        this.codes = codes;
        this.width = width;
        this.low = low;
        this.step = step;
        this.meanDistance = meanDistance;
        this.stillness = Stillness.of(codes, low, step);
        this.library = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            library[i] = (float) (low + codes[i] * step);
        }
    }

    /** The same library at another scale: fitting measures the scale with the library it scales. */
    private PatternNovelty(PatternNovelty library, double meanDistance) {
        this.codes = library.codes;
        this.library = library.library;
        this.width = library.width;
        this.low = library.low;
        this.step = library.step;
        this.meanDistance = meanDistance;
        this.stillness = library.stillness;
        this.byMean = library.byMean;
    }

    private ByMean byMean() {
        ByMean b = byMean;
        if (b == null) {
            int stretches = Math.max(0, library.length - width + 1);
            double[] means = new double[stretches];
            for (int i = 0; i < stretches; i++) {
                means[i] = mean(library, i, width);
            }
            double[] sorted = means.clone();
            Arrays.sort(sorted);
            int[] order = new int[stretches];
            int[] taken = new int[stretches]; // per run of equal means, how many of its places are filled
            for (int i = 0; i < stretches; i++) {
                int first = firstAtLeast(sorted, means[i]);
                order[first + taken[first]++] = i;
            }
            b = new ByMean(order, sorted);
            byMean = b;
        }
        return b;
    }

    private static int firstAtLeast(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double mean(float[] v, int from, int n) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += v[from + k];
        }
        return sum / n;
    }

    /**
     * The library from the last values of the history's segments (joined in time order), scaled by
     * its stretches' leave-out distance (at least {@code floor} and one stored step, so that an
     * exact repetition of the history is no division by zero).
     */
    static PatternNovelty fit(List<SeriesPreparer.Segment> segments, int width, double floor) {
        int n = 0;
        for (SeriesPreparer.Segment seg : segments) {
            n += seg.length();
        }
        double[] values = new double[Math.min(MAX_VALUES, n)];
        int k = values.length;
        for (int s = segments.size() - 1; s >= 0 && k > 0; s--) {
            double[] v = segments.get(s).values();
            int take = Math.min(k, v.length);
            System.arraycopy(v, v.length - take, values, k - take, take);
            k -= take;
        }
        if (values.length < 3 * width) {
            return new PatternNovelty(new char[0], width, 0, 0, Math.max(floor, Double.MIN_NORMAL));
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double step = hi <= lo ? 0 : (hi - lo) / STEPS;
        char[] codes = new char[values.length];
        for (int i = 0; i < values.length; i++) {
            codes[i] = step == 0 ? 0 : (char) Math.round((values[i] - lo) / step);
        }
        PatternNovelty unscaled = new PatternNovelty(codes, width, lo, step, 1);
        double[] stored = new double[codes.length];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = unscaled.library[i];
        }
        double sum = 0;
        int stretches = stored.length - width + 1;
        for (int j = 0; j < stretches; j++) {
            sum += unscaled.distance(stored, j + width, j);
        }
        // Below one stored step a difference is rounding, not shape: a noise-free series repeats
        // itself exactly, so its leave-out distance is 0 and live values, which are not rounded,
        // would otherwise differ from the library by hundreds of its mean distance.
        return new PatternNovelty(unscaled, Math.max(Math.max(floor, step), sum / stretches));
    }

    /** The library's runs of unchanged values, for {@link Stillness}. */
    Stillness stillness() {
        return stillness;
    }

    /** Intervals in a stretch. */
    int width() {
        return width;
    }

    /**
     * Decimal digits of surprise of the stretch ending at {@code values[size - 1]}; 0 with no
     * library or fewer than {@link #width()} values.
     */
    double surprisal(double[] values, int size) {
        if (library.length < 3 * width || size < width) {
            return 0;
        }
        // Capped as every surprisal is (AnomalyStats): a flat history's scale is tiny.
        return Math.min(AnomalyStats.MAX_SURPRISAL, distance(values, size, -1) / meanDistance * LOG10_E);
    }

    /**
     * Root mean square difference of the stretch ending at {@code values[size - 1]} to the nearest
     * library stretch; with {@code self} at least 0, library stretches overlapping the one starting
     * there are left out.
     *
     * <p>Exact, but not by trying every stretch (about 16 us per interval at 1,024 values, a third
     * of a reading's budget): the sum of squared differences is at least {@code width} times the
     * squared difference of the means, so the search walks outwards from the library stretch with
     * the nearest mean and stops once that bound alone exceeds the best distance found.
     */
    private double distance(double[] values, int size, int self) {
        int from = size - width;
        double sum = 0;
        for (int k = 0; k < width; k++) {
            sum += values[from + k];
        }
        double m = sum / width;
        ByMean index = byMean();
        int[] order = index.order();
        double[] sortedMeans = index.means();
        int hi = firstAtLeast(sortedMeans, m);
        int lo = hi - 1;
        double best = Double.MAX_VALUE;
        while (lo >= 0 || hi < order.length) {
            double dLo = lo >= 0 ? m - sortedMeans[lo] : Double.POSITIVE_INFINITY;
            double dHi = hi < order.length ? sortedMeans[hi] - m : Double.POSITIVE_INFINITY;
            int i;
            double d;
            if (dLo <= dHi) {
                i = order[lo--];
                d = dLo;
            } else {
                i = order[hi++];
                d = dHi;
            }
            if (width * d * d >= best) {
                break;
            }
            if (self >= 0 && Math.abs(i - self) < width) {
                continue;
            }
            double s = 0;
            for (int k = 0; k < width && s < best; k++) {
                double e = values[from + k] - library[i + k];
                s += e * e;
            }
            best = Math.min(best, s);
        }
        return Math.sqrt(best / width);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(width);
        out.writeInt(codes.length);
        out.writeDouble(low);
        out.writeDouble(step);
        out.writeDouble(meanDistance);
        for (char c : codes) {
            out.writeChar(c);
        }
    }

    static PatternNovelty read(DataInputStream in) throws IOException {
        int width = DataArrays.checked(in.readInt(), LstmSettings.MAX_HORIZON);
        int length = DataArrays.checked(in.readInt(), MAX_VALUES);
        double low = in.readDouble();
        double step = in.readDouble();
        double meanDistance = in.readDouble();
        if (width < 1 || !(meanDistance > 0) || !Double.isFinite(low) || !(step >= 0) || !Double.isFinite(step)) {
            throw new IOException("bad shape library: width " + width + ", mean distance " + meanDistance + ", low "
                    + low + ", step " + step);
        }
        byte[] raw = new byte[2 * length];
        in.readFully(raw);
        char[] codes = new char[length];
        for (int i = 0; i < length; i++) {
            codes[i] = (char) (((raw[2 * i] & 0xff) << 8) | (raw[2 * i + 1] & 0xff));
        }
        return new PatternNovelty(codes, width, low, step, meanDistance);
    }
}
