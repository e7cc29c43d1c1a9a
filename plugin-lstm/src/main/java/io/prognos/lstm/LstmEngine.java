package io.prognos.lstm;

/**
 * Computes the LSTM network: a training step on a mini-batch and a forward pass. Inputs are
 * [n][seq][features] and targets [n][horizon], row-major. Implementations are not thread-safe.
 */
interface LstmEngine {

    /**
     * One optimiser step; returns the batch's mean-squared error before the step, or NaN when the
     * engine cannot report it without extra work (SameDiff records no loss curve unless a listener
     * asks for one, and an extra forward pass would cost the optional engine 15 %).
     */
    double fitBatch(float[] x, float[] target, int n, int seq);

    float[] predict(float[] x, int n, int seq);

    float[] parameters();

    void setParameters(float[] parameters);

    /** Which engine computes the network. */
    enum Kind {
        /** On the JVM: no native memory, no per-op JNI cost. The default. */
        JVM,
        /** Deeplearning4j SameDiff's fused lstmLayer op (grows native memory per training step in 1.0.0-M2.1). */
        SAMEDIFF
    }
}
