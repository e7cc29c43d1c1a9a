package io.prognos.api;

/**
 * A model as a {@link ModelStore} keeps it: its metadata and its opaque bytes. The bytes carry
 * their own format version and checksum; {@code checksum} repeats it so a store can verify a
 * row without understanding the format.
 */
public record StoredModel(ModelInfo info, byte[] bytes, String checksum) {

    public StoredModel {
        if (info == null || bytes == null || checksum == null) {
            throw new IllegalArgumentException("info, bytes and checksum are required");
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public SensorId sensor() {
        return info.sensor();
    }
}
