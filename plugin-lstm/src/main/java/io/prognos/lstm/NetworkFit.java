package io.prognos.lstm;

import io.prognos.api.SensorId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the network on the training windows, mini-batch by mini-batch, and stops early: after
 * {@code patience} epochs without a lower validation loss, keeping the parameters of the best one.
 */
final class NetworkFit {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkFit.class);

    private NetworkFit() {}

    /** The best epoch's parameters, their losses on the training and validation windows, and the epochs run. */
    record Fitted(float[] parameters, double trainLoss, double validationLoss, int epochs) {}

    /** Trains {@code net} (closed when done) from its initial parameters; stops between epochs when interrupted. */
    static Fitted fit(
            SensorId sensor,
            NetworkShape shape,
            LstmEngine net,
            Windows train,
            Windows val,
            Scaler scaler,
            LstmSettings s) {
        int seq = s.sequenceLength();
        float[] best;
        double trainLoss;
        double bestVal;
        int epochsRun = 0;
        try {
            List<float[][]> batches = batches(train, scaler, s, shape);
            float[] valX = features(val, scaler, seq);
            float[] valY = targets(val, scaler, seq, shape);
            best = net.parameters();
            bestVal = shape.firstHeadLoss(net.predict(valX, val.size(), seq), valY);
            int sinceBest = 0;
            for (int epoch = 0; epoch < s.epochs() && sinceBest < s.patience(); epoch++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new ModelTrainer.InterruptedTraining(sensor);
                }
                for (float[][] b : batches) {
                    net.fitBatch(b[0], b[1], b[1].length / shape.outputs(), seq);
                }
                epochsRun++;
                double v = shape.firstHeadLoss(net.predict(valX, val.size(), seq), valY);
                if (v < bestVal - 1e-9) {
                    bestVal = v;
                    best = net.parameters();
                    sinceBest = 0;
                } else {
                    sinceBest++;
                }
            }
            net.setParameters(best);
            trainLoss = shape.firstHeadLoss(
                    net.predict(features(train, scaler, seq), train.size(), seq), targets(train, scaler, seq, shape));
        } finally {
            if (net instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing the training engine: {}", e.getMessage());
                }
            }
        }
        return new Fitted(best, trainLoss, bestVal, epochsRun);
    }

    static float[] features(Windows w, Scaler scaler, int seq) {
        float[] x = new float[w.size() * seq * Scaler.FEATURES];
        for (int i = 0; i < w.size(); i++) {
            double[] full = w.inputs()[i];
            scaler.features(Arrays.copyOfRange(full, full.length - seq, full.length), x, i * seq * Scaler.FEATURES);
        }
        return x;
    }

    /** Every window's scaled targets, once per head ([n][outputs]). */
    private static float[] targets(Windows w, Scaler scaler, int seq, NetworkShape shape) {
        int horizon = shape.horizon();
        int outputs = shape.outputs();
        float[] y = new float[w.size() * outputs];
        for (int i = 0; i < w.size(); i++) {
            double[] full = w.inputs()[i];
            scaler.targets(Arrays.copyOfRange(full, full.length - seq, full.length), w.targets()[i], y, i * outputs);
            for (int head = 1; head < shape.heads(); head++) {
                System.arraycopy(y, i * outputs, y, i * outputs + head * horizon, horizon);
            }
        }
        return y;
    }

    /** Mini-batches as {features, targets}, shuffled once and reused every epoch. */
    private static List<float[][]> batches(Windows train, Scaler scaler, LstmSettings s, NetworkShape shape) {
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rnd = new Random(s.seed());
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Windows shuffled = train.select(order);
        List<float[][]> out = new ArrayList<>();
        for (int start = 0; start < n; start += s.batchSize()) {
            int end = Math.min(n, start + s.batchSize());
            int[] idx = new int[end - start];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            Windows b = shuffled.select(idx);
            out.add(new float[][] {
                features(b, scaler, s.sequenceLength()), targets(b, scaler, s.sequenceLength(), shape)
            });
        }
        return out;
    }
}
