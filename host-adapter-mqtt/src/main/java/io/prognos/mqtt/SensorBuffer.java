package io.prognos.mqtt;

import io.prognos.api.Reading;
import java.util.ArrayList;
import java.util.List;

/** The most recent readings of one sensor in a fixed-size ring: bounded memory whatever the input rate. */
final class SensorBuffer {

    private final Reading[] ring;
    private int next;
    private int size;
    private int sinceForecast;

    SensorBuffer(int capacity) {
        this.ring = new Reading[capacity];
    }

    synchronized void add(Reading r) {
        ring[next] = r;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
        sinceForecast++;
    }

    /** Oldest first. */
    synchronized List<Reading> snapshot() {
        List<Reading> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[(next - size + i + ring.length) % ring.length]);
        }
        return out;
    }

    synchronized int size() {
        return size;
    }

    /** New readings since the last forecast; resets the count when {@code reset}. */
    synchronized int takeNewCount(boolean reset) {
        int n = sinceForecast;
        if (reset) {
            sinceForecast = 0;
        }
        return n;
    }
}
