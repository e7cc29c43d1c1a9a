package io.prognos.host.core;

import io.prognos.api.BadRequestException;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.RetryLaterException;

/**
 * What counts as the same failure of a sensor, told once while it repeats: the host's cycle and
 * the database poller try a failing sensor again and again (at each reading, at each run), and
 * told each failure once a try, 1,440 lines a day at one reading a minute. The two decided it in
 * two ways, one by the exception's message (whose figures change between tries: the same refusal
 * told anew), one by its class and field (a sensor whose training ran out of heap and then failed
 * its history's query told the second not at all).
 *
 * <ul>
 *   <li>too little history: its class, the count needed and whether pauses are why; the count in
 *       hand grows with every reading and is left out, as are the pauses' count and length, which
 *       the plugin's reason tells (a ten-second sensor pausing 5 minutes every 30, its 30 days sent
 *       in 45 batches, was told in 25 WARN lines, by hand);
 *   <li>any other refusal: its class and the field at fault (its message names the figures that
 *       were wrong, which change with the readings);
 *   <li>a retry later: its class and reason;
 *   <li>anything else (out of heap, a query that failed, a fault in the plugin): its class and the
 *       class and message of its root cause, what failed, the message's figures left out; a
 *       wrapper says where, and may name figures that change between tries (the poller's "tried
 *       again after 2 min", doubling), as may the cause ("Index 7 out of bounds for length 7").
 * </ul>
 */
public record FailureKind(String value) {

    public static FailureKind of(Exception e) {
        String name = e.getClass().getName();
        if (e instanceof InsufficientHistoryException few) {
            return new FailureKind(name + ": needs " + few.needed() + ", pauses " + (few.whyShort() != null));
        }
        if (e instanceof BadRequestException refused) {
            return new FailureKind(name + ": field " + refused.field());
        }
        if (e instanceof RetryLaterException later) {
            return new FailureKind(name + ": " + later.reason());
        }
        Throwable root = rootCause(e);
        String message = root.getMessage() == null ? "" : root.getMessage().replaceAll("[0-9]+", "#");
        return new FailureKind(name + ": " + root.getClass().getName() + ": " + message);
    }

    /** What failed: the innermost cause of {@code e}, or {@code e}. */
    public static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
