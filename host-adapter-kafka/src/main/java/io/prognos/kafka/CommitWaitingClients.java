package io.prognos.kafka;

import io.prognos.api.RetryLaterException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/** Kafka Streams' clients as its default makes them, but producers that wait before each commit ({@link CommitWaitingProducer}). */
final class CommitWaitingClients implements KafkaClientSupplier {

    private final Runnable beforeCommit;
    private final java.util.function.Consumer<RetryLaterException> refused;

    CommitWaitingClients(Runnable beforeCommit, java.util.function.Consumer<RetryLaterException> refused) {
        this.beforeCommit = beforeCommit;
        this.refused = refused;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new CommitWaitingProducer(
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                beforeCommit,
                refused);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        // A stream thread whose commit was refused is replaced (CommitWaitingProducer). Kafka Streams
        // closes its main consumers without leaving the group, so the new thread's rebalance waited
        // for the old member's session to expire (kafka.session-timeout, 15 s: the replaced thread's
        // rebalance began 14.4-15.0 s after it failed). Leaving on close lets it begin at once; a host
        // that stops leaves the group anyway (KafkaAdapter.close).
        Map<String, Object> leaving = new HashMap<>(config);
        leaving.put(LEAVE_GROUP_ON_CLOSE, true);
        return consumer(leaving);
    }

    /** The consumer's own (internal) key, which Kafka Streams sets to false for its main consumers. */
    static final String LEAVE_GROUP_ON_CLOSE = "internal.leave.group.on.close";

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return consumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return consumer(config);
    }

    private static Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
