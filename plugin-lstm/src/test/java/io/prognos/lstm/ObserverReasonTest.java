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
        double[] edges = {0, 0.04, 0.05, 0.96, 0.99, 1, 9.95, 12.25, 1e6, 1e14, 3e15, 1e300};
        for (int i = 0; i < 2_000 + edges.length; i++) {
            double a = i < edges.length ? edges[i] : Math.pow(10, 8 * r.nextDouble() - 3);
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
            assertEquals(expected, Observer.reason(a, b, c, unseen, still), "for " + a + ", " + b + ", " + c);
        }
    }
}
