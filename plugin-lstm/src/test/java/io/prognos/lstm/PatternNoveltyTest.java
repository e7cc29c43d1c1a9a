package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape library's edge cases: a history that repeats itself exactly, and damaged bytes. */
class PatternNoveltyTest {

    /** Five days of a noise-free daily pattern, 24 intervals a day, at values no 16-bit step hits exactly. */
    private static double[] noiseFree(int days) {
        double[] v = new double[24 * days];
        for (int i = 0; i < v.length; i++) {
            v[i] = 20.123456789 + (i % 24 >= 9 && i % 24 < 18 ? 55.987654321 : 0) + 0.3 * Math.sin(i % 24);
        }
        return v;
    }

    @Test
    void aNoiseFreeHistoryRepeatedExactlyIsNotNovel() {
        // Its leave-out distance is 0, so the scale falls to its floor; the library is stored rounded
        // to 16-bit steps and live values are not: the rounding alone once scored hundreds of digits
        // (a false alert on NAB's art_daily_no_noise).
        double[] history = noiseFree(5);
        PatternNovelty p = PatternNovelty.fit(List.of(new SeriesPreparer.Segment(0, history)), 12, 1e-9);
        double highest = 0;
        for (int end = 12; end <= history.length; end++) {
            highest = Math.max(highest, p.surprisal(history, end));
        }
        assertTrue(highest < 1, "highest surprisal of the history's own stretches, in digits: " + highest);
        double[] shifted = history.clone();
        for (int i = history.length - 12; i < history.length; i++) {
            shifted[i] -= 10; // a stretch ten units low: new
        }
        double novel = p.surprisal(shifted, shifted.length);
        assertTrue(novel > 3, "a stretch ten units below any seen, in digits: " + novel);
    }

    @Test
    void aLibraryWithAnImpossibleStepIsRefusedAsDamaged() throws IOException {
        PatternNovelty p = PatternNovelty.fit(List.of(new SeriesPreparer.Segment(0, noiseFree(5))), 12, 1e-9);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.write(new DataOutputStream(bytes));
        byte[] damaged = bytes.toByteArray();
        ByteBuffer.wrap(damaged).putDouble(16, Double.NaN); // width, length, low, then the step
        IOException e = assertThrows(
                IOException.class, () -> PatternNovelty.read(new DataInputStream(new ByteArrayInputStream(damaged))));
        assertTrue(e.getMessage().contains("step NaN"), e.getMessage());
    }
}
