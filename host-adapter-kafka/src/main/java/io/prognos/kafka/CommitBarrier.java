package io.prognos.kafka;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A store that holds nothing and runs an action when Kafka Streams flushes it. A task flushes its
 * stores before it commits its offsets and transaction (StreamTask.prepareCommit), and Kafka
 * Streams has no other hook at that point: so the action runs before every commit, and what it
 * waits for is durable before the input behind it is acknowledged.
 *
 * <p>When it is not (the database is down, and what the readings produced is held for a retry in
 * memory), the action throws: the flush fails, the commit with it, the transaction is aborted, and
 * the stream thread is replaced; its tasks resume from the last commit and tell the readings again
 * (the tables ignore what they already hold). Committing instead would lose them with a killed host.
 */
final class CommitBarrier implements StateStore {

    static final String NAME = "prognos-commit-barrier";

    private final Runnable beforeCommit;
    private volatile boolean open;

    CommitBarrier(Runnable beforeCommit) {
        this.beforeCommit = beforeCommit;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {}); // nothing to restore
        open = true;
    }

    @Override
    public void flush() {
        beforeCommit.run();
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one barrier per task; no changelog, no cache (there is nothing in it). */
    static StoreBuilder<CommitBarrier> builder(Runnable beforeCommit) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitBarrier> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitBarrier> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitBarrier> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("the commit barrier has nothing to log");
            }

            @Override
            public StoreBuilder<CommitBarrier> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitBarrier build() {
                return new CommitBarrier(beforeCommit);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return NAME;
            }
        };
    }
}
