package io.prognos.host.core.wire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * An epoch number as a time, in whichever unit it is in: seconds (Unix time, what many devices
 * send, also with a fraction), milliseconds, microseconds or nanoseconds, told apart by size. Read
 * as milliseconds, a time in seconds was in January 1970. The sizes do not overlap for any time
 * after 3 March 1973 (1e11 seconds is the year 5138). The one reading of epoch numbers, for
 * payloads ({@link ReadingParser}) and CSV files alike.
 */
public final class EpochTime {

    private EpochTime() {}

    /** Throws {@link IllegalArgumentException} for a negative number. */
    public static Instant of(BigDecimal v) {
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
