package io.prognos.kafka;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * Kafka Streams' producer, which runs {@code beforeCommit} before it commits a transaction: under
 * exactly-once a stream thread commits its tasks' results and input offsets with its producer's
 * transaction, so what {@code beforeCommit} waits for (the results stored in the database) is done
 * before the readings behind it are acknowledged. When it says the results are not stored yet
 * (the database is down or slow), nothing is committed: the commit fails as timed out, which Kafka
 * Streams answers under exactly-once by aborting the transaction at once and taking the thread's
 * tasks up again from the last commit, on the same thread.
 *
 * <p>Any other exception from here made Kafka Streams replace the thread and left its transaction
 * open until the broker timed it out (10 s, Kafka Streams' default under exactly-once), with every
 * result after it in its partitions held from read-committed consumers meanwhile: a forecast held
 * 8 s by a locked table was committed 10.6 s (by hand) and 12.6 s (KafkaReadingsTest) after the
 * lock went; 0.55-0.58 s now.
 *
 * <p>A state store's flush was used first, but Kafka Streams 4.1 flushes stores only when it
 * checkpoints (every 10,000 records of a task under exactly-once, or when a task closes), not at
 * each commit: `bench-ingest` on a Kafka host counted 12 waits in 30 s at 1,000 readings/s.
 */
final class CommitWaitingProducer implements Producer<byte[], byte[]> {

    private final Producer<byte[], byte[]> producer;
    private final Runnable beforeCommit;

    CommitWaitingProducer(Producer<byte[], byte[]> producer, Runnable beforeCommit) {
        this.producer = producer;
        this.beforeCommit = beforeCommit;
    }

    @Override
    public void commitTransaction() {
        try {
            beforeCommit.run();
        } catch (RetryLaterException notStored) {
            // Kafka Streams answers a commit that timed out by aborting and reprocessing at once; the
            // pause keeps a database that is down (the wait fails at once then) from turning that
            // into a loop that restores and reprocesses the thread's tasks as fast as it can.
            pause(notStored.retryAfter());
            throw new TimeoutException(
                    "results not stored yet, so not committed: " + notStored.getMessage(), notStored);
        }
        producer.commitTransaction();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(Math.min(d.toMillis(), MAX_PAUSE.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Well under Kafka Streams' transaction timeout (10 s) and the consumer's poll interval (5 min). */
    static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    @Override
    public void initTransactions() {
        producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
        producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        producer.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void abortTransaction() {
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
