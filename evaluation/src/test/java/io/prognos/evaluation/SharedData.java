package io.prognos.evaluation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real series in {@code ../shared/data}. A fresh clone has no such folder: tests that need it
 * are skipped with a message. Where the folder exists, a missing file is a failure, not a skip: a
 * test must never pass because its data went away.
 */
public final class SharedData {

    private SharedData() {}

    /** The data folder, or null without one. */
    public static Path root() {
        for (Path p : new Path[] {Path.of("../shared/data"), Path.of("../../shared/data")}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** {@code relative} inside the data folder: skips the test without the folder, fails when the file is missing. */
    public static Path require(String relative) {
        Path root = root();
        assumeTrue(root != null, "../shared/data is absent (fresh clone): skipped, needs " + relative);
        Path p = root.resolve(relative);
        assertTrue(Files.exists(p), "../shared/data exists but " + relative + " is missing");
        return p;
    }
}
