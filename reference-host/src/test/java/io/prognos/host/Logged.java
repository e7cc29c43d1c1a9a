package io.prognos.host;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What a class logs while this is open: for a test that asserts what was told, and how often. */
public final class Logged implements AutoCloseable {

    private final Logger log;
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    private Logged(Class<?> logging) {
        log = (Logger) LoggerFactory.getLogger(logging);
        events.start();
        log.addAppender(events);
    }

    public static Logged by(Class<?> logging) {
        return new Logged(logging);
    }

    /** The events logged at {@code level}, formatted, in order. */
    public List<String> at(Level level) {
        return events.list.stream()
                .filter(e -> e.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Override
    public void close() {
        log.detachAppender(events);
    }
}
