package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AggregatorTest {

    private static final int N = Method.values().length;
    private static final int LSTM = Method.LSTM.ordinal();
    private static final int LAST = Method.LAST_VALUE.ordinal();
    private static final int SEASONAL = Method.SEASONAL.ordinal();

    /** A seasonal candidate without a season of context (right after a gap) sits a forecast out. */
    @Test
    void aCandidateThatSitsAForecastOutLeavesItsWeightToTheOthersInProportion() {
        double[] w = new double[N];
        w[SEASONAL] = 0.6;
        w[LAST] = 0.3;
        w[LSTM] = 0.1;
        double[][] c = new double[N][];
        c[LAST] = new double[] {10};
        c[LSTM] = new double[] {20};
        // Not 0.3 * 10 + 0.1 * 20 = 5, a forecast short of the weight that sat out.
        assertEquals((0.3 * 10 + 0.1 * 20) / 0.4, Aggregator.mix(w, c, 0), 1e-12);
        c[SEASONAL] = new double[] {30};
        assertEquals(0.6 * 30 + 0.3 * 10 + 0.1 * 20, Aggregator.mix(w, c, 0), 1e-12);

        // The weights a forecast reports are the ones it used.
        float[][] forecast = new float[N][];
        forecast[LAST] = new float[] {10};
        forecast[LSTM] = new float[] {20};
        Aggregator.leaveOut(w, forecast);
        assertEquals(0, w[SEASONAL]);
        assertEquals(0.75, w[LAST], 1e-12);
        assertEquals(0.25, w[LSTM], 1e-12);
    }
}
