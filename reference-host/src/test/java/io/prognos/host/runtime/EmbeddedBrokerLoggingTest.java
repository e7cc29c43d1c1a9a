package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker leaves the host's logging as the operator configured it: HiveMQ's logging
 * bootstrap replaced it with a configuration of its own when the broker started (an operator's
 * {@code -Dlogback.configurationFile}, to log to a file say, was in force only until then), and
 * printed logback's status on standard output, before a command's {@code --json} answer.
 */
class EmbeddedBrokerLoggingTest {

    @TempDir
    Path tmp;

    /** In a process of its own, since logging is configured once per process: the broker, then a log line. */
    public static void main(String[] args) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Path.of(args[0]), 0)) {
            LoggerFactory.getLogger("io.prognos.test").warn("logged once the broker runs");
            System.out.println("{\"answer\": 42}");
        }
    }

    @Test
    void theOperatorsLoggingStaysInForceAndTheOutputStaysTheAnswer() throws Exception {
        Path logback = tmp.resolve("operator-logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="E" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>OPERATOR %level %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="E"/></root>
                </configuration>
                """);
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dlogback.configurationFile=" + logback,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EmbeddedBrokerLoggingTest.class.getName(),
                        tmp.resolve("broker").toString()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the broker started and stopped");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals("{\"answer\": 42}" + System.lineSeparator(), stdout, "nothing but the answer on standard output");
        assertTrue(stderr.contains("OPERATOR WARN logged once the broker runs"), stderr);
    }
}
