package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.lstm.samediff.LstmNetwork;
import io.prognos.lstm.samediff.SameDiffEngineProvider;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The JVM engine computes what Deeplearning4j's SameDiff lstmLayer computes: the same outputs and
 * the same gradients for the same parameters in the same layout. (In the plugin's package, so that
 * it reaches the engine's gradient without making it public.)
 */
class JavaLstmMatchesSameDiffTest {

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

    @ParameterizedTest(name = "{0} head(s)")
    @ValueSource(ints = {1, 2})
    void outputsAndGradientsMatchSameDiff(int heads) {
        // With two heads, the second one's absolute error must reach its own weights only.
        NetworkShape shape = new NetworkShape(2, 8, 3, heads);
        LstmNetwork sd = new LstmNetwork(shape, 1e-3);
        float[] params = shape.initialParameters(7);
        // Non-trivial biases so every gate's slice is exercised.
        float[] noise = random(params.length, 8);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1f * noise[i];
        }
        sd.setParameters(params);
        float[] x = random(N * SEQ * shape.features(), 1);
        float[] y = random(N * shape.outputs(), 2);
        INDArray xa = Nd4j.createFromArray(x).reshape(N, SEQ, shape.features());
        INDArray ya = Nd4j.createFromArray(y).reshape(N, shape.outputs());

        JavaLstm jvm = new JavaLstm(shape, params, 1e-3);
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

    /**
     * Twenty Adam steps from the same parameters end with the same LSTM layer and first head in
     * either engine, with two heads: the second head's error stops at its own weights in both, and
     * the optimisers agree, not only one gradient. (The second head's own weights are compared by
     * the gradient above: its absolute error's sign flips on float noise once its residuals near
     * zero, so two engines' second heads drift apart over many steps.)
     */
    @Test
    void trainingStepsMatchSameDiffWithTwoHeads() {
        NetworkShape shape = new NetworkShape(2, 8, 3, 2);
        float[] params = shape.initialParameters(9);
        float[] x = random(N * SEQ * shape.features(), 10);
        float[] y = random(N * shape.outputs(), 11);
        LstmNetwork sd = new LstmNetwork(shape, 1e-2);
        sd.setParameters(params);
        JavaLstm jvm = new JavaLstm(shape, params, 1e-2);
        for (int i = 0; i < 20; i++) {
            try (INDArray xa = Nd4j.createFromArray(x).reshape(N, SEQ, shape.features());
                    INDArray ya = Nd4j.createFromArray(y).reshape(N, shape.outputs())) {
                sd.fitEpoch(List.of(new DataSet(xa, ya)));
            }
            jvm.fitBatch(x, y, N, SEQ);
        }
        float[] expected = sd.getParameters();
        float[] actual = jvm.parameters();
        int dense = shape.parameterCount() - shape.units() * shape.outputs() - shape.outputs();
        int bias = dense + shape.units() * shape.outputs();
        for (int i = 0; i < expected.length; i++) {
            int column = i < dense ? -1 : i < bias ? (i - dense) % shape.outputs() : i - bias;
            if (column >= shape.horizon()) {
                continue; // the second head's
            }
            assertEquals(expected[i], actual[i], 1e-3 * Math.max(1, Math.abs(expected[i])), "parameter " + i);
        }
    }

    /**
     * A mini-batch of one window (a training's last one is, whenever the training windows are one
     * more than a multiple of the batch size) takes the step the JVM engine takes. SameDiff's own
     * training step failed on it, so {@code lstm.engine=samediff} could not train such a history.
     */
    @Test
    void aBatchOfOneWindowStepsAsTheJvmEngineDoes() throws Exception {
        NetworkShape shape = new NetworkShape(2, 8, 3, 2);
        float[] params = shape.initialParameters(12);
        float[] x = random(SEQ * shape.features(), 13);
        float[] y = random(shape.outputs(), 14);
        SameDiffEngineProvider provider = new SameDiffEngineProvider();
        float[] expected;
        LstmEngine sd = provider.create(shape, params, 1e-2);
        try {
            sd.fitBatch(x, y, 1, SEQ);
            expected = sd.parameters();
        } finally {
            ((AutoCloseable) sd).close();
            provider.close();
        }
        JavaLstm jvm = new JavaLstm(shape, params, 1e-2);
        jvm.fitBatch(x, y, 1, SEQ);
        float[] actual = jvm.parameters();
        int moved = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "parameter " + i);
            moved += expected[i] != params[i] ? 1 : 0;
        }
        assertTrue(moved > expected.length / 2, "the step moved " + moved + " of " + expected.length + " parameters");
    }
}
