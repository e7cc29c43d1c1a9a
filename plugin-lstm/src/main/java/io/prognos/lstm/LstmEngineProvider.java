package io.prognos.lstm;

/**
 * A training engine in a module of its own, found with {@link java.util.ServiceLoader} in the
 * plugin's class loader: Deeplearning4j's SameDiff ({@code lstm.engine=samediff}) lives in
 * {@code prognos-plugin-lstm-samediff}, so a default installation carries no ND4J natives.
 */
public interface LstmEngineProvider {

    /** The {@code lstm.engine} value that selects it, e.g. {@code samediff}. */
    String name();

    /** Version of the library behind it, for {@code status}. */
    String version();

    /** Called once at plugin start, before the first engine: native thread caps and the like. */
    void configure(int nativeThreadsPerJob);

    /** An engine for one training job, starting from {@code initial}; closed by the caller when it implements AutoCloseable. */
    LstmEngine create(NetworkShape shape, float[] initial, double learningRate);

    /** Releases pooled native resources at plugin stop. */
    default void close() {}
}
