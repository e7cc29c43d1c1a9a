package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The anomaly reason is built by hand on the scoring path; it must read exactly as %.1f would write it. */
class ObserverReasonTest {

    @Test
    void readsAsFormatWritesIt() {
        Random r = new Random(3);
        double[] edges = {0, 0.04, 0.05, 0.96, 0.99, 1, 9.95, 12.25, 299.95, 299.96, 300};
        for (int i = 0; i < 2_000 + edges.length; i++) {
            double a = i < edges.length ? edges[i] : Math.pow(10, 4.5 * r.nextDouble() - 3);
            double b = r.nextDouble() * 40;
            double c = i % 7 == 0 ? 0 : r.nextDouble();
            boolean unseen = i % 3 == 0;
            boolean still = i % 5 == 0;
            String expected = String.format(
                    Locale.ROOT,
                    "surprise %.1f, shift %.1f, novelty %.1f decimal digits%s%s",
                    a,
                    b,
                    c,
                    unseen ? ", beyond the range seen" : "",
                    still ? ", unchanged longer than ever in the training history" : "");
            if (a > 300) {
                continue; // written as "more than 300", below
            }
            assertEquals(
                    expected, Observer.reason(a, b, c, unseen, still, Double.NaN), "for " + a + ", " + b + ", " + c);
        }
    }

    /**
     * Digits past a probability of 1e-300 come only from an error scale at its floor, a model of a
     * history that held one value: they are not written out, and the reason says why they came.
     */
    @Test
    void digitsOfNoMeaningAreNotWrittenAndAHistoryOfOneValueIsNamed() {
        assertEquals(
                "surprise more than 300, shift 4.5, novelty more than 300 decimal digits, a model trained on a"
                        + " history that held only 20.0",
                Observer.reason(2.171472409516320500000e21, 4.5, 5435198.6, false, false, 20.0));
    }
}
