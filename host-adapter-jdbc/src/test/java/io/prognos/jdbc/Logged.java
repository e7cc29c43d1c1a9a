package io.prognos.jdbc;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** The events a class logs while this is open. */
record Logged(Logger log, ListAppender<ILoggingEvent> events) implements AutoCloseable {
    static Logged by(Class<?> source) {
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Logger log = (Logger) LoggerFactory.getLogger(source);
        log.addAppender(events);
        return new Logged(log, events);
    }

    @Override
    public void close() {
        log.detachAppender(events);
    }
}
