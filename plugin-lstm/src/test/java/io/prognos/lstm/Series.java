package io.prognos.lstm;

import io.prognos.api.Reading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

/** Test series: generated ones with known properties, and loaders for the real ones in ../shared/data. */
final class Series {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private Series() {
    }

    static List<Reading> generate(int n, Duration interval, IntToDoubleFunction f) {
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Reading(T0.plus(interval.multipliedBy(i)), f.applyAsDouble(i)));
        }
        return out;
    }

    /** Daily cycle of amplitude 5 around 50 plus Gaussian noise of the given sigma, hourly. */
    static List<Reading> seasonal(int n, double noise, long seed) {
        Random r = new Random(seed);
        return generate(n, Duration.ofHours(1), i -> 50 + 5 * Math.sin(2 * Math.PI * i / 24) + noise * r.nextGaussian());
    }

    /** Shared data folder, or null on a fresh clone without it. */
    static Path sharedData() {
        for (Path p : new Path[] {Path.of("../shared/data"), Path.of("../../shared/data")}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** Reads a timestamp/value CSV with a header; {@code column} is the value column's index. */
    static List<Reading> csv(Path file, String delimiter, int column) throws IOException {
        List<Reading> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).split(delimiter);
            if (parts.length <= column || parts[column].isBlank()) {
                continue;
            }
            Instant t = LocalDateTime.parse(parts[0].trim(), TS).toInstant(ZoneOffset.UTC);
            out.add(new Reading(t, Double.parseDouble(parts[column].trim())));
        }
        return out;
    }
}
