package io.prognos.host.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (zonky's binaries) whose data directory survives restarts, closed to everyone
 * but this host: TCP on loopback only with password authentication (scram-sha-256, a generated
 * password kept in the data directory with mode 0600), its Unix socket in a 0700 directory inside
 * the data directory instead of {@code /tmp}. zonky's {@code initdb} trusts every local
 * connection, and a local user once became superuser through the socket in {@code /tmp}; later,
 * for about a second after a new data directory's first start, through TCP on loopback.
 *
 * <p>The data directory is locked for the life of the host: a second host on the same directory
 * is refused before it touches anything, and a PostgreSQL left running by a host that was killed
 * is stopped only once the lock shows that no live host owns it.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final String USER = "postgres";

    private final EmbeddedPostgres pg;
    private final String password;
    private final DataDirectoryLock lock;

    private EmbeddedDatabase(EmbeddedPostgres pg, String password, DataDirectoryLock lock) {
        this.pg = pg;
        this.password = password;
        this.lock = lock;
    }

    /** The lock on a data directory, held by one host at a time. */
    static final class DataDirectoryLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private DataDirectoryLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static DataDirectoryLock acquire(Path dataDir) throws IOException {
            FileChannel ch = FileChannel.open(
                    dataDir.resolve("prognos.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by another host in this same JVM
            }
            if (l == null) {
                ch.close();
                throw DataDirectory.refused(
                        dataDir.toString(),
                        "is in use by another Prognos host (" + dataDir.toAbsolutePath()
                                + "): stop it first or give this one its own --data-dir");
            }
            return new DataDirectoryLock(ch, l);
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        return start(dataDir, 0);
    }

    /** On {@code port} of localhost; 0 picks a free one. */
    public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
        Files.createDirectories(dataDir);
        DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        try {
            Path dir = dataDir.resolve("postgres");
            Path sockets = privateDirectory(dataDir.resolve("postgres-socket"));
            Files.createDirectories(dir);
            stopOrphan(dir);
            Path passwordFile = dataDir.resolve("postgres.password");
            String password = Secrets.readOrCreate(passwordFile);
            Path secured = dataDir.resolve("postgres.secured");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    // Our own shutdown hook closes the database after the work that writes to it.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // zonky starts PostgreSQL for tests: fsync and synchronous commit off. These data
                    // must survive a power cut, so both go back on (a later -c overrides its -F).
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig(
                            "unix_socket_directories", sockets.toAbsolutePath().toString())
                    .setServerConfig("unix_socket_permissions", "0700")
                    .setConnectConfig("password", password)
                    // Passed to initdb only (a new data directory), after zonky's "-A trust", which
                    // they override: the superuser has its password and every rule demands it from
                    // the first start on, so there is no moment of trust before secureFirstStart.
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toAbsolutePath().toString())
                    .setDataDirectoryCustomizer(d -> {
                        if (Files.exists(secured)) {
                            writePasswordOnlyHba(d.toPath());
                        }
                    })
                    .start();
            EmbeddedDatabase db = new EmbeddedDatabase(pg, password, lock);
            if (!Files.exists(secured)) {
                db.secureFirstStart(dir, secured);
            }
            LOG.info("embedded PostgreSQL running on localhost:{} with data in {}", pg.getPort(), dir.toAbsolutePath());
            return db;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * After the first start of a data directory: initdb's rules (password rules, also for
     * replication) give way to ours, loopback only. The password is set again: a directory made by
     * a build before initdb got it, whose first start ended before this step, still runs on trust.
     */
    private void secureFirstStart(Path dir, Path secured) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            // The password is hex from SecureRandom: nothing in it needs quoting.
            st.execute("ALTER USER " + USER + " PASSWORD '" + password + "'");
            writePasswordOnlyHba(dir);
            st.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("securing the new embedded PostgreSQL failed: " + e.getMessage(), e);
        }
        Files.writeString(secured, "password authentication since the first start\n");
    }

    private static void writePasswordOnlyHba(Path dir) {
        try {
            Files.write(
                    dir.resolve("pg_hba.conf"),
                    List.of(
                            "# Written by Prognos: password authentication only, loopback only.",
                            "local   all   all                  scram-sha-256",
                            "host    all   all   127.0.0.1/32   scram-sha-256",
                            "host    all   all   ::1/128        scram-sha-256"),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /**
     * After {@code kill -9} of the host, its PostgreSQL child lives on and holds the data
     * directory; a new start would then fail. Called with the directory's lock held, so no live
     * host owns it: stop that PostgreSQL cleanly (its data is consistent: PostgreSQL is
     * crash-safe) if it serves this very directory, or remove the lock file of one that died.
     */
    private static void stopOrphan(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            Files.deleteIfExists(pidFile);
            return;
        }
        Optional<ProcessHandle> orphan = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (orphan.isEmpty()) {
            LOG.info("removing a stale PostgreSQL lock file left by process {}", pid);
            Files.deleteIfExists(pidFile);
            return;
        }
        // Process ids are reused: stop it only if it serves this very directory (its -D argument).
        Optional<Path> served = dataDirectoryOf(orphan.get());
        if (served.isEmpty()
                || !served.get()
                        .toAbsolutePath()
                        .normalize()
                        .equals(dir.toAbsolutePath().normalize())) {
            LOG.info("process {} is not a PostgreSQL of {}: removing the stale lock file", pid, dir);
            Files.deleteIfExists(pidFile);
            return;
        }
        LOG.warn("stopping PostgreSQL process {} left running by a previous host on {}", pid, dir);
        orphan.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
        try {
            orphan.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            orphan.get().destroyForcibly();
        }
        Files.deleteIfExists(pidFile);
    }

    private static Optional<Path> dataDirectoryOf(ProcessHandle p) {
        String[] args = p.info().arguments().orElse(new String[0]);
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-D")) {
                return Optional.of(Path.of(args[i + 1]));
            }
        }
        return Optional.empty();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=" + USER + "&password=" + password;
    }

    @Override
    public void close() throws IOException {
        try {
            pg.close();
        } finally {
            lock.close();
        }
    }
}
