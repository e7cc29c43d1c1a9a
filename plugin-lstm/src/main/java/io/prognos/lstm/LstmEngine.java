package io.prognos.lstm;

/**
 * Computes the network for training: a step on a mini-batch and a forward pass. Inputs are
 * [n][seq][features] and targets [n][horizon], row-major. Implementations are not thread-safe;
 * one per training job. Forecasts always run on the JVM ({@link JavaLstm}), whichever engine trained.
 */
public interface LstmEngine {

    /**
     * One optimiser step; returns the batch's mean-squared error before the step, or NaN when the
     * engine cannot report it without extra work.
     */
    double fitBatch(float[] x, float[] target, int n, int seq);

    float[] predict(float[] x, int n, int seq);

    float[] parameters();

    void setParameters(float[] parameters);

    /** Which engine computes the network during training. */
    enum Kind {
        /** On the JVM: no native memory, no per-op JNI cost. The default. */
        JVM,
        /** Deeplearning4j SameDiff's fused lstmLayer op, from the {@code prognos-plugin-lstm-samediff} module. */
        SAMEDIFF
    }
}
