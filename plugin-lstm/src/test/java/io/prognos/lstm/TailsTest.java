package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tail probabilities against SciPy's (log10 of 2 * scipy.stats.t.sf(t, nu)), far into the tails. */
class TailsTest {

    @Test
    void studentTailsMatchAReferenceImplementation() {
        double[][] cases = {
            {2, 10, -1.134374741945427},
            {5, 20, -4.16285185019662},
            {5, 45, -5.036254606786399},
            {10, 45, -12.283960571915124},
            {40, 60, -44.23991841417488},
            {0.5, 30, -0.20710215873974097},
            {1e-3, 30, -0.00034377771779280656},
            {100, 3.2, -5.976003182298243},
            {7, 70, -8.903433997837308},
        };
        for (double[] c : cases) {
            assertEquals(
                    c[2], Tails.log10StudentTwoSided(c[0], c[1]), 1e-6 * Math.max(1, -c[2]), c[0] + ", nu " + c[1]);
            assertEquals(c[2], Tails.log10StudentTwoSided(-c[0], c[1]), 1e-6 * Math.max(1, -c[2]), "symmetric");
        }
    }

    @Test
    void normalQuantilesMatchTheNormalsAndTheDefaultEdgeIsTheBisectionsToTheBit() {
        // SciPy's scipy.stats.norm.ppf; the erf used has an absolute error below 1.5e-7.
        double[][] cases = {{0.95, 1.6448536269514722}, {0.975, 1.959963984540054}, {0.1, -1.2815515655446004}};
        for (double[] c : cases) {
            assertEquals(c[1], Tails.normalQuantile(c[0]), 2e-6, "p " + c[0]);
        }
        // A model's edge as the plugin asks for it at lstm.coverage 0.9 (read from "0.9"): the value
        // kept must be the one computed, or every score and risk would move.
        double coverage = Double.parseDouble("0.9");
        assertEquals(Tails.bisect(0.5 + coverage / 2), Tails.normalQuantile(0.5 + coverage / 2), 0);
        assertEquals(Tails.bisect(0.5 + 0.8 / 2), Tails.normalQuantile(0.5 + 0.8 / 2), 0);
    }

    @Test
    void manyDegreesOfFreedomApproachTheNormal() {
        for (double z : new double[] {1, 3, 6}) {
            assertEquals(
                    Tails.log10NormalTwoSided(z),
                    Tails.log10StudentTwoSided(z, 1e6),
                    1e-3 * Math.max(1, z * z),
                    "z " + z);
        }
    }
}
