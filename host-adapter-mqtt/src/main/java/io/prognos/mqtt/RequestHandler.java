package io.prognos.mqtt;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.RetrainOptions;
import io.prognos.host.core.SensorContext;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingOutOfMemory;
import io.prognos.host.core.wire.ErrorMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.PredictReply;
import io.prognos.host.core.wire.PredictRequestMessage;
import io.prognos.host.core.wire.Requests;
import io.prognos.host.core.wire.TrainReply;
import io.prognos.host.core.wire.TrainRequestMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 request/response for hosts without HTTP: {@code requests/forecast} and
 * {@code requests/train}, each answered on the request's response topic with its correlation data,
 * in the same JSON as REST, and the host's own kinds ({@link HostRequest}). A training runs off the
 * model-work thread, on readings buffered there; a host request on a thread of its own.
 *
 * <p>A request is handled on the model-work thread, in turn with the readings, so that a forecast
 * counts every reading received before it. It waits there at most {@link SensorCycle#REQUEST_WAIT},
 * as a REST predict does, and is then answered "busy, try again" (reason {@code capacity}) instead:
 * that thread can be held for as long as a database outage lasts (the writer's back-pressure), and
 * a request waiting behind it went unanswered for all that time.
 */
final class RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    /** The answer to a request the host stops before handling. */
    private static final ErrorMessage NOT_HANDLED =
            new ErrorMessage(false, "the host is stopping; the request was not handled: ask again", null, "capacity");

    /** The adapter's own request kinds. */
    private static final List<String> OWN = List.of("forecast", "train");

    private final MqttConnection connection;
    private final Topics topics;
    /** {@code Bearer <token>} when requests need the token (as REST calls do), else null. */
    private final byte[] expectedAuthorization;

    private final ErrorReporter errors;
    private final ExecutorService worker;
    private final ExecutorService trainings;
    private final ScheduledExecutorService deadlines;
    /** Requests not yet taken by the model-work thread nor answered as busy. */
    private final Set<Pending> waiting = ConcurrentHashMap.newKeySet();
    /** The host's own request kinds, by the topic's last level. */
    private final Map<String, HostRequest> hostRequests;
    /** Where host requests run: one at a time, off the model-work thread. */
    private final ThreadPoolExecutor hostWork;

    private final SensorContexts contexts;
    private final SensorCycle cycle;
    private final ForecastingPlugin plugin;

    RequestHandler(
            MqttConnection connection,
            Topics topics,
            String token,
            ErrorReporter errors,
            ExecutorService worker,
            ExecutorService trainings,
            ScheduledExecutorService deadlines,
            SensorContexts contexts,
            SensorCycle cycle,
            ForecastingPlugin plugin,
            Map<String, HostRequest> hostRequests,
            ThreadPoolExecutor hostWork) {
        this.connection = connection;
        this.topics = topics;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.errors = errors;
        this.worker = worker;
        this.trainings = trainings;
        this.deadlines = deadlines;
        this.contexts = contexts;
        this.cycle = cycle;
        this.plugin = plugin;
        this.hostRequests = Map.copyOf(hostRequests);
        this.hostWork = hostWork;
    }

    /** Refuses a host request kind that is no single topic level or that the adapter answers itself. */
    static void checkHostKinds(Map<String, HostRequest> hostRequests) {
        for (String kind : hostRequests.keySet()) {
            if (OWN.contains(kind)
                    || kind.isEmpty()
                    || kind.contains("/")
                    || kind.contains("+")
                    || kind.contains("#")) {
                throw new IllegalArgumentException(
                        "a host request's kind must be one topic level other than " + OWN + ": '" + kind + "'");
            }
        }
    }

    void onMessage(Inbound message) {
        String topic = message.topic();
        String responseTopic = message.responseTopic();
        if (responseTopic == null) {
            errors.rejected(topic, "no_response_topic", "requests need an MQTT 5 response topic");
            return;
        }
        if (!topics.isReplyTopic(responseTopic)) {
            errors.rejected(
                    topic,
                    "bad_response_topic",
                    "replies go only under " + topics.replies() + ", not to '" + responseTopic + "'");
            return;
        }
        byte[] correlation = message.correlationData();
        if (!authorized(message)) {
            errors.rejected(topic, "unauthorized", "the request lacks the user property authorization: Bearer <token>");
            reply(
                    responseTopic,
                    correlation,
                    Json.bytes(new ErrorMessage(
                            false,
                            "unauthorized: send the user property authorization = Bearer <token>",
                            "authorization",
                            "unauthorized")));
            return;
        }
        String kind = topic.substring(topic.lastIndexOf('/') + 1);
        HostRequest host = hostRequests.get(kind);
        if (host != null) {
            HostCall call = new HostCall(kind, host, message.payload(), responseTopic, correlation);
            queue(hostWork, call, call::notStarted, "requests", responseTopic, correlation);
            return;
        }
        Pending p = new Pending(kind, message.payload(), responseTopic, correlation);
        waiting.add(p);
        try {
            worker.execute(p);
        } catch (RejectedExecutionException e) {
            p.answerIfWaiting(new ErrorMessage(false, "overloaded: try again later", null, "capacity"));
            return;
        }
        try {
            deadlines.schedule(p::expire, SensorCycle.REQUEST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The adapter is closing: the model-work thread handles it, or close answers it.
        }
    }

    /** A request on its way to the model-work thread: handled there, or answered busy at its deadline, not both. */
    private final class Pending implements Runnable {
        private final String kind;
        private final byte[] payload;
        private final String responseTopic;
        private final byte[] correlation;
        private final AtomicBoolean taken = new AtomicBoolean();

        Pending(String kind, byte[] payload, String responseTopic, byte[] correlation) {
            this.kind = kind;
            this.payload = payload;
            this.responseTopic = responseTopic;
            this.correlation = correlation;
        }

        private boolean take() {
            if (!taken.compareAndSet(false, true)) {
                return false;
            }
            waiting.remove(this);
            return true;
        }

        @Override
        public void run() {
            if (take()) {
                handle(kind, payload, responseTopic, correlation);
            }
        }

        void expire() {
            answerIfWaiting(new ErrorMessage(
                    false,
                    "busy: the host's model work held this request for over "
                            + SensorCycle.REQUEST_WAIT.toSeconds()
                            + " s (most likely results waiting for the database to take them); try again",
                    null,
                    "capacity"));
        }

        void answerIfWaiting(ErrorMessage answer) {
            if (take()) {
                reply(responseTopic, correlation, Json.bytes(answer));
            }
        }
    }

    private boolean authorized(Inbound in) {
        if (expectedAuthorization == null) {
            return true;
        }
        for (Map.Entry<String, String> p : in.userProperties()) {
            if (p.getKey().equalsIgnoreCase("authorization")
                    && MessageDigest.isEqual(expectedAuthorization, p.getValue().getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    private void handle(String kind, byte[] payload, String responseTopic, byte[] correlation) {
        try {
            switch (kind) {
                case "forecast" -> {
                    PredictRequestMessage req = Requests.bind(payload, PredictRequestMessage.class);
                    SensorContext ctx = contexts.get(req.sensor());
                    SensorCycle.Result r = cycle.predict(ctx, req.limits());
                    reply(
                            responseTopic,
                            correlation,
                            Json.bytes(PredictReply.of(
                                    r.forecast(),
                                    r.risk(),
                                    r.anomaly(),
                                    plugin.describe().anomalyThreshold())));
                }
                case "train" -> {
                    TrainRequestMessage req = Requests.bind(payload, TrainRequestMessage.class);
                    List<Reading> history = contexts.get(req.sensor()).readings();
                    Training t = new Training(
                            new TrainRequest(req.sensor(), history, RetrainOptions.of(plugin, req)),
                            responseTopic,
                            correlation);
                    queue(trainings, t, t::notStarted, "trainings", responseTopic, correlation);
                }
                default ->
                    throw new BadRequestException(
                            "topic", "unknown request '" + kind + "'; requests are " + String.join(", ", known()));
            }
        } catch (PrognosException e) {
            reply(responseTopic, correlation, Json.bytes(error(e)));
        } catch (RuntimeException e) {
            internalError(kind, responseTopic, correlation, e);
        }
    }

    /**
     * Hands {@code task} to {@code executor}; refused, its requester is told: the host is stopping
     * ({@code notStarted}) or too many {@code what} wait.
     */
    private void queue(
            ExecutorService executor,
            Runnable task,
            Runnable notStarted,
            String what,
            String responseTopic,
            byte[] correlation) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                notStarted.run();
            } else {
                reply(
                        responseTopic,
                        correlation,
                        Json.bytes(new ErrorMessage(
                                false, "too many " + what + " waiting: try again later", null, "capacity")));
            }
        }
    }

    /** The request kinds this adapter answers, its own first. */
    private List<String> known() {
        return Stream.concat(OWN.stream(), hostRequests.keySet().stream().sorted())
                .toList();
    }

    /**
     * A host request waiting for or running on the host requests' thread; {@link #stopTrainingsAndHostRequests}
     * answers the ones that never started ({@link #notStarted}).
     */
    private final class HostCall implements Runnable {
        private final String kind;
        private final HostRequest request;
        private final byte[] payload;
        private final String responseTopic;
        private final byte[] correlation;

        HostCall(String kind, HostRequest request, byte[] payload, String responseTopic, byte[] correlation) {
            this.kind = kind;
            this.request = request;
            this.payload = payload;
            this.responseTopic = responseTopic;
            this.correlation = correlation;
        }

        @Override
        public void run() {
            answerOffThread(kind, responseTopic, correlation, () -> request.answer(payload));
        }

        void notStarted() {
            reply(responseTopic, correlation, Json.bytes(NOT_HANDLED));
        }
    }

    /**
     * Answers a request worked off the model-work thread (a training, a host request) with what
     * {@code work} returns, or its error. An error escaping (out of heap, a plugin's missing class)
     * ended such a thread, and the requester waited for an answer that never came: it is answered
     * as an internal error too.
     */
    private void answerOffThread(String kind, String responseTopic, byte[] correlation, Supplier<Object> work) {
        try {
            reply(responseTopic, correlation, Json.bytes(work.get()));
        } catch (PrognosException e) {
            reply(responseTopic, correlation, Json.bytes(error(e)));
        } catch (RuntimeException e) {
            internalError(kind, responseTopic, correlation, e);
        } catch (Error e) {
            internalError(kind, responseTopic, correlation, new IllegalStateException(e.toString(), e));
        }
    }

    /**
     * A fault of the host's or the plugin's, not the requester's: logged with its trace and
     * answered as REST answers it (a 500 there), so that the requester is not left waiting for a
     * reply that never comes (a JSON {@code null} request did that, its exception escaping the
     * thread).
     */
    private void internalError(String kind, String responseTopic, byte[] correlation, RuntimeException e) {
        LOG.error("MQTT {} request failed", kind, e);
        reply(responseTopic, correlation, Json.bytes(ErrorMessage.of("internal error: " + e, null)));
    }

    /**
     * A requested training waiting for or running on the trainings' thread; {@link #stopTrainingsAndHostRequests}
     * answers the ones that never started ({@link #notStarted}).
     */
    private final class Training implements Runnable {
        private final TrainRequest request;
        private final String responseTopic;
        private final byte[] correlation;

        Training(TrainRequest request, String responseTopic, byte[] correlation) {
            this.request = request;
            this.responseTopic = responseTopic;
            this.correlation = correlation;
        }

        @Override
        public void run() {
            answerOffThread("train", responseTopic, correlation, () -> {
                ModelInfo model = TrainingOutOfMemory.told(request.sensor(), () -> plugin.train(request));
                return TrainReply.of(model);
            });
        }

        /** Tells the requester that the host stopped before this training began, so it asks again elsewhere or later. */
        void notStarted() {
            reply(
                    responseTopic,
                    correlation,
                    Json.bytes(new ErrorMessage(
                            false,
                            "the host is stopping; the training of " + request.sensor() + " was not started",
                            null,
                            "capacity")));
        }
    }

    /**
     * Cancels the requested trainings: the running one is interrupted (the plugin stops it between
     * epochs and its requester is told it was cancelled), the waiting ones are answered that the host
     * is stopping; waits up to 30 s for the running one to end, so that none saves a model after the
     * host has gone. Host requests waiting are answered so too, the running one is let end (up to
     * 30 s). Called before the connection closes, so that every requester gets its answer.
     * Requests still waiting for the model-work thread are no longer answered busy at their
     * deadline: that thread handles them while the adapter closes, or {@link #answerNeverTaken} does.
     */
    void stopTrainingsAndHostRequests() throws InterruptedException {
        deadlines.shutdownNow();
        for (Runnable never : trainings.shutdownNow()) {
            if (never instanceof Training t) {
                t.notStarted();
            }
        }
        // The running host request ends on its own, not interrupted: a close interrupted between
        // Kafka taking its record and the database committing it would be published, not stored.
        hostWork.shutdown();
        List<Runnable> never = new ArrayList<>();
        hostWork.getQueue().drainTo(never);
        for (Runnable r : never) {
            ((HostCall) r).notStarted();
        }
        if (!trainings.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("a requested training still runs 30 s after it was cancelled: abandoned");
        }
        if (!hostWork.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("a host request still runs 30 s after the adapter began to close: abandoned");
        }
    }

    /**
     * Answers the requests the model-work thread never took (it stayed held while the adapter
     * closed) that the host is stopping; called once that thread has ended or given up on.
     */
    void answerNeverTaken() {
        for (Pending p : List.copyOf(waiting)) {
            p.answerIfWaiting(NOT_HANDLED);
        }
    }

    private static ErrorMessage error(PrognosException e) {
        String field = e instanceof BadRequestException b ? b.field() : null;
        String reason = e instanceof RetryLaterException r ? r.reason().name().toLowerCase(Locale.ROOT) : null;
        return new ErrorMessage(false, e.getMessage(), field, reason);
    }

    private void reply(String topic, byte[] correlation, byte[] body) {
        connection.publish(new MqttConnection.Outbound(topic, body, 1, false, null, correlation, null));
    }
}
