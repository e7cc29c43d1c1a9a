package io.prognos.evaluation.data;

import io.prognos.host.core.wire.Timestamps;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/**
 * Reads one CSV file's timestamp cells, line after line: the forms {@link Timestamps} reads
 * (ISO-8601, epoch numbers), or the file's own pattern ({@code dd.MM.yyyy HH:mm}, as a spreadsheet
 * in a German locale writes dates); a time written without a zone is in the file's zone.
 *
 * <p>An export in local time writes the hour that the autumn clock change repeats twice with the
 * same local times. Read at the earlier offset both times, the second hour would land on the first
 * and the readings after it an hour apart from their predecessors; so a local time that would not
 * move the file forward is read at the later offset where the zone has two (files run forward in
 * time; a repeated time outside a clock change stays as it is, a duplicate).
 */
final class TimestampCells {

    private final DateTimeFormatter format;
    private final ZoneId zone;
    private Instant previous;

    /** {@code format} null: the forms {@link Timestamps} reads. */
    TimestampCells(DateTimeFormatter format, ZoneId zone) {
        this.format = format;
        this.zone = zone;
    }

    /**
     * @throws java.time.DateTimeException for a cell that is no time in the expected form
     * @throws IllegalArgumentException for a negative epoch number
     */
    Instant next(String cell) {
        Instant t;
        boolean local;
        if (format == null) {
            local = !Timestamps.isAbsolute(cell);
            t = Timestamps.parse(cell, zone);
        } else {
            TemporalAccessor parsed = parse(cell, format);
            local = !(parsed instanceof ZonedDateTime);
            t = instant(parsed, zone);
        }
        if (local && previous != null && !t.isAfter(previous)) {
            t = t.atZone(zone).withLaterOffsetAtOverlap().toInstant();
        }
        previous = t;
        return t;
    }

    /**
     * One cell on its own, in {@code format} (null: the forms {@link Timestamps} reads), a time
     * without a zone in {@code zone}; of the two times a clock change repeats, the earlier.
     */
    static Instant parse(String cell, DateTimeFormatter format, ZoneId zone) {
        return format == null ? Timestamps.parse(cell, zone) : instant(parse(cell, format), zone);
    }

    private static TemporalAccessor parse(String cell, DateTimeFormatter format) {
        return format.parseBest(cell.trim(), ZonedDateTime::from, LocalDateTime::from, LocalDate::from);
    }

    /** A cell read in a pattern as an instant: a time without a zone in {@code zone}, a date at its start. */
    private static Instant instant(TemporalAccessor parsed, ZoneId zone) {
        return parsed instanceof ZonedDateTime z
                ? z.toInstant()
                : parsed instanceof LocalDateTime l
                        ? l.atZone(zone).toInstant()
                        : ((LocalDate) parsed).atStartOfDay(zone).toInstant();
    }
}
