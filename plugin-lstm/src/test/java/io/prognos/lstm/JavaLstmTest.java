package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JVM engine's arithmetic: its gradients against central differences of an independent
 * double-precision LSTM (a relative error per component), Adam's first step, and the batched
 * forward pass. Its agreement with SameDiff is tested in the SameDiff module.
 */
class JavaLstmTest {

    private static final NetworkShape SHAPE = new NetworkShape(2, 8, 3);
    private static final int SEQ = 7;
    private static final int N = 4;

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Parameters with non-trivial biases, so that every gate's slice is exercised. */
    private static float[] parameters(long seed) {
        float[] p = SHAPE.initialParameters(seed);
        float[] noise = random(p.length, seed + 1);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.3f * noise[i];
        }
        return p;
    }

    /**
     * The batch's mean-squared error by a plain double-precision LSTM written from the equations
     * (gates input, forget, cell, output; exact tanh and sigmoid), sharing nothing with the engine
     * but the parameter layout.
     */
    static double referenceLoss(double[] p, float[] x, float[] y) {
        int f = SHAPE.features();
        int u = SHAPE.units();
        int hor = SHAPE.horizon();
        int offRw = f * 4 * u;
        int offB = offRw + u * 4 * u;
        int offDw = offB + 4 * u;
        int offDb = offDw + u * hor;
        double loss = 0;
        for (int s = 0; s < N; s++) {
            double[] h = new double[u];
            double[] c = new double[u];
            for (int t = 0; t < SEQ; t++) {
                double[] z = new double[4 * u];
                for (int g = 0; g < 4 * u; g++) {
                    double v = p[offB + g];
                    for (int k = 0; k < f; k++) {
                        v += x[(s * SEQ + t) * f + k] * p[k * 4 * u + g];
                    }
                    for (int k = 0; k < u; k++) {
                        v += h[k] * p[offRw + k * 4 * u + g];
                    }
                    z[g] = v;
                }
                double[] hn = new double[u];
                for (int j = 0; j < u; j++) {
                    double in = 1 / (1 + Math.exp(-z[j]));
                    double fg = 1 / (1 + Math.exp(-z[u + j]));
                    double cc = Math.tanh(z[2 * u + j]);
                    double o = 1 / (1 + Math.exp(-z[3 * u + j]));
                    c[j] = fg * c[j] + in * cc;
                    hn[j] = o * Math.tanh(c[j]);
                }
                h = hn;
            }
            for (int k = 0; k < hor; k++) {
                double out = p[offDb + k];
                for (int j = 0; j < u; j++) {
                    out += h[j] * p[offDw + j * hor + k];
                }
                double e = out - y[s * hor + k];
                loss += e * e;
            }
        }
        return loss / (N * hor);
    }

    @Test
    void theActivationNeverLeavesMinusOneToOneAndIsOdd() {
        // Every 4,096th float up to the last 20,000 below the clamp, where the quotient is largest, then
        // each of them; beyond the clamp, some up to infinity.
        int clampBits = Float.floatToIntBits(4.97f);
        for (int bits = 0; bits <= clampBits; bits += bits < clampBits - 20_000 ? 4096 : 1) {
            checkActivation(Float.intBitsToFloat(bits));
        }
        for (float x : new float[] {4.9700003f, 5f, 9f, 100f, 1e10f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            checkActivation(x);
        }
        assertTrue(Float.isNaN(JavaLstm.tanh(Float.NaN)));
    }

    private static void checkActivation(float x) {
        float t = JavaLstm.tanh(x);
        assertTrue(t >= 0f && t <= 1f, "tanh(" + x + ") = " + t);
        assertEquals(-t, JavaLstm.tanh(-x), 0f, "odd at " + x);
        assertEquals(Math.tanh(x), t, 1e-4, "accuracy at " + x);
    }

    @Test
    void gradientsMatchCentralDifferencesComponentByComponent() {
        float[] params = parameters(3);
        float[] x = random(N * SEQ * SHAPE.features(), 4);
        float[] y = random(N * SHAPE.horizon(), 5);
        float[] g = new JavaLstm(SHAPE, params, 1e-3).gradient(x, y, N, SEQ);
        double[] p = new double[params.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = params[i];
        }
        double maxAbs = 0;
        for (float v : g) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        Random pick = new Random(6);
        int checked = 0;
        for (int trial = 0; trial < 60; trial++) {
            int k = pick.nextInt(params.length);
            double step = 1e-6;
            double[] plus = p.clone();
            plus[k] += step;
            double[] minus = p.clone();
            minus[k] -= step;
            double numeric = (referenceLoss(plus, x, y) - referenceLoss(minus, x, y)) / (2 * step);
            if (Math.abs(numeric) < 1e-3 * maxAbs) {
                continue; // too small to judge a float gradient by
            }
            checked++;
            // The engine computes in float with a rational tanh (error below 1e-4): a per cent is its accuracy.
            assertEquals(numeric, g[k], 0.01 * Math.abs(numeric), "parameter " + k);
        }
        assertTrue(checked >= 40, "only " + checked + " of 60 sampled gradients were large enough to check");
    }

    /**
     * After one step from zero moments, Adam with bias correction moves every parameter by the
     * learning rate against its gradient's sign ({@code m_hat / sqrt(v_hat) = g / |g|}); without the
     * correction the first step would be {@code 0.1 g / sqrt(0.001 g^2)}, about 3.16 times as long.
     */
    @Test
    void adamsFirstStepIsTheLearningRateThanksToBiasCorrection() {
        float[] params = parameters(7);
        float[] x = random(N * SEQ * SHAPE.features(), 8);
        float[] y = random(N * SHAPE.horizon(), 9);
        double lr = 1e-3;
        float[] g = new JavaLstm(SHAPE, params, lr).gradient(x, y, N, SEQ);
        JavaLstm jvm = new JavaLstm(SHAPE, params, lr);
        jvm.fitBatch(x, y, N, SEQ);
        float[] after = jvm.parameters();
        int checked = 0;
        for (int i = 0; i < params.length; i++) {
            if (Math.abs(g[i]) < 1e-4) {
                continue; // epsilon dominates a vanishing gradient
            }
            checked++;
            assertEquals(-lr * Math.signum(g[i]), after[i] - params[i], 0.02 * lr, "parameter " + i);
        }
        assertTrue(checked > params.length / 2, checked + " of " + params.length + " parameters checked");
    }

    @Test
    void theBatchedForwardPassGivesTheSameOutputsAsOneWindowAtATime() {
        float[] params = SHAPE.initialParameters(11);
        int n = 40;
        float[] x = random(n * SEQ * SHAPE.features(), 12);
        JavaLstm jvm = JavaLstm.forInference(SHAPE, params);
        float[] batched = jvm.predict(x, n, SEQ);
        for (int s = 0; s < n; s++) {
            float[] window = Arrays.copyOfRange(x, s * SEQ * SHAPE.features(), (s + 1) * SEQ * SHAPE.features());
            float[] one = jvm.predict(window, 1, SEQ);
            for (int k = 0; k < SHAPE.horizon(); k++) {
                assertEquals(one[k], batched[s * SHAPE.horizon() + k], 1e-5, "window " + s + " step " + k);
            }
        }
    }

    @Test
    void aReusedInferenceNetworkFollowsTheModelItIsPointedAt() {
        float[] a = SHAPE.initialParameters(21);
        float[] b = SHAPE.initialParameters(22);
        float[] x = random(SEQ * SHAPE.features(), 23);
        float[] fromA = JavaLstm.forInference(SHAPE, a).predict(x, 1, SEQ);
        float[] fromB = JavaLstm.forInference(SHAPE, b).predict(x, 1, SEQ);
        assertFalse(Arrays.equals(fromA, fromB), "two models, two forecasts");
        JavaLstm reused = JavaLstm.forInference(SHAPE, a);
        for (int round = 0; round < 3; round++) {
            assertArrayEquals(fromA, reused.predict(x, 1, SEQ));
            reused.use(b);
            assertArrayEquals(fromB, reused.predict(x, 1, SEQ));
            reused.use(a);
        }
        assertThrows(IllegalStateException.class, () -> new JavaLstm(SHAPE, a, 0.01).use(b));
    }

    @Test
    void trainingReducesTheLoss() {
        float[] params = SHAPE.initialParameters(1);
        float[] x = random(N * SEQ * SHAPE.features(), 9);
        float[] y = random(N * SHAPE.horizon(), 10);
        JavaLstm jvm = new JavaLstm(SHAPE, params, 1e-2);
        double first = jvm.fitBatch(x, y, N, SEQ);
        double last = first;
        for (int i = 0; i < 200; i++) {
            last = jvm.fitBatch(x, y, N, SEQ);
        }
        assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);
    }

    /**
     * The second head reads the hidden state the first head's training makes and never moves it:
     * trained side by side from the same seed on the same windows, a two-head network's LSTM layer
     * and first head end exactly where a one-head network's do.
     */
    @Test
    void aSecondHeadNeverMovesTheLayerOrTheFirstHead() {
        NetworkShape two = new NetworkShape(2, 8, 3, 2);
        float[] x = random(N * SEQ * SHAPE.features(), 11);
        float[] y = random(N * SHAPE.horizon(), 12);
        float[] yy = new float[N * two.outputs()];
        for (int s = 0; s < N; s++) {
            System.arraycopy(y, s * 3, yy, s * 6, 3);
            System.arraycopy(y, s * 3, yy, s * 6 + 3, 3);
        }
        JavaLstm alone = new JavaLstm(SHAPE, SHAPE.initialParameters(1), 1e-2);
        JavaLstm beside = new JavaLstm(two, two.initialParameters(1), 1e-2);
        for (int i = 0; i < 50; i++) {
            alone.fitBatch(x, y, N, SEQ);
            beside.fitBatch(x, yy, N, SEQ);
        }
        float[] a = alone.parameters();
        float[] b = beside.parameters();
        int layer = a.length - SHAPE.units() * 3 - 3; // everything before the dense layer
        assertArrayEquals(Arrays.copyOf(a, layer), Arrays.copyOf(b, layer), "the LSTM layer");
        for (int j = 0; j < SHAPE.units(); j++) {
            assertArrayEquals(
                    Arrays.copyOfRange(a, layer + j * 3, layer + j * 3 + 3),
                    Arrays.copyOfRange(b, layer + j * 6, layer + j * 6 + 3),
                    "the first head's weights of unit " + j);
        }
        float[] outAlone = alone.predict(x, N, SEQ);
        float[] outBeside = beside.predict(x, N, SEQ);
        for (int s = 0; s < N; s++) {
            assertArrayEquals(
                    Arrays.copyOfRange(outAlone, s * 3, s * 3 + 3),
                    Arrays.copyOfRange(outBeside, s * 6, s * 6 + 3),
                    "window " + s + "'s first head");
            assertFalse(
                    Arrays.equals(
                            Arrays.copyOfRange(outBeside, s * 6, s * 6 + 3),
                            Arrays.copyOfRange(outBeside, s * 6 + 3, s * 6 + 6)),
                    "the second head is a forecast of its own");
        }
    }

    /**
     * The first head is fitted to the squared error, the second to the absolute error: on windows
     * that look alike but end in skewed values, the first learns their mean and the second their
     * median.
     */
    @Test
    void theFirstHeadLearnsTheMeanAndTheSecondTheMedian() {
        NetworkShape two = new NetworkShape(2, 8, 3, 2);
        int n = 5;
        float[] one = random(SEQ * two.features(), 13);
        float[] x = new float[n * one.length];
        for (int s = 0; s < n; s++) {
            System.arraycopy(one, 0, x, s * one.length, one.length);
        }
        float[] ends = {0, 0, 0, 1, 9}; // mean 2, median 0
        float[] y = new float[n * two.outputs()];
        for (int s = 0; s < n; s++) {
            Arrays.fill(y, s * 6, s * 6 + 6, ends[s]);
        }
        JavaLstm net = new JavaLstm(two, two.initialParameters(2), 1e-2);
        for (int i = 0; i < 1500; i++) {
            net.fitBatch(x, y, n, SEQ);
        }
        float[] out = net.predict(one, 1, SEQ);
        for (int k = 0; k < 3; k++) {
            assertEquals(2.0, out[k], 0.2, "step " + (k + 1) + " of the first head: the mean");
            assertEquals(0.0, out[3 + k], 0.2, "step " + (k + 1) + " of the second head: the median");
        }
    }
}
