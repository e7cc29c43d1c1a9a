package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A stream thread's producer commits its transaction (its tasks' results and input offsets) only
 * once what the readings told the database writer is stored. On a real broker:
 * {@code KafkaReadingsTest.aForecastIsCommittedOnlyOnceTheDatabaseHoldsIt}.
 */
class CommitWaitingProducerTest {

    private static MockProducer<byte[], byte[]> transactional() {
        MockProducer<byte[], byte[]> p =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        p.initTransactions();
        p.beginTransaction();
        return p;
    }

    @Test
    void theWaitRunsBeforeTheTransactionIsCommitted() {
        MockProducer<byte[], byte[]> kafka = transactional();
        List<String> calls = new ArrayList<>();
        CommitWaitingProducer p = new CommitWaitingProducer(kafka, () -> {
            calls.add(kafka.transactionCommitted() ? "wait after commit" : "wait");
        });
        p.send(new ProducerRecord<>("prognos.forecasts", new byte[] {1}));
        p.commitTransaction();
        assertEquals(List.of("wait"), calls);
        assertTrue(kafka.transactionCommitted());
        assertEquals(1, kafka.history().size(), "the send went through");
    }

    @Test
    void nothingIsCommittedWhenTheResultsAreNotStoredAndTheCommitTimesOutAfterAPause() {
        MockProducer<byte[], byte[]> kafka = transactional();
        Duration retryAfter = Duration.ofMillis(300);
        RetryLaterException down = new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE, "not yet stored", retryAfter, null);
        CommitWaitingProducer p = new CommitWaitingProducer(kafka, () -> {
            throw down;
        });
        long start = System.nanoTime();
        // A timeout is what Kafka Streams answers under exactly-once by aborting the transaction at
        // once and reprocessing on the same thread; any other exception replaced the thread and left
        // the transaction for the broker to time out.
        TimeoutException timeout = assertThrows(TimeoutException.class, p::commitTransaction);
        assertTrue(
                System.nanoTime() - start >= retryAfter.toNanos(),
                "paused before failing, so that a database that is down is not retried in a tight loop");
        assertSame(down, timeout.getCause());
        assertFalse(kafka.transactionCommitted());
        assertTrue(kafka.transactionInFlight(), "left to Kafka Streams to abort");
    }
}
