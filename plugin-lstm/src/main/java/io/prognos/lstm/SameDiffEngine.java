package io.prognos.lstm;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** {@link LstmEngine} on a pooled SameDiff graph; returns the graph to the pool on {@link #close}. */
final class SameDiffEngine implements LstmEngine, AutoCloseable {

    private final NetworkPool pool;
    private final LstmNetwork net;

    SameDiffEngine(NetworkPool pool, LstmNetwork.Shape shape, float[] parameters) {
        this.pool = pool;
        this.net = pool.borrow(shape);
        net.setParameters(parameters);
        net.resetOptimizer();
    }

    @Override
    public double fitBatch(float[] x, float[] target, int n, int seq) {
        int f = Scaler.FEATURES;
        try (INDArray xa = Nd4j.createFromArray(x).reshape(n, seq, f);
             INDArray ya = Nd4j.createFromArray(target).reshape(n, target.length / n)) {
            net.fitEpoch(List.of(new DataSet(xa, ya)));
        }
        return Double.NaN; // see LstmEngine#fitBatch
    }

    @Override
    public float[] predict(float[] x, int n, int seq) {
        try (INDArray xa = Nd4j.createFromArray(x).reshape(n, seq, Scaler.FEATURES);
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
