package io.prognos.lstm;

/** Tail probabilities, accurate far into the tails (anomaly scores live there), as base-10 logarithms. */
final class Tails {

    private static final double LN10 = Math.log(10);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private Tails() {}

    /** log10 P(Z >= z) for a standard normal Z. */
    static double log10NormalUpper(double z) {
        if (z < 3) {
            return Math.log10(Math.max(1e-300, 1 - normalCdf(z)));
        }
        // Mills ratio by its continued fraction: P(Z >= z) = phi(z) / (z + 1/(z + 2/(z + 3/(z + ...)))).
        double f = z;
        for (int k = 40; k >= 1; k--) {
            f = z + k / f;
        }
        double lnTail = -0.5 * z * z - LOG_SQRT_2PI - Math.log(f);
        return lnTail / LN10;
    }

    /** log10 P(|Z| >= |z|). */
    static double log10NormalTwoSided(double z) {
        return Math.log10(2) + log10NormalUpper(Math.abs(z));
    }

    /**
     * log10 P(G >= x) for G ~ Gamma(k, 1) with whole k: {@code e^-x sum_{i<k} x^i / i!}, summed in
     * log space so that far tails do not underflow.
     */
    static double log10GammaUpper(int k, double x) {
        if (x <= 0) {
            return 0;
        }
        double lnX = Math.log(x);
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[k];
        double lnFact = 0;
        for (int i = 0; i < k; i++) {
            if (i > 0) {
                lnFact += Math.log(i);
            }
            terms[i] = i * lnX - lnFact;
            max = Math.max(max, terms[i]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        double ln = -x + max + Math.log(sum);
        return Math.min(0, ln / LN10);
    }

    static double normalCdf(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** Abramowitz-Stegun 7.1.26; absolute error below 1.5e-7, used where that is plenty. */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1
                - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                        * t
                        * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    /** Inverse normal CDF by bisection (80 halvings of [-10, 10]). */
    static double normalQuantile(double p) {
        double lo = -10;
        double hi = 10;
        for (int i = 0; i < 80; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
