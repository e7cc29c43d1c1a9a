package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class MovingMeanTest {

    @Test
    void theMeanIsOverTheLastValuesHeld() {
        MovingMean m = new MovingMean(3);
        assertTrue(Double.isNaN(m.mean()), "none held");
        m.add(2);
        m.add(4);
        assertEquals(3, m.mean(), 1e-12, "two of three held");
        for (int v = 1; v <= 5; v++) {
            m.add(v);
        }
        assertEquals(4, m.mean(), 1e-12, "3, 4 and 5: the older ones gone");
        assertEquals(3, m.size());
        m.clear();
        m.add(7);
        assertEquals(7, m.mean(), 1e-12, "afresh after a clear");
    }

    @Test
    void theOldestComesFirst() {
        MovingMean m = new MovingMean(3);
        for (int v = 1; v <= 5; v++) {
            m.add(v);
        }
        assertEquals(3, m.oldest(0));
        assertEquals(4, m.oldest(1));
        assertEquals(5, m.oldest(2));
        MovingMean few = new MovingMean(3);
        few.add(8);
        few.add(9);
        assertEquals(8, few.oldest(0));
        assertEquals(9, few.oldest(1));
    }

    /** The ring's form is the anomaly baseline's window as earlier releases stored it. */
    @Test
    void theRingIsStoredSlotBySlotAndReadBackTheSame() throws IOException {
        MovingMean m = new MovingMean(3);
        for (double v : new double[] {0.1, 0.7, 0.3, 0.9}) {
            m.add(v);
        }
        byte[] expected = StoredForm.bytes(out -> {
            out.writeInt(3);
            out.writeDouble(0.9); // the fourth value took the oldest slot
            out.writeDouble(0.7);
            out.writeDouble(0.3);
            out.writeInt(1);
            out.writeInt(3);
        });
        assertArrayEquals(expected, bytes(m));
        MovingMean read = read(bytes(m));
        assertArrayEquals(bytes(m), bytes(read));
        assertEquals(m.mean(), read.mean(), 0, "the same to the bit");
        m.add(0.5);
        read.add(0.5);
        assertEquals(m.mean(), read.mean(), 0, "and goes on alike");
    }

    @Test
    void aDamagedRingIsRefusedNamingWhatItHolds() throws IOException {
        byte[] good = bytes(new MovingMean(2));
        byte[] empty = good.clone();
        empty[3] = 0;
        IOException e = assertThrows(IOException.class, () -> read(empty));
        assertTrue(e.getMessage().contains("length 0 of the test ring"), e.getMessage());
        byte[] pastEnd = good.clone();
        pastEnd[4 + 2 * 8 + 3] = 2;
        e = assertThrows(IOException.class, () -> read(pastEnd));
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
        byte[] overfull = good.clone();
        overfull[4 + 2 * 8 + 4 + 3] = 3;
        e = assertThrows(IOException.class, () -> read(overfull));
        assertTrue(e.getMessage().contains("count 3"), e.getMessage());
        byte[] notFinite = good.clone();
        notFinite[4] = 0x7f;
        notFinite[5] = (byte) 0xf8;
        e = assertThrows(IOException.class, () -> read(notFinite));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }

    private static byte[] bytes(MovingMean m) throws IOException {
        return StoredForm.bytes(m::writeRing);
    }

    private static MovingMean read(byte[] bytes) throws IOException {
        return MovingMean.readRing(StoredForm.in(bytes), 100, "the test ring");
    }
}
