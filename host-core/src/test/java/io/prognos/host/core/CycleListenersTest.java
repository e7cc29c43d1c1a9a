package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CycleListenersTest {

    private static final SensorId S = SensorId.of("line-1", "temp");

    /**
     * A listener that fails at every call does not stop the others, and is told once while it
     * repeats (it was told with its trace at every reading); again once it has succeeded since.
     */
    @Test
    void aFailingListenerIsToldOnceWhileItRepeatsAndTheOthersStillHear() {
        boolean[] broken = {true};
        List<Reading> heard = new ArrayList<>();
        SensorCycle.Listener failing = new SensorCycle.Listener() {
            @Override
            public void readings(SensorId sensor, List<Reading> readings) {
                if (broken[0]) {
                    throw new IllegalStateException("simulated: publishing reading " + readings.size());
                }
            }
        };
        SensorCycle.Listener healthy = new SensorCycle.Listener() {
            @Override
            public void readings(SensorId sensor, List<Reading> readings) {
                heard.addAll(readings);
            }
        };
        CycleListeners listeners = new CycleListeners().add(failing).add(healthy);
        Logger log = (Logger) LoggerFactory.getLogger(CycleListeners.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try {
            for (int i = 1; i <= 5; i++) {
                listeners.readings(S, List.of(new Reading(Instant.ofEpochSecond(i), i)));
            }
            broken[0] = false;
            listeners.readings(S, List.of(new Reading(Instant.ofEpochSecond(6), 6)));
            broken[0] = true;
            listeners.readings(S, List.of(new Reading(Instant.ofEpochSecond(7), 7)));
        } finally {
            log.detachAppender(events);
        }
        assertEquals(7, heard.size(), "the healthy listener heard every reading");
        List<String> errors = events.list.stream()
                .filter(e -> e.getLevel() == Level.ERROR)
                .map(e -> e.getFormattedMessage() + " " + e.getThrowableProxy().getMessage())
                .toList();
        assertEquals(2, errors.size(), "once, and again after a success: " + errors);
    }
}
