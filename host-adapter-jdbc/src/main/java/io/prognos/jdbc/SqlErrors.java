package io.prognos.jdbc;

import io.prognos.api.ConfigProblem;
import io.prognos.api.RetryLaterException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Optional;

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

    /** SQLState class 22: the driver could not convert a row's value (text that is no number or time). */
    static boolean isDataException(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    /**
     * The server's refusal of this login, which trying again does not change, as the key to mend:
     * a wrong password (28P01), a user it does not let in (28000), a database that does not exist
     * (3D000). Until checked at start, a host so configured started, waited for a database that would
     * never take it, and said only "Connection is not available, request timed out".
     */
    static Optional<ConfigProblem> refusedLogin(Throwable failure, boolean passwordSet) {
        Optional<ConfigProblem> tls = refusedTls(failure);
        if (tls.isPresent()) {
            return tls;
        }
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException e && e.getSQLState() != null) {
                // The driver's own message, under the pool's "Connection is not available", which
                // carries the driver's SQLState.
                String message = e.getMessage();
                for (Throwable d = e.getCause(); d != null && d != d.getCause(); d = d.getCause()) {
                    if (d instanceof SQLException inner && e.getSQLState().equals(inner.getSQLState())) {
                        message = inner.getMessage();
                    }
                }
                String why = message + " (SQLState " + e.getSQLState() + ")";
                switch (e.getSQLState()) {
                    case "28P01":
                        return Optional.of(new ConfigProblem(passwordSet ? "jdbc.password" : "jdbc.url", why));
                    case "28000":
                        return Optional.of(new ConfigProblem("jdbc.user", why));
                    case "3D000":
                        return Optional.of(new ConfigProblem("jdbc.url", why));
                    case "08004":
                        // The driver's "the server requested ... authentication, but no password was
                        // provided": taken for an outage, the host waited 10 s at each of its first
                        // steps and said only that no connection was available.
                        if (!passwordSet && message.contains("no password was provided")) {
                            return Optional.of(new ConfigProblem(
                                    "jdbc.password", why + "; give jdbc.password, or password= in jdbc.url"));
                        }
                        // sslmode=require (or verify-) in the URL, a server without TLS: the same wait.
                        if (message.contains("does not support SSL")) {
                            return Optional.of(new ConfigProblem(
                                    "jdbc.url",
                                    why + "; the server takes no TLS: drop sslmode from jdbc.url, or turn ssl on at"
                                            + " the server"));
                        }
                        break;
                    default:
                        break;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * A TLS connection the driver could not make for want of what only the configuration gives: a
     * server certificate that no CA it was given signed, or that is made out to another host
     * ({@code sslmode=verify-ca}, {@code verify-full}), or a root certificate file it cannot read.
     * Each was waited for as an outage, saying only that no connection was available.
     */
    private static Optional<ConfigProblem> refusedTls(Throwable failure) {
        String innermost = null;
        boolean tls = false;
        for (Throwable c = failure; c != null && c != c.getCause(); c = c.getCause()) {
            // Certificates only: a TLS connection reset on its way is an outage like any other.
            tls |= c instanceof CertificateException
                    || c instanceof CertPathBuilderException
                    || c instanceof CertPathValidatorException
                    || (c.getMessage() != null
                            && (c.getMessage().contains("SSL root certificate")
                                    || c.getMessage().contains("could not be verified by hostnameverifier")));
            if (c.getMessage() != null) {
                innermost = c.getMessage();
            }
        }
        if (!tls) {
            return Optional.empty();
        }
        return Optional.of(new ConfigProblem(
                "jdbc.url",
                "the TLS connection to the database failed (" + innermost + "): give the CA certificate that"
                        + " signed the server's as sslrootcert=FILE in jdbc.url, and for sslmode=verify-full the"
                        + " host name it is made out to"));
    }

    /**
     * The driver says only "An I/O error occurred while sending to the backend" when the server did
     * not answer within the socket timeout; the cause that says so is a level further down.
     */
    private static String unanswered(SQLException e) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException) {
                return " (no answer within jdbc.socket-timeout)";
            }
        }
        return "";
    }

    /** RetryLaterException when the database is unavailable, IllegalStateException otherwise. */
    public static RuntimeException translate(String what, SQLException e) {
        return translate(what, e, "");
    }

    /**
     * {@link #translate} for a change a user asked for and is told the outcome of. A server that did
     * not answer in time still holds the statement and makes the change when it answers again (seen
     * with a limits PUT: a 503, and the new limits in the table 15 s later), so the user is told.
     */
    public static RuntimeException translateChange(String what, SQLException e) {
        return translate(what, e, "; the change may yet be made when the database answers: send it again");
    }

    private static RuntimeException translate(String what, SQLException e, String ifUnanswered) {
        if (isUnavailable(e)) {
            String unanswered = unanswered(e);
            return RetryLaterException.storeUnavailable(
                    what + ": " + e.getMessage() + unanswered + (unanswered.isEmpty() ? "" : ifUnanswered), e);
        }
        return new IllegalStateException(what + " failed (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }
}
