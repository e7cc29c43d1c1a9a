package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The anomaly baseline's bytes: read back the same, and a damaged position refused at the read. */
class AnomalyStatsTest {

    @Test
    void itIsReadBackTheSameAndScoresOnAlike() throws IOException {
        AnomalyStats stats = new AnomalyStats(3, 0.5);
        for (int i = 0; i < 100; i++) {
            stats.score(i % 7 == 0 ? 4 : 0.3);
        }
        AnomalyStats read = AnomalyStats.read(in(bytes(stats)));
        assertEquals(Arrays.toString(bytes(stats)), Arrays.toString(bytes(read)));
        for (double surprisal : new double[] {0.2, 30, 30, 0.1}) {
            assertEquals(stats.score(surprisal), read.score(surprisal), 0, "the same window and baseline");
        }
    }

    @Test
    void aWindowPositionPastTheWindowIsRefusedAtTheRead() throws IOException {
        AnomalyStats stats = new AnomalyStats(3, 0.5);
        stats.score(1);
        byte[] b = bytes(stats);
        int position = 4 + 3 * 8; // after the window's length and its three values
        for (int bad : new int[] {3, -1}) {
            byte[] damaged = b.clone();
            writeInt(damaged, position, bad);
            IOException e = assertThrows(IOException.class, () -> AnomalyStats.read(in(damaged)));
            assertTrue(e.getMessage().contains("position " + bad), e.getMessage());
        }
        byte[] overfilled = b.clone();
        writeInt(overfilled, position + 4, 4);
        assertThrows(IOException.class, () -> AnomalyStats.read(in(overfilled)));
        byte[] notFinite = b.clone();
        long nan = Double.doubleToLongBits(Double.NaN);
        writeInt(notFinite, position + 8, (int) (nan >>> 32));
        writeInt(notFinite, position + 12, (int) nan);
        IOException e = assertThrows(IOException.class, () -> AnomalyStats.read(in(notFinite)));
        assertTrue(e.getMessage().contains("percentile"), e.getMessage());
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static byte[] bytes(AnomalyStats s) throws IOException {
        return StoredForm.bytes(s::write);
    }

    private static DataInputStream in(byte[] b) {
        return StoredForm.in(b);
    }
}
