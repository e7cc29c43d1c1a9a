package io.prognos.lstm.samediff;

import io.prognos.lstm.NetworkShape;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMActivations;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * One LSTM layer plus a dense layer of one or two heads ({@link NetworkShape}), as a SameDiff graph
 * using the fused {@code lstmLayer} op.
 *
 * <p>The graph is built once and reused for every model of the same shape: weights are assigned in
 * place before each training or forecast. Building a graph per model was the main source of
 * per-training native allocations, which is why instances are pooled rather than created per call.
 * Not thread-safe: one instance per thread at a time.
 */
public final class LstmNetwork implements AutoCloseable {

    static final String INPUT = "input";
    static final String LABEL = "label";
    static final String OUTPUT = "output";
    private static final String[] PARAMS = {"lstm_W", "lstm_RW", "lstm_b", "dense_W", "dense_b"};

    private final NetworkShape shape;
    private final SameDiff sd;
    private final double learningRate;

    public LstmNetwork(NetworkShape shape, double learningRate) {
        this.shape = shape;
        this.learningRate = learningRate;
        this.sd = SameDiff.create();
        int u = shape.units();
        SDVariable in = sd.placeHolder(INPUT, DataType.FLOAT, -1, -1, shape.features());
        int outputs = shape.outputs();
        SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, outputs);
        SDVariable w = sd.var(PARAMS[0], DataType.FLOAT, shape.features(), 4L * u);
        SDVariable rw = sd.var(PARAMS[1], DataType.FLOAT, u, 4L * u);
        SDVariable b = sd.var(PARAMS[2], DataType.FLOAT, 4L * u);
        SDVariable dw = sd.var(PARAMS[3], DataType.FLOAT, u, outputs);
        // sd.nn().linear needs a 1-D bias; a [1, horizon] bias fails at execution.
        SDVariable db = sd.var(PARAMS[4], DataType.FLOAT, outputs);

        LSTMLayerConfig config = LSTMLayerConfig.builder()
                .lstmdataformat(LSTMDataFormat.NTS)
                .directionMode(LSTMDirectionMode.FWD)
                .gateAct(LSTMActivations.SIGMOID)
                .cellAct(LSTMActivations.TANH)
                .outAct(LSTMActivations.TANH)
                .retFullSequence(false)
                .retLastC(false)
                .retLastH(true)
                .build();
        LSTMLayerWeights weights =
                LSTMLayerWeights.builder().weights(w).rWeights(rw).bias(b).build();
        SDVariable lastH = sd.rnn().lstmLayer(in, null, null, null, weights, config)[0];
        SDVariable out = sd.nn().linear(OUTPUT, lastH, dw, db);
        int h = shape.horizon();
        if (shape.heads() == 1) {
            sd.loss().meanSquaredError("loss", label, out, null);
        } else {
            // The first head's squared error plus the second head's absolute error, the second on a
            // copy of the hidden state whose gradient stops there (NetworkShape), as JavaLstm does.
            SDVariable first = out.get(SDIndex.all(), SDIndex.interval(0, h));
            SDVariable detached = new StopGradient(sd, lastH).outputVariable();
            SDVariable second = sd.nn()
                    .linear(
                            detached,
                            dw.get(SDIndex.all(), SDIndex.interval(h, 2 * h)),
                            db.get(SDIndex.interval(h, 2 * h)));
            SDVariable squared =
                    sd.loss().meanSquaredError(label.get(SDIndex.all(), SDIndex.interval(0, h)), first, null);
            SDVariable absolute =
                    sd.loss().absoluteDifference(label.get(SDIndex.all(), SDIndex.interval(h, 2 * h)), second, null);
            squared.add("loss", absolute);
            sd.setLossVariables("loss");
        }

        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(new Adam(learningRate))
                .dataSetFeatureMapping(INPUT)
                .dataSetLabelMapping(LABEL)
                .build());
    }

    NetworkShape shape() {
        return shape;
    }

    public float[] initialParameters(long seed) {
        return shape.initialParameters(seed);
    }

    /** Copies {@code params} into the graph's variables. */
    public void setParameters(float[] params) {
        if (params.length != shape.parameterCount()) {
            throw new IllegalArgumentException(
                    "expected " + shape.parameterCount() + " parameters, got " + params.length);
        }
        int o = 0;
        for (String name : PARAMS) {
            INDArray arr = sd.getVariable(name).getArr();
            int n = (int) arr.length();
            float[] slice = new float[n];
            System.arraycopy(params, o, slice, 0, n);
            try (INDArray src = Nd4j.createFromArray(slice)) {
                arr.assign(src.reshape(arr.shape()));
            }
            o += n;
        }
    }

    public float[] getParameters() {
        float[] params = new float[shape.parameterCount()];
        int o = 0;
        for (String name : PARAMS) {
            float[] v = sd.getVariable(name).getArr().dup().data().asFloat();
            System.arraycopy(v, 0, params, o, v.length);
            o += v.length;
        }
        return params;
    }

    /** A fresh Adam state per model: stale moments from the previous model would bias its first steps. */
    void resetOptimizer() {
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(new Adam(learningRate))
                .dataSetFeatureMapping(INPUT)
                .dataSetLabelMapping(LABEL)
                .build());
    }

    /** One optimiser step per batch. {@code sd.fit(iterator, epochs > 1)} diverged here; per-batch fit did not. */
    public void fitEpoch(List<DataSet> batches) {
        for (DataSet batch : batches) {
            sd.fit(batch);
        }
    }

    /** Gradients of the loss, flattened in parameter order; used to check the JVM engine. */
    public float[] gradients(INDArray x, INDArray y) {
        Map<String, INDArray> g = sd.calculateGradients(Map.of(INPUT, x, LABEL, y), PARAMS);
        float[] flat = new float[shape.parameterCount()];
        int o = 0;
        for (String name : PARAMS) {
            float[] v = g.get(name).dup().data().asFloat();
            System.arraycopy(v, 0, flat, o, v.length);
            o += v.length;
        }
        return flat;
    }

    /** Forward pass; {@code input} is [batch, time, features], the result [batch, horizon]. */
    public INDArray predict(INDArray input) {
        return sd.output(Map.of(INPUT, input), OUTPUT).get(OUTPUT);
    }

    @Override
    public void close() {
        sd.clearPlaceholders(true);
        sd.clearOpInputs();
    }
}
