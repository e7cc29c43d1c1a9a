package io.prognos.lstm;

import java.util.ArrayList;
import java.util.List;

/** Which of a history's windows train the network, which validate it and which calibrate its intervals. */
record WindowSplit(int[] train, int[] validation, int[] calibration, boolean guarded) {

    private static final int MIN_HELD_OUT = 5;

    /**
     * Blocks of {@code 4 x horizon} consecutive origins take turns across the whole history: of every
     * {@code 1 / validationFraction} blocks, one validates, one calibrates and the rest train, so that
     * every role sees calm and turbulent stretches alike. A window is dropped when its targets would
     * overlap those of a window with another role: training windows near validation or calibration
     * ones, calibration windows near validation ones (a guard of one horizon). Too short a history
     * for blocks takes every k-th window instead, without guards (its model says so in its reason).
     */
    static WindowSplit of(Windows w, LstmSettings s) {
        int k = (int) Math.max(3, Math.round(1 / s.validationFraction()));
        int block = 4 * s.horizon();
        int guard = s.horizon();
        long first = w.origin()[0];
        int[] role = new int[w.size()]; // 0 train, 1 validation, 2 calibration
        for (int i = 0; i < w.size(); i++) {
            long b = (w.origin()[i] - first) / block;
            int r = (int) (b % k);
            role[i] = r == k - 2 ? 1 : r == k - 1 ? 2 : 0;
        }
        if (count(role, 1) < MIN_HELD_OUT || count(role, 2) < MIN_HELD_OUT) {
            return interleaved(w, k);
        }
        boolean guarded = true;
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        List<Integer> cal = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            if (guarded && near(w, role, i, guard)) {
                continue;
            }
            (role[i] == 0 ? train : role[i] == 1 ? val : cal).add(i);
        }
        if (guarded && (val.size() < MIN_HELD_OUT || cal.size() < MIN_HELD_OUT || train.size() < MIN_HELD_OUT)) {
            return interleaved(w, k);
        }
        return new WindowSplit(ints(train), ints(val), ints(cal), guarded);
    }

    /** Every k-th window validates, the one after it calibrates: for histories too short for guarded blocks. */
    private static WindowSplit interleaved(Windows w, int k) {
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        List<Integer> cal = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            (i % k == k - 2 ? val : i % k == k - 1 ? cal : train).add(i);
        }
        return new WindowSplit(ints(train), ints(val), ints(cal), false);
    }

    /** True when window {@code i} must go: a window of a role that wins the boundary lies within the guard. */
    private static boolean near(Windows w, int[] role, int i, int guard) {
        long o = w.origin()[i];
        for (int j = Math.max(0, i - guard); j <= Math.min(w.size() - 1, i + guard); j++) {
            if (j == i || Math.abs(w.origin()[j] - o) >= guard || role[j] == role[i]) {
                continue;
            }
            // Validation keeps its windows; calibration yields to validation; training yields to both.
            if (role[i] == 0 || (role[i] == 2 && role[j] == 1)) {
                return true;
            }
        }
        return false;
    }

    private static int count(int[] role, int r) {
        int n = 0;
        for (int x : role) {
            n += x == r ? 1 : 0;
        }
        return n;
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
