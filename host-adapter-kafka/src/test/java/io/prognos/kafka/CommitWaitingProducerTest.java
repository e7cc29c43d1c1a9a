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
        CommitWaitingProducer p = new CommitWaitingProducer(
                kafka,
                () -> {
                    calls.add(kafka.transactionCommitted() ? "wait after commit" : "wait");
                },
                refused -> calls.add("refused"));
        p.send(new ProducerRecord<>("prognos.forecasts", new byte[] {1}));
        p.commitTransaction();
        assertEquals(List.of("wait"), calls);
        assertTrue(kafka.transactionCommitted());
        assertEquals(1, kafka.history().size(), "the send went through");
    }

    @Test
    void nothingIsCommittedWhenTheResultsAreNotStoredTheTransactionIsAbortedAndTheRefusalTold() {
        MockProducer<byte[], byte[]> kafka = transactional();
        RetryLaterException down = new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE, "not yet stored", Duration.ofSeconds(1), null);
        List<RetryLaterException> told = new ArrayList<>();
        CommitWaitingProducer p = new CommitWaitingProducer(
                kafka,
                () -> {
                    throw down;
                },
                told::add);
        p.send(new ProducerRecord<>("prognos.forecasts", new byte[] {1}));
        // Not a timeout: Kafka Streams answers that by reviving the tasks on the same thread, whose
        // consumer then lost the reset to the committed offset (KafkaReadingsTest); a failure
        // replaces the thread, and its new consumer starts from the committed offsets.
        CommitWaitingProducer.NotStoredException failed =
                assertThrows(CommitWaitingProducer.NotStoredException.class, p::commitTransaction);
        assertSame(down, failed.getCause());
        assertEquals(
                List.of(down), told, "the refusal is told, so that processing pauses until the results are stored");
        assertFalse(kafka.transactionCommitted());
        assertTrue(
                kafka.transactionAborted(),
                "aborted at once: left open, it held every later result from read-committed consumers until the"
                        + " broker timed it out");
        p.abortTransaction(); // Kafka Streams' own abort as the thread closes: nothing left to abort
        p.beginTransaction();
        p.send(new ProducerRecord<>("prognos.forecasts", new byte[] {2}));
        p.abortTransaction();
        assertFalse(kafka.transactionInFlight(), "an abort after a new transaction began is made");
    }
}
