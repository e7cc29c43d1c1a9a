package io.prognos.mqtt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An external Mosquitto broker on a free local port, for the tests that need one where it is installed. */
final class Mosquitto {

    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    final Path dir;
    final int port;
    private final Path conf;
    private Process process;

    /**
     * Writes its configuration: a local listener, anonymous clients, and {@code extra} lines
     * ({@code %1$s} stands for its directory). Skips the calling test where Mosquitto is not installed.
     */
    static Mosquitto configured(String extra) throws IOException {
        assumeTrue(Files.isExecutable(BINARY), "mosquitto not installed (apt-get install mosquitto): skipped");
        return new Mosquitto(extra);
    }

    private Mosquitto(String extra) throws IOException {
        dir = Files.createTempDirectory("prognos-mosquitto");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, """
                listener %d 127.0.0.1
                user %s
                allow_anonymous true
                """.formatted(port, System.getProperty("user.name")) + extra.formatted(dir));
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts it and waits until it listens. */
    void start() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                process = p;
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("mosquitto did not listen on " + port);
    }

    /** Stops it with SIGTERM (Mosquitto saves its sessions and queues, then exits); whether it stopped within 30 s. */
    boolean stop() throws InterruptedException {
        if (process == null) {
            return true;
        }
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops it and removes its directory (each run left one in the temporary directory). */
    void stopAndDelete() throws InterruptedException, IOException {
        if (!stop()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Broker.deleteTree(dir);
    }
}
