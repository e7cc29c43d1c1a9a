package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class CentreBiasTest {

    @Test
    void theMeanIsOverTheLastTwelveErrorsAndNoneBefore() {
        CentreBias b = new CentreBias();
        for (int i = 1; i <= 11; i++) {
            b.add(1.0);
        }
        assertEquals(0, b.mean(), "eleven errors: none yet");
        b.add(1.0);
        assertEquals(1.0, b.mean(), 1e-12);
        for (int i = 0; i < 6; i++) {
            b.add(-1.0);
        }
        assertEquals(0, b.mean(), 1e-12, "six of the oldest gone");
        b.clear();
        assertEquals(0, b.mean(), "another model: afresh");
    }

    @Test
    void itIsStoredOldestFirstAndReadBackTheSame() throws IOException {
        CentreBias b = new CentreBias();
        for (int i = 0; i < 17; i++) {
            b.add(i);
        }
        CentreBias read = roundTrip(b);
        assertEquals(b.mean(), read.mean(), 1e-12);
        assertEquals((5 + 16) / 2.0, read.mean(), 1e-12);
        read.add(100);
        b.add(100);
        assertEquals(b.mean(), read.mean(), 1e-12, "the oldest is the same one");
        CentreBias few = new CentreBias();
        few.add(3);
        CentreBias fewRead = roundTrip(few);
        for (int i = 0; i < 11; i++) {
            fewRead.add(3);
        }
        assertEquals(3, fewRead.mean(), 1e-12, "a part-filled ring goes on filling");
    }

    @Test
    void aDamagedStateIsRefused() throws IOException {
        byte[] bytes = StoredForm.bytes(out -> out.writeInt(13));
        IOException e = assertThrows(IOException.class, () -> read(bytes));
        assertTrue(e.getMessage().contains("13"), e.getMessage());
        byte[] nan = StoredForm.bytes(out -> {
            out.writeInt(1);
            out.writeDouble(Double.NaN);
        });
        assertThrows(IOException.class, () -> read(nan));
    }

    private static CentreBias roundTrip(CentreBias b) throws IOException {
        return read(StoredForm.bytes(b::write));
    }

    private static CentreBias read(byte[] bytes) throws IOException {
        return CentreBias.read(StoredForm.in(bytes));
    }
}
