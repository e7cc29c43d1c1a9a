package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.SensorId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SensorFaultsTest {

    private static final SensorId A = SensorId.of("line-1", "temp");
    private static final SensorId B = SensorId.of("line-2", "temp");

    /** A fault is told once per sensor while it repeats, with its trace; again when it changes or after the sensor recovered. */
    @Test
    void aRepeatedFaultIsToldOncePerSensorAndAgainWhenItChangesOrAfterRecovery() {
        Logger log = (Logger) LoggerFactory.getLogger(SensorFaultsTest.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try {
            SensorFaults faults = new SensorFaults(log);
            for (int i = 0; i < 5; i++) {
                faults.fault(A, "model work for {} failed", new NullPointerException("at reading " + i));
            }
            faults.fault(B, "model work for {} failed", new NullPointerException("at reading 0"));
            faults.fault(A, "model work for {} failed", new ArithmeticException("/ by zero"));
            faults.handled(A);
            faults.fault(A, "model work for {} failed", new ArithmeticException("/ by zero"));
            faults.handled(B);
            List<ILoggingEvent> errors = events.list.stream()
                    .filter(e -> e.getLevel() == Level.ERROR)
                    .toList();
            assertEquals(
                    List.of(
                            "model work for line-1/temp failed (told once while it repeats) NullPointerException",
                            "model work for line-2/temp failed (told once while it repeats) NullPointerException",
                            "model work for line-1/temp failed (told once while it repeats) ArithmeticException",
                            "model work for line-1/temp failed (told once while it repeats) ArithmeticException"),
                    errors.stream()
                            .map(e -> e.getFormattedMessage() + " "
                                    + e.getThrowableProxy().getClassName().replace("java.lang.", ""))
                            .toList());
        } finally {
            log.detachAppender(events);
        }
    }
}
