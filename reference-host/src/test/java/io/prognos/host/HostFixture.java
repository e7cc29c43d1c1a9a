package io.prognos.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.ReadingsJson;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.PluginLoader;
import io.prognos.host.runtime.ReadingsTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Test helpers: a host configuration on free ports in a fresh data directory, series, and HTTP calls. */
public final class HostFixture {

    private HostFixture() {}

    /**
     * The data directories handed out, removed when the test JVM exits: each holds an embedded
     * PostgreSQL cluster (up to about 290 MB), and they stayed in the temporary folder: 918 from
     * many `mvn verify` runs held 52 GB of this machine's disk. Not at each test's end: several
     * tests restart a host on the same directory.
     */
    private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(HostFixture::delete), "test-dirs"));
    }

    public static Path dataDir() throws IOException {
        Path dir = Files.createTempDirectory("prognos-host-test");
        CREATED.add(dir);
        return dir;
    }

    /** Removes {@code root} and everything in it; what cannot be removed (a file still held) stays. */
    static void delete(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("test directory " + root + " not removed: " + e);
        }
    }

    /** A port free on this machine now, for a server a test starts on a port it must know first. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Embedded PostgreSQL in {@code dir}, an embedded broker and the REST API on free ports. */
    public static Map<String, String> config(Path dir) {
        Map<String, String> c = new HashMap<>();
        c.put("prognos.data-dir", dir.toString());
        c.put("prognos.http.port", "0");
        c.put("prognos.mqtt.port", "0");
        c.put("prognos.threads", "1");
        c.put("mqtt.client-id", "prognos-test-" + System.nanoTime());
        return c;
    }

    public static HostRuntime start(Map<String, String> config, HostRuntime.Parts parts) throws Exception {
        return HostRuntime.start(
                config,
                PluginLoader.load(HostFixture.class.getClassLoader(), Path.of("no-plugins")),
                parts,
                java.time.Clock.systemUTC());
    }

    /** Hourly readings ending at the current hour: a daily cycle with noise, rising by {@code slope} per hour. */
    public static List<Reading> hourly(int n, double slope, long seed) {
        Random r = new Random(seed);
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(
                    end.minus(Duration.ofHours(n - 1 - i)),
                    50 + 3 * Math.sin(2 * Math.PI * i / 24) + slope * i + 0.3 * r.nextGaussian()));
        }
        return out;
    }

    /** {@code n} readings 30 seconds apart ending at {@code end}: a daily swing of 4 around 20 with noise. */
    public static List<Reading> everyThirtySeconds(Instant end, int n, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            double phase = 2 * Math.PI * (i % 2880) / 2880.0;
            out.add(new Reading(end.minusSeconds(30L * i), 20 + 4 * Math.sin(phase) + 0.2 * r.nextGaussian()));
        }
        return out;
    }

    /** Readings as a device sends them: {@code [{"ts": ISO-8601, "value": n}, ...]}. */
    public static String json(List<Reading> readings) {
        return new String(ReadingsJson.of(readings), StandardCharsets.UTF_8);
    }

    public static void store(HostRuntime host, SensorId sensor, List<Reading> readings) {
        new ReadingsTable(host.jdbc().dataSource()).append(sensor, readings);
    }

    /** The database suspended (every PostgreSQL process of {@code dataDir} stopped) until closed. */
    public interface Suspended extends AutoCloseable {
        @Override
        void close() throws Exception;
    }

    public static Suspended suspendDatabase(Path dataDir) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"))
                .get(0)
                .trim());
        List<Long> processes = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).orElseThrow().descendants().forEach(p -> processes.add(p.pid()));
        signal("STOP", processes);
        return () -> signal("CONT", processes);
    }

    private static void signal(String name, List<Long> pids) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + name));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        int code = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("kill -" + name + " " + pids + " exited with " + code);
        }
    }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {}

    /**
     * A POST as Python's urllib and many device clients make it: the whole body written before the
     * answer is read. Returns the status line and the body; throws when the host reset the
     * connection under it.
     */
    public static String[] postAllThenRead(int port, String path, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n");
            int blank = answer.indexOf("\r\n\r\n");
            return new String[] {answer.substring(0, end), blank < 0 ? "" : answer.substring(blank + 4)};
        }
    }

    public static Response call(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), r.headers());
    }

    /** Field names of {@code node} that the schema {@code name} in openapi.json does not list. */
    public static List<String> undescribed(JsonNode api, String name, JsonNode node) {
        JsonNode props = api.path("components").path("schemas").path(name).path("properties");
        List<String> missing = new ArrayList<>();
        if (props.isMissingNode()) {
            missing.add("schema " + name);
            return missing;
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!props.has(f)) {
                missing.add(name + "." + f);
            }
        });
        return missing;
    }
}
