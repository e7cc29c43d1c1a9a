package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.WarnStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's start prints logback's status, when it holds a warning, to standard error:
 * on standard output it came before a command's {@code --json} answer (bench-ingest).
 */
class EmbeddedBrokerStatusTest {

    @TempDir
    Path tmp;

    /** In a process of its own, since the status printer is static: a warning, then the broker. */
    public static void main(String[] args) throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getStatusManager().add(new WarnStatus("a warning before the broker starts", context));
        try (EmbeddedBroker broker = EmbeddedBroker.start(Path.of(args[0]), 0)) {
            System.out.println("{\"answer\": 42}");
        }
    }

    @Test
    void logbacksStatusGoesToStandardErrorAndTheOutputStaysTheAnswer() throws Exception {
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EmbeddedBrokerStatusTest.class.getName(),
                        tmp.resolve("broker").toString()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the broker started and stopped");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals("{\"answer\": 42}" + System.lineSeparator(), stdout, "nothing but the answer on standard output");
        assertTrue(stderr.contains("a warning before the broker starts"), "the status is printed, on standard error");
    }
}
