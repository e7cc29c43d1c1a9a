package io.prognos.host.core.wire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one reading of a reading's time, for payloads ({@link ReadingParser}) and CSV files alike.
 */
public final class Timestamps {

    private static final Pattern EPOCH = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern ZONED = Pattern.compile(".*([zZ]|[+-]\\d\\d:?\\d\\d)$");

    private Timestamps() {}

    /**
     * An epoch number ({@link #epoch}), or an ISO-8601 / RFC 3339 date-time with a zone ({@code Z}
     * or an offset; a space for the {@code T} too). One without a zone is UTC when {@code
     * unzonedIsUtc} (a CSV file, whose every line is the same) and otherwise refused: a device's
     * local time taken as UTC would be hours off.
     *
     * @throws DateTimeParseException for text that is no date-time
     * @throws IllegalArgumentException for one without a zone that is not taken as UTC, or a
     *     negative epoch number
     */
    public static Instant parse(String text, boolean unzonedIsUtc) {
        return parse(text, unzonedIsUtc ? ZoneOffset.UTC : null);
    }

    /**
     * As {@link #parse(String, boolean)}, a time without a zone read in {@code unzoned} (null:
     * refused). Of the two times a clock change repeats, the earlier is taken.
     */
    public static Instant parse(String text, ZoneId unzoned) {
        String t = text.trim();
        if (EPOCH.matcher(t).matches()) {
            return epoch(new BigDecimal(t));
        }
        String iso = t.replace(' ', 'T');
        if (ZONED.matcher(t).matches()) {
            return OffsetDateTime.parse(iso.toUpperCase(Locale.ROOT)).toInstant();
        }
        LocalDateTime local = LocalDateTime.parse(iso);
        if (unzoned == null) {
            throw new IllegalArgumentException(
                    "'" + text + "' has no time zone: add Z for UTC or an offset such as +01:00");
        }
        return local.atZone(unzoned).toInstant();
    }

    /** Whether {@code text} says its own instant: an epoch number or a date-time with a zone. */
    public static boolean isAbsolute(String text) {
        String t = text.trim();
        return EPOCH.matcher(t).matches() || ZONED.matcher(t).matches();
    }

    /**
     * An epoch number as a time, in whichever unit it is in: seconds (Unix time, what many devices
     * send, also with a fraction), milliseconds, microseconds or nanoseconds, told apart by size.
     * Read as milliseconds, a time in seconds was in January 1970. The sizes do not overlap for any
     * time after 3 March 1973 (1e11 seconds is the year 5138).
     *
     * @throws IllegalArgumentException for a negative number
     */
    public static Instant epoch(BigDecimal v) {
        if (v.signum() < 0) {
            throw new IllegalArgumentException("a negative epoch time: " + v.toPlainString());
        }
        double size = v.doubleValue();
        int decimals = size < 1e11 ? 0 : size < 1e14 ? 3 : size < 1e17 ? 6 : 9;
        BigDecimal seconds = v.movePointLeft(decimals);
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole)
                .movePointRight(9)
                .setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }
}
