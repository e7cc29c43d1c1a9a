package io.prognos.kafka;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * Kafka Streams' producer, which runs {@code beforeCommit} before it commits a transaction: under
 * exactly-once a stream thread commits its tasks' results and input offsets with its producer's
 * transaction, so what {@code beforeCommit} waits for (the results stored in the database) is done
 * before the readings behind it are acknowledged. When it says the results are not stored yet
 * (the database is down or slow), nothing is committed: the refusal is told (processing pauses
 * until the results are stored, {@link ProcessingPause}), the transaction is aborted here, and the
 * commit fails, so that Kafka Streams replaces the thread; the new thread's consumer starts from
 * the last committed offsets and processes the readings of the aborted transaction again.
 *
 * <p>The commit failed as timed out before, which Kafka Streams answers under exactly-once by
 * closing the thread's tasks dirty and reviving them on the same thread. That lost readings: with
 * the database away longer than two commit waits (a 20 s lock on the forecasts table in
 * KafkaReadingsTest), Kafka Streams' retry of the commit for the other tasks failed too, it
 * rebalanced and re-created the revived task, which dropped the task's reset to the committed
 * offset while its state was restored to that offset: the consumer went on after the reading of
 * the aborted transaction, which was never forecast and was acknowledged with the next commit.
 *
 * <p>A failure without the abort left the transaction open until the broker timed it out (10 s,
 * Kafka Streams' default under exactly-once), with every result after it in its partitions held
 * from read-committed consumers meanwhile: a forecast held 8 s by a locked table was committed 10.6
 * s (by hand) and 12.6 s (KafkaReadingsTest) after the lock went.
 *
 * <p>A state store's flush was used first, but Kafka Streams 4.1 flushes stores only when it
 * checkpoints (every 10,000 records of a task under exactly-once, or when a task closes), not at
 * each commit: `bench-ingest` on a Kafka host counted 12 waits in 30 s at 1,000 readings/s.
 */
final class CommitWaitingProducer implements Producer<byte[], byte[]> {

    private final Producer<byte[], byte[]> producer;
    private final Runnable beforeCommit;
    private final Consumer<RetryLaterException> refused;
    /** The transaction was aborted here: Kafka Streams' own abort, as the thread closes, has nothing left to do. */
    private boolean abortedHere;

    CommitWaitingProducer(
            Producer<byte[], byte[]> producer, Runnable beforeCommit, Consumer<RetryLaterException> refused) {
        this.producer = producer;
        this.beforeCommit = beforeCommit;
        this.refused = refused;
    }

    /** Why a commit was not made: the results it would acknowledge are not stored. */
    static final class NotStoredException extends KafkaException {
        private static final long serialVersionUID = 1L;

        NotStoredException(RetryLaterException cause) {
            super("results not stored yet, so not committed: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void commitTransaction() {
        try {
            beforeCommit.run();
        } catch (RetryLaterException notStored) {
            refused.accept(notStored);
            NotStoredException failed = new NotStoredException(notStored);
            try {
                producer.abortTransaction();
                abortedHere = true;
            } catch (KafkaException abortFailed) {
                // Left to Kafka Streams, which aborts again as it closes the thread (or the broker
                // times the transaction out): said with the failure, not instead of it.
                failed.addSuppressed(abortFailed);
            }
            throw failed;
        }
        producer.commitTransaction();
    }

    @Override
    public void initTransactions() {
        producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
        abortedHere = false;
        producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        producer.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void abortTransaction() {
        if (abortedHere) {
            abortedHere = false;
            return;
        }
        producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        return producer.send(record, callback);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        producer.close();
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
