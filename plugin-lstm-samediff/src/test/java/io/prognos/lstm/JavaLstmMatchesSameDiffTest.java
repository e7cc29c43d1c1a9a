package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.lstm.samediff.LstmNetwork;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The JVM engine computes what Deeplearning4j's SameDiff lstmLayer computes: the same outputs and
 * the same gradients for the same parameters in the same layout. (In the plugin's package, so that
 * it reaches the engine's gradient without making it public.)
 */
class JavaLstmMatchesSameDiffTest {

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

    @Test
    void outputsAndGradientsMatchSameDiff() {
        LstmNetwork sd = new LstmNetwork(SHAPE, 1e-3);
        float[] params = SHAPE.initialParameters(7);
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
        for (int i = 0; i < expectedGrad.length; i++) {
            double scale = Math.max(1e-3, Math.abs(expectedGrad[i]));
            assertEquals(expectedGrad[i], actualGrad[i], 2e-3 * scale + 1e-6, "gradient " + i);
        }
    }
}
