package io.prognos.lstm;

import io.prognos.api.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

/** Test series: generated ones with known properties, and loaders for the real ones in ../shared/data. */
final class Series {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private Series() {}

    static List<Reading> generate(int n, Duration interval, IntToDoubleFunction f) {
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Reading(T0.plus(interval.multipliedBy(i)), f.applyAsDouble(i)));
        }
        return out;
    }

    /** Daily cycle of amplitude 5 around 50 plus Gaussian noise of the given sigma, hourly. */
    static List<Reading> seasonal(int n, double noise, long seed) {
        return daily(n, 50, 5, noise, seed);
    }

    /** A daily sine of that amplitude around {@code level} plus Gaussian noise of sigma {@code noise}, hourly. */
    static List<Reading> daily(int n, double level, double amplitude, double noise, long seed) {
        Random r = new Random(seed);
        return generate(
                n,
                Duration.ofHours(1),
                i -> level + amplitude * Math.sin(2 * Math.PI * i / 24) + noise * r.nextGaussian());
    }
}
