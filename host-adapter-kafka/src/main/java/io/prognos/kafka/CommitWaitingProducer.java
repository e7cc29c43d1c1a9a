package io.prognos.kafka;

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
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * Kafka Streams' producer, which runs {@code beforeCommit} before it commits a transaction: under
 * exactly-once a stream thread commits its tasks' results and input offsets with its producer's
 * transaction, so what {@code beforeCommit} waits for (the results stored in the database) is done
 * before the readings behind it are acknowledged. When it throws (the database is down), nothing is
 * committed: the stream thread fails, its transaction is aborted, and its tasks resume from the
 * last commit.
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
        beforeCommit.run();
        producer.commitTransaction();
    }

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
