package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DataArraysTest {

    @Test
    void arraysComeBackAsWritten() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        DataArrays.writeDoubles(out, new double[] {1.5, Double.NaN, -0.0});
        DataArrays.writeFloats(out, new float[] {2.5f});
        DataArrays.writeDoubles(out, new double[0]);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));

        assertArrayEquals(new double[] {1.5, Double.NaN, -0.0}, DataArrays.readDoubles(in));
        assertArrayEquals(new float[] {2.5f}, DataArrays.readFloats(in));
        assertEquals(0, DataArrays.readDoubles(in).length);
        assertEquals(-1, in.read());
    }

    @Test
    void aDamagedLengthIsAnErrorNamingItNotAnAllocation() throws IOException {
        for (int length : new int[] {-1, 1 << 30}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            new DataOutputStream(bytes).writeInt(length);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));

            IOException e = assertThrows(IOException.class, () -> DataArrays.readDoubles(in));
            assertTrue(e.getMessage().contains("implausible size " + length), e.getMessage());
        }
    }

    @Test
    void aSkippedArrayLeavesTheNextOneInPlaceAndACutOneIsAnError() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        DataArrays.writeDoubles(out, new double[] {1, 2, 3});
        DataArrays.writeDoubles(out, new double[] {4});
        byte[] all = bytes.toByteArray();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));

        assertEquals(3, DataArrays.skipDoubles(in));
        assertArrayEquals(new double[] {4}, DataArrays.readDoubles(in));

        DataInputStream cut = new DataInputStream(new ByteArrayInputStream(all, 0, 4 + 2 * Double.BYTES));
        assertThrows(IOException.class, () -> DataArrays.skipDoubles(cut));
    }
}
