package io.prognos.lstm;

import io.prognos.lstm.samediff.LstmNetwork;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finds where Deeplearning4j's native memory goes while training. Run one mode per JVM:
 * <pre>
 * fit     SameDiff fit on the LSTM graph             -> grows ~0.6 MB per call
 * grads   calculateGradients on the LSTM graph       -> grows ~0.6 MB per call
 * output  forward pass of the LSTM graph             -> flat
 * dense   calculateGradients on a dense-only graph   -> flat
 * jvm     a training step of the JVM engine          -> flat
 * </pre>
 * So the growth is in the backward pass of the fused lstmLayer op (lstmLayer_bp), on the native
 * side: JavaCPP's counters stay at zero, System.gc() does not return it, and disabling SameDiff's
 * array cache (-Dorg.nd4j.autodiff.samediff=false) does not change it.
 */
public final class SameDiffLeakProbe {

    private SameDiffLeakProbe() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "grads";
        NetworkShape shape = new NetworkShape(2, 32, 12);
        LstmNetwork net = new LstmNetwork(shape, 1e-3);
        net.setParameters(net.initialParameters(1));
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 30, 2);
        INDArray y = Nd4j.rand(DataType.FLOAT, 16, 12);
        DataSet ds = new DataSet(x, y);
        SameDiff dense = SameDiff.create();
        SDVariable in = dense.placeHolder("in", DataType.FLOAT, -1, 60);
        SDVariable label = dense.placeHolder("label", DataType.FLOAT, -1, 12);
        SDVariable w = dense.var("w", Nd4j.rand(DataType.FLOAT, 60, 12));
        SDVariable b = dense.var("b", Nd4j.rand(DataType.FLOAT, 12));
        dense.loss().meanSquaredError("loss", label, dense.nn().tanh(dense.nn().linear(in, w, b)), null);
        INDArray flat = x.reshape(16, 60);
        JavaLstm jvm = new JavaLstm(shape, net.initialParameters(1), 1e-3);
        float[] xf = x.data().asFloat();
        float[] yf = y.data().asFloat();
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                switch (mode) {
                    case "fit" -> net.fitEpoch(List.of(ds));
                    case "grads" -> net.gradients(x, y);
                    case "output" -> net.predict(x).close();
                    case "dense" -> dense.calculateGradients(Map.of("in", flat, "label", y), "w", "b");
                    case "jvm" -> jvm.fitBatch(xf, yf, 16, 30);
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
            System.gc();
            System.out.printf(
                    "%s round %d: rss %.0f MB, %.2f ms per call%n",
                    mode, round, rssKb() / 1024.0, (System.nanoTime() - t0) / 1e6 / 500);
        }
        System.exit(0);
    }

    private static long rssKb() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
