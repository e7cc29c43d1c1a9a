package io.prognos.lstm;

/**
 * Runs a model's network on one window for the observer, with one inference network per thread
 * reused across calls and models: building one per call allocated about 40 KB (the weights again
 * as rows, the activations of 30 steps) on the path that scores every reading. Thread-local
 * because sensors are observed on several threads at once; it lives as long as the plugin.
 */
final class InferenceNetworks implements Observer.Networks {

    private final ThreadLocal<JavaLstm> nets = new ThreadLocal<>();

    @Override
    public float[] predict(TrainedModel model, double[] window) {
        float[] x = new float[window.length * Scaler.FEATURES];
        model.scaler().features(window, x, 0);
        NetworkShape shape = model.shape();
        JavaLstm net = nets.get();
        if (net == null || !net.hasShape(shape)) {
            net = JavaLstm.forInference(shape, model.parameters());
            nets.set(net);
        } else {
            net.use(model.parameters());
        }
        return net.predict(x, 1, window.length);
    }
}
