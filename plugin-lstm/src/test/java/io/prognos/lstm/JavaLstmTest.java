package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The JVM engine computes what Deeplearning4j's SameDiff lstmLayer computes: same outputs and
 * same gradients for the same parameters, and its gradients match finite differences.
 */
class JavaLstmTest {

    private static final LstmNetwork.Shape SHAPE = new LstmNetwork.Shape(2, 8, 3);
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

    @Test
    void outputsAndGradientsMatchSameDiff() {
        LstmNetwork sd = new LstmNetwork(SHAPE, 1e-3);
        float[] params = sd.initialParameters(7);
        // Non-trivial biases so every gate's slice is exercised.
        float[] noise = random(params.length, 8);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1f * noise[i];
        }
        sd.setParameters(params);
        float[] x = random(N * SEQ * SHAPE.features(), 1);
        float[] y = random(N * SHAPE.horizon(), 2);
        INDArray xa = Nd4j.createFromArray(x).reshape(N, SEQ, SHAPE.features());
        INDArray ya = Nd4j.createFromArray(y).reshape(N, SHAPE.horizon());

        JavaLstm jvm = new JavaLstm(SHAPE, params, 1e-3);
        float[] expectedOut = sd.predict(xa).data().asFloat();
        float[] actualOut = jvm.predict(x, N, SEQ);
        for (int i = 0; i < expectedOut.length; i++) {
            assertEquals(expectedOut[i], actualOut[i], 1e-5, "output " + i);
        }
        float[] expectedGrad = sd.gradients(xa, ya);
        float[] actualGrad = jvm.gradient(x, y, N, SEQ);
        double maxAbs = 0;
        for (float g : expectedGrad) {
            maxAbs = Math.max(maxAbs, Math.abs(g));
        }
        for (int i = 0; i < expectedGrad.length; i++) {
            assertEquals(expectedGrad[i], actualGrad[i], 1e-4 * Math.max(1, maxAbs), "gradient " + i);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        float[] params = new LstmNetwork(SHAPE, 1e-3).initialParameters(3);
        float[] x = random(N * SEQ * SHAPE.features(), 4);
        float[] y = random(N * SHAPE.horizon(), 5);
        JavaLstm jvm = new JavaLstm(SHAPE, params, 1e-3);
        float[] g = jvm.gradient(x, y, N, SEQ);
        Random pick = new Random(6);
        for (int trial = 0; trial < 40; trial++) {
            int k = pick.nextInt(params.length);
            double h = 1e-2;
            float[] plus = params.clone();
            plus[k] += (float) h;
            float[] minus = params.clone();
            minus[k] -= (float) h;
            double numeric = (loss(plus, x, y) - loss(minus, x, y)) / (2 * h);
            assertEquals(numeric, g[k], 2e-3 + 2e-2 * Math.abs(numeric), "parameter " + k);
        }
    }

    @Test
    void theBatchedForwardPassGivesTheSameOutputsAsOneWindowAtATime() {
        float[] params = new LstmNetwork(SHAPE, 1e-3).initialParameters(11);
        int n = 40;
        float[] x = random(n * SEQ * SHAPE.features(), 12);
        JavaLstm jvm = JavaLstm.forInference(SHAPE, params);
        float[] batched = jvm.predict(x, n, SEQ);
        for (int s = 0; s < n; s++) {
            float[] one = jvm.predict(java.util.Arrays.copyOfRange(x, s * SEQ * SHAPE.features(),
                    (s + 1) * SEQ * SHAPE.features()), 1, SEQ);
            for (int k = 0; k < SHAPE.horizon(); k++) {
                assertEquals(one[k], batched[s * SHAPE.horizon() + k], 1e-5, "window " + s + " step " + k);
            }
        }
    }

    @Test
    void trainingReducesTheLoss() {
        float[] params = new LstmNetwork(SHAPE, 1e-2).initialParameters(1);
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

    private static double loss(float[] params, float[] x, float[] y) {
        float[] out = new JavaLstm(SHAPE, params, 1e-3).predict(x, N, SEQ);
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (out[i] - y[i]) * (out[i] - y[i]);
        }
        return s / out.length;
    }
}
