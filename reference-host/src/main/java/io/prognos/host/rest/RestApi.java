package io.prognos.host.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.prognos.api.BadRequestException;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.RetryLaterException;
import io.prognos.api.UnknownSensorException;
import io.prognos.host.core.wire.ErrorMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.dashboard.StaticFiles;
import io.prognos.host.runtime.HostRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API on the JDK's HTTP server: the original system's {@code /api/v1/lstm} contract
 * (same paths, methods and field names, extended but never renamed), plus {@code /health},
 * {@code /metrics} and {@code /openapi.json}.
 *
 * <p>Errors are JSON {@code {"success": false, "error": ..., "field": ...}}: 400 for a bad request
 * (naming the field), 401 without the token, 404 for an unknown sensor or model, 409 while that
 * model trains, 503 with Retry-After when the store or capacity is short.
 */
public final class RestApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    /** The largest request body taken (413 beyond). */
    public static final int MAX_BODY = 1 << 20;
    /**
     * Request threads. A training holds its thread for seconds, and the JDK server reads headers
     * and bodies on these threads too: with 8 of them, sixteen clients sending a byte at a time
     * left /health unanswered for over a minute. Trainings are capped apart ({@link #TRAININGS}),
     * and slow requests are cut at {@link #MAX_REQUEST_SECONDS}.
     */
    private static final int THREADS = 32;
    /** Training requests at once; more get 503 with Retry-After instead of a thread each. */
    static final int TRAININGS = 4;
    /** A request's headers and body must arrive within this time, or the connection is closed. */
    static final int MAX_REQUEST_SECONDS = 20;

    /** The HTTP status of an error that is not the plugin's; {@code field} names the request field at fault. */
    public static class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int status;
        final String field;

        HttpError(int status, String field, String message) {
            super(message);
            this.status = status;
            this.field = field;
        }
    }

    /** 405, with the methods the path allows. */
    public static final class MethodNotAllowed extends HttpError {
        private static final long serialVersionUID = 1L;

        final String allowed;

        MethodNotAllowed(String allowed, String message) {
            super(405, null, message);
            this.allowed = allowed;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final LstmRoutes routes;
    private final HostRuntime runtime;
    private final byte[] token;
    private final Duration shutdownTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RestTrainings trainings;
    private final ClientConnections clients = ClientConnections.kernel();
    /** /health answers within this time whatever is down. */
    static final int HEALTH_SECONDS = 1;

    private final ExecutorService healthPool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "prognos-health");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Boolean> databaseCheck;

    private RestApi(HostRuntime runtime, HttpServer server, String token, Duration shutdownTimeout) {
        this.runtime = runtime;
        this.server = server;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.shutdownTimeout = shutdownTimeout;
        this.trainings = new RestTrainings(TRAININGS);
        this.routes = new LstmRoutes(
                runtime,
                trainings,
                new RestReadings(
                        runtime.cycle(),
                        runtime.contexts(),
                        runtime.readingParser(),
                        Counter.builder("prognos.http.readings.received")
                                .description("valid readings received over REST")
                                .register(runtime.metrics()),
                        runtime.plugin().describe().anomalyThreshold(),
                        runtime.kafka() == null ? null : runtime.kafka().readingsWriter()));
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "prognos-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public static RestApi start(HostRuntime runtime, String bind, int port, String token, Duration shutdownTimeout)
            throws IOException {
        // The JDK server reads its limits from system properties when its first instance is made;
        // a value set by the operator on the command line is kept.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        } catch (BindException e) {
            // The operator's to mend, said in a line naming the key (was an IOException and its stack).
            boolean taken = String.valueOf(e.getMessage()).contains("in use");
            throw new InvalidConfigurationException(
                    "the REST API",
                    List.of(new ConfigProblem(
                            taken ? "prognos.http.port" : "prognos.http.bind",
                            "cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "): "
                                    + (taken ? "set a free port" : "set an address of this machine"))));
        }
        RestApi api = new RestApi(runtime, server, token, shutdownTimeout);
        server.start();
        LOG.info(
                "dashboard on http://{}:{}/, REST API under /api/v1/lstm{}",
                bind,
                api.port(),
                api.token == null ? "" : " (token required)");
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        int status;
        inFlight.incrementAndGet();
        try {
            status = dispatch(ex, path);
        } catch (RuntimeException | Error e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), path, e);
            status = send(ex, 500, ErrorMessage.of("internal error: " + e, null));
        } finally {
            ex.close();
            inFlight.decrementAndGet();
        }
        Timer.builder("prognos.http.requests")
                .description("REST requests")
                .tag("method", ex.getRequestMethod())
                .tag("route", routes.routeName(path))
                .tag("status", Integer.toString(status))
                .register(runtime.metrics())
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private int dispatch(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        if (path.equals("/health")) {
            Replies.Health h = health();
            return send(ex, h.status().equals("UP") ? 200 : 503, h);
        }
        if (StaticFiles.serves(path)) {
            // The pages and libraries hold no data: they load without the token and ask for it.
            return sendFile(ex, method, path);
        }
        if (path.equals("/openapi.json") && method.equals("GET")) {
            // The API's description is public like the pages that browse it (/docs).
            return sendFile(ex, method, "/dashboard/openapi.json");
        }
        if (token != null && !authorised(ex)) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            return send(
                    ex, 401, ErrorMessage.of("missing or wrong API token: send 'Authorization: Bearer <token>'", null));
        }
        if (path.equals("/metrics") && method.equals("GET")) {
            byte[] text = runtime.metrics().scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            sendHeaders(ex, 200, text.length);
            ex.getResponseBody().write(text);
            return 200;
        }
        try {
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            byte[] body = method.equals("POST") || method.equals("PUT") ? body(ex) : new byte[0];
            BooleanSupplier clientGone = () -> clients.closedByClient(ex.getLocalAddress(), ex.getRemoteAddress())
                    .orElse(false);
            // The raw path: a device id with '/' arrives as %2F and must stay one segment (the routes
            // decode each segment).
            return send(ex, 200, routes.route(method, ex.getRequestURI().getRawPath(), query, body, clientGone));
        } catch (RestTrainings.ClientGone e) {
            return 499; // nobody to answer; the connection is closed (the nginx code for it, in the metrics)
        } catch (MethodNotAllowed e) {
            ex.getResponseHeaders().add("Allow", e.allowed);
            return send(ex, 405, ErrorMessage.of(e.getMessage(), null));
        } catch (HttpError e) {
            return send(ex, e.status, ErrorMessage.of(e.getMessage(), e.field));
        } catch (RestReadings.Refused e) {
            return send(ex, 400, e.message());
        } catch (UnknownSensorException e) {
            return send(ex, 404, ErrorMessage.of(e.getMessage(), e.field()));
        } catch (BadRequestException e) {
            return send(ex, 400, ErrorMessage.of(e.getMessage(), e.field()));
        } catch (RetryLaterException e) {
            // 409: the sensor's own state stands in the way (its model training, its readings too
            // few); 503: the host's (its database, its capacity).
            int status = switch (e.reason()) {
                case MODEL_BUSY, AWAITING_READINGS -> 409;
                case STORE_UNAVAILABLE, CAPACITY -> 503;
            };
            ex.getResponseHeaders()
                    .add("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            return send(
                    ex,
                    status,
                    new ErrorMessage(
                            false, e.getMessage(), null, e.reason().name().toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * The components' state within {@link #HEALTH_SECONDS}: a database that does not answer (down,
     * or suspended, when a connection attempt hangs for the whole connect timeout) is DOWN, not a
     * hanging probe. One check runs at a time; a probe that arrives meanwhile shares its answer.
     */
    private Replies.Health health() {
        CompletableFuture<Boolean> check;
        synchronized (this) {
            if (databaseCheck == null || databaseCheck.isDone()) {
                databaseCheck = CompletableFuture.supplyAsync(this::databaseAnswers, healthPool);
            }
            check = databaseCheck;
        }
        boolean db;
        String dbState;
        try {
            db = check.get(HEALTH_SECONDS, TimeUnit.SECONDS);
            dbState = db ? "UP" : "DOWN";
        } catch (TimeoutException e) {
            db = false;
            dbState = "DOWN"; // no answer within HEALTH_SECONDS
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            db = false;
            dbState = "DOWN";
        } catch (ExecutionException e) {
            db = false;
            dbState = "DOWN";
        }
        String mqtt = runtime.mqtt() == null ? "DISABLED" : runtime.mqtt().isConnected() ? "UP" : "DOWN";
        // On a Kafka host, MQTT readings reach their sensors only through the readings topic.
        String forwarding = runtime.mqtt() == null ? "NONE" : runtime.mqtt().forwardingState();
        Map<String, String> components = new LinkedHashMap<>();
        components.put("database", dbState);
        components.put("plugin", runtime.plugin().id() + " " + runtime.plugin().version());
        components.put("mqtt", mqtt);
        if (!forwarding.equals("NONE")) {
            components.put("mqtt_forwarding", forwarding);
        }
        String kafka = kafkaHealth();
        components.put("kafka", kafka);
        // Informational: without it a host serves the models it holds, as before SPI 2.2.
        components.put("model_changes", runtime.jdbc().models().watchState());
        Integer backlog = runtime.storing() == null ? null : runtime.storing().pending();
        boolean up = db && !mqtt.equals("DOWN") && !kafka.equals("DOWN") && !forwarding.equals("DOWN");
        return new Replies.Health(up ? "UP" : "DOWN", components, backlog);
    }

    /**
     * Running or rebalancing is up (a rebalance is Kafka moving sensors, and it ends by itself),
     * unless the host has lost touch with the brokers, which leaves Kafka Streams running.
     */
    private String kafkaHealth() {
        if (runtime.kafka() == null) {
            return "DISABLED";
        }
        return switch (runtime.kafka().state()) {
            case RUNNING, REBALANCING, CREATED -> runtime.kafka().inTouch() ? "UP" : "DOWN";
            default -> "DOWN";
        };
    }

    private boolean databaseAnswers() {
        try (var c = runtime.jdbc().dataSource().getConnection()) {
            return c.isValid(HEALTH_SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private int sendFile(HttpExchange ex, String method, String path) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().add("Allow", "GET, HEAD");
            return send(ex, 405, ErrorMessage.of("method " + method + " not allowed; use GET", null));
        }
        var file = StaticFiles.find(path);
        if (file.isEmpty()) {
            return send(ex, 404, ErrorMessage.of("no such file " + path, null));
        }
        byte[] bytes = file.get().bytes();
        ex.getResponseHeaders().add("Content-Type", file.get().contentType());
        ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        if (method.equals("HEAD")) {
            sendHeaders(ex, 200, -1);
            return 200;
        }
        sendHeaders(ex, 200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        return 200;
    }

    private int send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        sendHeaders(ex, status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }

    private boolean authorised(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, h.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        byte[] raw = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (raw.length > MAX_BODY) {
            throw new HttpError(
                    413,
                    "body",
                    "request body larger than " + MAX_BODY + " bytes (readings: send them in smaller batches)");
        }
        return raw;
    }

    /**
     * The most of a request body read and dropped before an answer that does not need it (a 413, a
     * 401, a 404); beyond it the connection is closed unread (and reset), not to keep a thread
     * reading without end.
     */
    static final long MAX_DISCARDED = 64L << 20;

    /**
     * Reads and drops what is left of the request body, before the answer is sent: a connection
     * closed with more than the JDK's 64 KB of body unread is reset, and the reset took the answer
     * with it (a 16 MB POST: Java's HttpClient and Python's urllib saw only "connection reset",
     * curl the status without its reason).
     */
    private static void discardUnread(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        if (in.read() < 0) {
            return; // read already, or none sent: the usual case
        }
        byte[] buffer = new byte[8 * 1024];
        long read = 1;
        int n;
        while (read < MAX_DISCARDED && (n = in.read(buffer)) >= 0) {
            read += n;
        }
    }

    /** {@link HttpExchange#sendResponseHeaders}, once the request body is out of the way. */
    private static void sendHeaders(HttpExchange ex, int status, long length) throws IOException {
        discardUnread(ex);
        ex.sendResponseHeaders(status, length);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (m.put(k, v) != null) { // which one counts would be a guess: say so instead
                throw new BadRequestException(k, "parameter '" + k + "' is given more than once");
            }
        }
        return m;
    }

    /** Stops accepting requests and gives in-flight ones (a training, say) the shutdown timeout to finish. */
    @Override
    public void close() {
        // JDK 17's HttpServer.stop(delay) waits the whole delay even when idle; wait for our own count.
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} REST request(s) still running after {}: abandoned", inFlight.get(), shutdownTimeout);
        }
        trainings.close();
        server.stop(0);
        pool.shutdownNow();
        healthPool.shutdownNow();
    }
}
