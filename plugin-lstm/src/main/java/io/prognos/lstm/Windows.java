package io.prognos.lstm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Context windows (oldest first), their targets, and each window's absolute origin index. */
record Windows(double[][] inputs, double[][] targets, long[] origin) {

    int size() {
        return inputs.length;
    }

    Windows select(int[] idx) {
        double[][] in = new double[idx.length][];
        double[][] tg = new double[idx.length][];
        long[] o = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            in[i] = inputs[idx[i]];
            tg[i] = targets[idx[i]];
            o[i] = origin[idx[i]];
        }
        return new Windows(in, tg, o);
    }

    /** Every window of {@code context} readings followed by {@code horizon} targets inside one segment. */
    static Windows of(List<SeriesPreparer.Segment> segments, int context, int horizon) {
        List<double[]> in = new ArrayList<>();
        List<double[]> tg = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        long origin0 = segments.isEmpty() ? 0 : segments.get(0).startBucket();
        for (SeriesPreparer.Segment seg : segments) {
            double[] v = seg.values();
            long base = seg.startBucket() - origin0;
            for (int last = context - 1; last + horizon < v.length; last++) {
                in.add(Arrays.copyOfRange(v, last - context + 1, last + 1));
                tg.add(Arrays.copyOfRange(v, last + 1, last + 1 + horizon));
                idx.add(base + last);
            }
        }
        long[] o = new long[idx.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = idx.get(i);
        }
        return new Windows(in.toArray(new double[0][]), tg.toArray(new double[0][]), o);
    }
}
