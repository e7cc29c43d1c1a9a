package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.prognos.api.BadRequestException;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureKindTest {

    private static final SensorId S = SensorId.of("line-1", "temp");

    /** A sensor's failure repeated with other figures is told once; another failure is told again. */
    @Test
    void theSameFailureWithOtherFiguresIsOneKindAndAnotherFailureIsAnother() {
        assertEquals(kind(few(65, 40, null)), kind(few(65, 52, null)), "readings in hand grow");
        assertEquals(kind(few(65, 40, "3 pauses over 1 h")), kind(few(65, 40, "4 pauses over 2 h")));
        assertNotEquals(kind(few(65, 40, null)), kind(few(65, 40, "3 pauses over 1 h")), "pauses are why");
        assertNotEquals(kind(few(65, 40, null)), kind(few(130, 40, null)), "needs more");

        assertEquals(
                kind(new BadRequestException("interval", "1s is finer than the readings' 9.8 s")),
                kind(new BadRequestException("interval", "1s is finer than the readings' 10.1 s")));
        assertNotEquals(
                kind(new BadRequestException("interval", "too fine")),
                kind(new BadRequestException("options", "too fine")));

        assertNotEquals(
                kind(later(RetryLaterException.Reason.CAPACITY)), kind(later(RetryLaterException.Reason.MODEL_BUSY)));

        ArithmeticException fault = new ArithmeticException("/ by zero");
        assertEquals(
                kind(new IllegalStateException("its training failed; tried again after 1 min", fault)),
                kind(new IllegalStateException("its training failed; tried again after 2 min", fault)),
                "what failed, not the wrapper's figures");
        assertNotEquals(
                kind(new IllegalStateException("its training failed", fault)),
                kind(new IllegalStateException("its training failed", new OutOfMemoryError("Java heap space"))),
                "out of heap after a fault is told");
        assertEquals(
                kind(new IndexOutOfBoundsException("Index 5 out of bounds for length 5")),
                kind(new IndexOutOfBoundsException("Index 17 out of bounds for length 17")));
        assertNotEquals(kind(new IllegalStateException("a")), kind(new IllegalStateException("b")));
    }

    private static FailureKind kind(Exception e) {
        return FailureKind.of(e);
    }

    private static InsufficientHistoryException few(int needed, int available, String whyShort) {
        return new InsufficientHistoryException(S, needed, available, "training", "", whyShort);
    }

    private static RetryLaterException later(RetryLaterException.Reason reason) {
        return new RetryLaterException(reason, "later", Duration.ofMinutes(1), null);
    }
}
