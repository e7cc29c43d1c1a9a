package io.prognos.lstm.samediff;

import io.prognos.lstm.LstmEngine;
import io.prognos.lstm.NetworkShape;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** {@link LstmEngine} on a pooled SameDiff graph; returns the graph to the pool on {@link #close}. */
final class SameDiffEngine implements LstmEngine, AutoCloseable {

    private final NetworkPool pool;
    private final LstmNetwork net;
    private final int features;

    SameDiffEngine(NetworkPool pool, NetworkShape shape, float[] parameters) {
        this.pool = pool;
        this.net = pool.borrow(shape);
        this.features = shape.features();
        net.setParameters(parameters);
        net.resetOptimizer();
    }

    @Override
    public double fitBatch(float[] x, float[] target, int n, int seq) {
        if (n == 1) {
            // SameDiff 1.0.0-M2.1's training step fails on a batch of one window (a reduce op of the
            // graph's backward pass is left without its input: NullPointerException), and a
            // training's last mini-batch is one window whenever the training windows are one more
            // than a multiple of lstm.batch-size. The same window twice has the same mean loss, so
            // the same gradient and the same step.
            return fitBatch(twice(x), twice(target), 2, seq);
        }
        try (INDArray xa = Nd4j.createFromArray(x).reshape(n, seq, features);
                INDArray ya = Nd4j.createFromArray(target).reshape(n, target.length / n)) {
            net.fitEpoch(List.of(new DataSet(xa, ya)));
        }
        // SameDiff records no loss curve unless a listener asks for one, and an extra forward pass would
        // cost this optional engine 15 %: the loss is not reported.
        return Double.NaN;
    }

    private static float[] twice(float[] a) {
        float[] b = Arrays.copyOf(a, 2 * a.length);
        System.arraycopy(a, 0, b, a.length, a.length);
        return b;
    }

    @Override
    public float[] predict(float[] x, int n, int seq) {
        try (INDArray xa = Nd4j.createFromArray(x).reshape(n, seq, features);
                INDArray out = net.predict(xa)) {
            return out.data().asFloat();
        }
    }

    @Override
    public float[] parameters() {
        return net.getParameters();
    }

    @Override
    public void setParameters(float[] parameters) {
        net.setParameters(parameters);
    }

    @Override
    public void close() {
        pool.giveBack(net);
    }
}
