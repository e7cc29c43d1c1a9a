package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.InvalidConfigurationException;
import io.prognos.host.HostFixture;
import io.prognos.jdbc.JdbcAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL is this host's alone: a password, no world-reachable socket, one host per directory. */
class EmbeddedDatabaseTest {

    private static int one(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String withoutPassword(String url) {
        return url.replaceAll("&password=[^&]*", "");
    }

    @Test
    void onlyThisHostGetsInAndASecondHostOnTheDirectoryIsRefused() throws Exception {
        Path dir = HostFixture.dataDir();
        int port;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertEquals(1, one(db.jdbcUrl()));
            var refused = assertThrows(SQLException.class, () -> one(withoutPassword(db.jdbcUrl())));
            assertTrue(
                    refused.getMessage().contains("SCRAM"), "the server demands a password: " + refused.getMessage());
            var guessed = assertThrows(
                    SQLException.class, () -> one(db.jdbcUrl().replaceAll("password=[^&]*", "password=guess")));
            assertEquals("28P01", guessed.getSQLState(), guessed.getMessage());

            port = Integer.parseInt(db.jdbcUrl().replaceAll(".*localhost:(\\d+)/.*", "$1"));
            Path sockets = dir.resolve("postgres-socket");
            assertTrue(Files.exists(sockets.resolve(".s.PGSQL." + port)), "the socket lives in the data directory");
            assertFalse(Files.exists(Path.of("/tmp/.s.PGSQL." + port)), "and not in /tmp");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets)));
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("postgres.password"))));

            var second = assertThrows(InvalidConfigurationException.class, () -> EmbeddedDatabase.start(dir));
            assertEquals("prognos.data-dir", second.problems().get(0).key(), second.getMessage());
            assertTrue(second.getMessage().contains("in use by another Prognos host"), second.getMessage());
            assertEquals(1, one(db.jdbcUrl()), "the first host's database is untouched");
        }
        // A restart authenticates with the stored password from the first connection on.
        try (EmbeddedDatabase again = EmbeddedDatabase.start(dir)) {
            assertEquals(1, one(again.jdbcUrl()));
            assertThrows(SQLException.class, () -> one(withoutPassword(again.jdbcUrl())));
        }
    }

    /** A login the database refuses never heals by waiting: the adapter's start names the key to mend. */
    @Test
    void aLoginTheDatabaseRefusesStopsTheAdapterStartNamingTheKey() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(HostFixture.dataDir())) {
            Map<String, String> wrongPassword = Map.of(
                    "jdbc.url", withoutPassword(db.jdbcUrl()),
                    "jdbc.password", "guess",
                    "jdbc.connect-timeout", "2s");
            var e = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(wrongPassword));
            assertEquals("jdbc.password", e.problems().get(0).key(), e.getMessage());
            assertTrue(e.getMessage().contains("28P01"), e.getMessage());
            assertFalse(e.getMessage().contains("guess"), "no password in the message: " + e.getMessage());

            Map<String, String> noSuchDatabase = Map.of(
                    "jdbc.url", db.jdbcUrl().replace("/postgres?", "/no_such_db?"), "jdbc.connect-timeout", "2s");
            var missing = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(noSuchDatabase));
            assertEquals("jdbc.url", missing.problems().get(0).key(), missing.getMessage());
            assertTrue(missing.getMessage().contains("no_such_db"), missing.getMessage());

            // No password at all, where the server asks for one: the key to give, not an outage.
            Map<String, String> noPassword =
                    Map.of("jdbc.url", withoutPassword(db.jdbcUrl()), "jdbc.connect-timeout", "2s");
            var none = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(noPassword));
            assertEquals("jdbc.password", none.problems().get(0).key(), none.getMessage());
            assertTrue(none.getMessage().contains("no password was provided."), none.getMessage());
            assertTrue(none.getMessage().contains("(SQLState 08004); give jdbc.password"), none.getMessage());

            // TLS asked of a server without it: the URL to mend, not an outage.
            Map<String, String> tls =
                    Map.of("jdbc.url", db.jdbcUrl() + "&sslmode=require", "jdbc.connect-timeout", "2s");
            var noTls = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(tls));
            assertEquals("jdbc.url", noTls.problems().get(0).key(), noTls.getMessage());
            assertTrue(noTls.getMessage().contains("the server takes no TLS"), noTls.getMessage());

            // The right login still starts.
            JdbcAdapter.start(Map.of("jdbc.url", db.jdbcUrl())).close();
        }
    }

    @Test
    void aNewDataDirectoryNeverLetsAnyoneInWithoutThePassword() throws Exception {
        Path dir = HostFixture.dataDir();
        int port = HostFixture.freePort();
        // A local user who tries all the time while the host makes its database: with initdb's
        // trust rules the server let anyone in as superuser until the host had set a password.
        String url = "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&connectTimeout=1";
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger refusals = new AtomicInteger();
        AtomicReference<String> gotIn = new AtomicReference<>();
        Thread intruder = new Thread(() -> {
            while (!done.get() && gotIn.get() == null) {
                try {
                    one(url);
                    gotIn.set("connected without a password");
                } catch (SQLException e) {
                    if (e.getMessage().contains("SCRAM") || "28P01".equals(e.getSQLState())) {
                        refusals.incrementAndGet();
                    }
                }
                // About 100 tries a second: enough for the second-long window the old code left, without
                // one of the two cores spinning while initdb runs.
                pause(10);
            }
        });
        intruder.start();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, port)) {
            assertEquals(1, one(db.jdbcUrl()));
        } finally {
            done.set(true);
            intruder.join();
        }
        assertNull(gotIn.get());
        assertTrue(refusals.get() > 0, "the intruder reached the running server and was refused");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
