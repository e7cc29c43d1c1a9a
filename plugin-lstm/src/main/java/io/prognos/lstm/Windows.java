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

    /** How many windows of {@code context} readings followed by {@code horizon} targets the segments hold. */
    static long count(List<SeriesPreparer.Segment> segments, int context, int horizon) {
        long n = 0;
        for (SeriesPreparer.Segment seg : segments) {
            n += Math.max(0, seg.values().length - context - horizon + 1);
        }
        return n;
    }

    /**
     * The newest {@code max} windows (all, when fewer) of {@code context} readings followed by
     * {@code horizon} targets inside one segment. Only those are copied: every window of a
     * one-second sensor's 23 days, 2 million copies of 42 values, about 800 MB, were made before
     * the newest 2,000 were kept, and a host run with {@code -Xmx512m} ran out of memory training it.
     */
    static Windows of(List<SeriesPreparer.Segment> segments, int context, int horizon, int max) {
        long skip = Math.max(0, count(segments, context, horizon) - max);
        List<double[]> in = new ArrayList<>();
        List<double[]> tg = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        long origin0 = segments.isEmpty() ? 0 : segments.get(0).startBucket();
        for (SeriesPreparer.Segment seg : segments) {
            double[] v = seg.values();
            long base = seg.startBucket() - origin0;
            long here = Math.max(0, v.length - context - horizon + 1);
            if (skip >= here) {
                skip -= here; // an older segment's windows, all left out
                continue;
            }
            for (int last = context - 1 + (int) skip; last + horizon < v.length; last++) {
                in.add(Arrays.copyOfRange(v, last - context + 1, last + 1));
                tg.add(Arrays.copyOfRange(v, last + 1, last + 1 + horizon));
                idx.add(base + last);
            }
            skip = 0;
        }
        long[] o = new long[idx.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = idx.get(i);
        }
        return new Windows(in.toArray(new double[0][]), tg.toArray(new double[0][]), o);
    }
}
