package io.prognos.host.core;

import io.prognos.api.BadRequestException;

/**
 * The note a request may give with an alert's close (why: "pump-3 retired", "bearing replaced"),
 * kept with the close and told with it: the {@code alerts} table says when an alert was closed, the
 * note says why, for whoever reads the plant's history later. One line of at most {@link #MAX}
 * characters: it goes into a row, an MQTT message, a Kafka record and a dashboard list.
 */
public final class CloseNote {

    /** A sentence or two; a work order's text belongs in the plant's own system, which the note can name. */
    public static final int MAX = 500;

    private CloseNote() {}

    /** {@code note} when it is one (null when none is given); refused naming the field {@code note} otherwise. */
    public static String check(String note) {
        if (note == null) {
            return null;
        }
        if (note.isBlank()) {
            throw new BadRequestException("note", "note must not be blank when given; leave it out for none");
        }
        if (note.length() > MAX) {
            throw new BadRequestException("note", "note is longer than " + MAX + " characters (" + note.length() + ")");
        }
        for (int i = 0; i < note.length(); i++) {
            if (Character.isISOControl(note.charAt(i))) {
                throw new BadRequestException("note", "note contains a control character at index " + i);
            }
        }
        return note;
    }
}
