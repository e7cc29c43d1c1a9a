package io.prognos.lstm.samediff;

import io.prognos.lstm.LstmEngine;
import io.prognos.lstm.LstmEngineProvider;
import io.prognos.lstm.NetworkShape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deeplearning4j SameDiff as the LSTM plugin's training engine ({@code lstm.engine=samediff}). Its
 * 1.0.0-M2.1 {@code lstmLayer} backward op keeps about 0.6 MB of native memory per call (see
 * {@code SameDiffLeakProbe}), which is why it is an option and not the default.
 */
public final class SameDiffEngineProvider implements LstmEngineProvider {

    private volatile NetworkPool pool;

    @Override
    public String name() {
        return "samediff";
    }

    @Override
    public String version() {
        return "deeplearning4j 1.0.0-M2.1 (SameDiff lstmLayer)";
    }

    @Override
    public synchronized void configure(int nativeThreadsPerJob) {
        // Must precede the first ND4J op: OpenMP sizes its pool once. More than one native thread per job
        // was 2.6x slower here (barrier waits on a tiny model), so the host's cap is the ceiling.
        Nd4j.getEnvironment().setMaxThreads(nativeThreadsPerJob);
        Nd4j.getEnvironment().setMaxMasterThreads(nativeThreadsPerJob);
    }

    @Override
    public LstmEngine create(NetworkShape shape, float[] initial, double learningRate) {
        return new SameDiffEngine(pool(learningRate), shape, initial);
    }

    private synchronized NetworkPool pool(double learningRate) {
        if (pool == null) {
            pool = new NetworkPool(learningRate);
        }
        return pool;
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
