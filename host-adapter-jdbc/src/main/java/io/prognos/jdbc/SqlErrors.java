package io.prognos.jdbc;

import io.prognos.api.RetryLaterException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Sorts SQL failures into "the database is unavailable, try again" and "this is a bug". Messages
 * never include the JDBC URL or credentials: the driver's message names neither.
 */
public final class SqlErrors {

    private SqlErrors() {}

    /**
     * Connection failures (SQLState class 08), shutdowns (57P0x), resource limits (53xxx), timeouts,
     * and errors without an SQLState: the server gives every error it reports a state, so one without
     * comes from the connection plumbing (HikariCP's "Connection is closed" after a restart).
     */
    static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        return state == null
                || e instanceof SQLTransientException
                || e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")))
                || (e.getCause() instanceof SQLException c && c != e && isUnavailable(c));
    }

    /** RetryLaterException when the database is unavailable, IllegalStateException otherwise. */
    public static RuntimeException translate(String what, SQLException e) {
        if (isUnavailable(e)) {
            return RetryLaterException.storeUnavailable(what + ": " + e.getMessage(), e);
        }
        return new IllegalStateException(what + " failed (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }
}
