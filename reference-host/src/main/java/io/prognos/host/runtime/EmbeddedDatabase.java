package io.prognos.host.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (zonky's binaries) whose data directory survives restarts. Listens on a free
 * loopback port; only this JVM is told the URL.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres pg;

    private EmbeddedDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("postgres");
        Files.createDirectories(dir);
        stopOrphan(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // Our own shutdown hook closes the database after the work that writes to it.
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // zonky starts PostgreSQL for tests: fsync and synchronous commit off. These data
                // must survive a power cut, so both go back on (a later -c overrides its -F).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
        LOG.info("embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir.toAbsolutePath());
        return new EmbeddedDatabase(pg);
    }

    /**
     * After {@code kill -9} of the host, its PostgreSQL child lives on and holds the data
     * directory; a new start would then fail. Stop it cleanly (its data is consistent: PostgreSQL
     * is crash-safe), or remove the lock file of one that died.
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
        LOG.warn("stopping PostgreSQL process {} left running by a previous host on {}", pid, dir);
        orphan.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
        try {
            orphan.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            orphan.get().destroyForcibly();
        }
        Files.deleteIfExists(pidFile);
    }

    public String jdbcUrl() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
