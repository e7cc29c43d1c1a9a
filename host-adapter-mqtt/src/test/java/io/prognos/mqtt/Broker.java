package io.prognos.mqtt;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** An embedded HiveMQ CE broker on a free loopback port, restartable over the same data folder. */
final class Broker implements AutoCloseable {

    final int port;
    private final Path config;
    private final Path data;
    private final Path extensions;
    private EmbeddedHiveMQ hivemq;
    /** Removed at close: about 8 MB a broker, 695 of them left by earlier test runs held 5.7 GB. */
    private final Path root;

    Broker() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        root = Files.createTempDirectory("prognos-hivemq");
        config = Files.createDirectories(root.resolve("conf"));
        data = Files.createDirectories(root.resolve("data"));
        extensions = Files.createDirectories(root.resolve("extensions"));
        Files.writeString(config.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                  </listeners>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port));
        start();
    }

    void start() {
        hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap() // the test's logging stays as it is
                .build();
        hivemq.start().join();
    }

    void stop() throws Exception {
        hivemq.stop().join();
        hivemq.close();
    }

    Path root() {
        return root;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        stop();
        deleteTree(root);
    }

    /** Removes a test broker's directory and everything in it (Mosquitto's too). */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
