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
    void nothingIsCommittedWhenTheResultsAreNotStored() {
        MockProducer<byte[], byte[]> kafka = transactional();
        RetryLaterException down = new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE, "not yet stored", Duration.ofSeconds(1), null);
        CommitWaitingProducer p = new CommitWaitingProducer(kafka, () -> {
            throw down;
        });
        assertSame(down, assertThrows(RetryLaterException.class, p::commitTransaction));
        assertFalse(kafka.transactionCommitted());
        assertTrue(kafka.transactionInFlight(), "left to Kafka Streams to abort when it replaces the thread");
    }
}
