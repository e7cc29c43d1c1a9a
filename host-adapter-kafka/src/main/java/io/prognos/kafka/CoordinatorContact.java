package io.prognos.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this host's stream threads are in touch with Kafka, from their consumers' own metric of
 * the last heartbeat sent to the group coordinator: none for longer than {@code kafka.session-timeout}
 * means the brokers are out of reach (the group has given this host's partitions to others by then,
 * or would have). Kafka Streams stays RUNNING meanwhile, so its state alone kept {@code /health} UP
 * through a dead broker (measured: 45 s after SIGKILL), while the clients' reconnect warnings filled
 * the log (263 lines in 30 s). Checked every second; said once when touch is lost and once when it is
 * back, with how long.
 */
final class CoordinatorContact implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorContact.class);
    static final String GROUP = "consumer-coordinator-metrics";
    static final String NAME = "last-heartbeat-seconds-ago";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final BooleanSupplier running;
    private final Duration sessionTimeout;
    private final String bootstrap;
    private final ScheduledExecutorService checks;
    private volatile double lostForSeconds = Double.NaN; // NaN: in touch

    /**
     * {@code running}: whether the streams run (not rebalancing: a join stops heartbeats while it
     * lasts, and a slow member can make that longer than a session).
     */
    CoordinatorContact(
            Supplier<Map<MetricName, ? extends Metric>> metrics,
            BooleanSupplier running,
            Duration sessionTimeout,
            String bootstrap) {
        this.metrics = metrics;
        this.running = running;
        this.sessionTimeout = sessionTimeout;
        this.bootstrap = bootstrap;
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "prognos-kafka-contact");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        checks.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    /** Whether the host is in touch with Kafka (or cannot tell yet). */
    boolean inTouch() {
        return Double.isNaN(lostForSeconds);
    }

    void check() {
        try {
            if (!running.getAsBoolean()) {
                return; // a rebalance decides nothing either way: a join stops heartbeats while it lasts
            }
            double since = secondsSinceHeartbeat(metrics.get());
            boolean lost = since > sessionTimeout.toSeconds();
            if (lost && inTouch()) {
                LOG.warn(
                        "Kafka out of reach: no heartbeat to the group coordinator for {} s (kafka.session-timeout {} s),"
                                + " brokers at kafka.bootstrap={}; readings wait in Kafka; /health says kafka DOWN until"
                                + " it is back",
                        Math.round(since),
                        sessionTimeout.toSeconds(),
                        bootstrap);
            } else if (!lost && !inTouch()) {
                LOG.info("Kafka in reach again (out of reach for at least {} s)", Math.round(lostForSeconds));
            }
            lostForSeconds = lost ? since : Double.NaN;
        } catch (RuntimeException e) {
            LOG.warn("checking Kafka contact failed: {}", e.toString());
        }
    }

    /**
     * Seconds since the newest heartbeat any stream thread's consumer sent its coordinator; NaN
     * when there is no such metric (no consumer yet).
     */
    static double secondsSinceHeartbeat(Map<MetricName, ? extends Metric> metrics) {
        double newest = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (n.group().equals(GROUP) && n.name().equals(NAME) && e.getValue().metricValue() instanceof Number v) {
                double s = v.doubleValue();
                if (s >= 0 && !(s >= newest)) {
                    newest = s;
                }
            }
        }
        return newest;
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
