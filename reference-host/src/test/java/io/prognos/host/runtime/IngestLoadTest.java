package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.host.HostFixture;
import io.prognos.host.demo.IngestLoad;
import io.prognos.host.demo.LatencyProbe;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Readings acknowledged by the embedded broker at 5,000/s all reach the sensor cycle and the
 * readings table. With HiveMQ's default queue of 1,000 messages per client this run received 7,754
 * of 25,000 and nothing counted the rest; {@code bench-ingest} runs the longer load.
 */
class IngestLoadTest {

    @Test
    void everyAcknowledgedReadingAt5000PerSecondIsReceivedAndStored() throws Exception {
        try (HostRuntime host = HostFixture.start(HostFixture.config(HostFixture.dataDir()), HostRuntime.Parts.ALL)) {
            LatencyProbe probe = new LatencyProbe(host);
            probe.prepare();
            IngestLoad.Result r = new IngestLoad(host).run(5_000, 25_000, 250, Duration.ofSeconds(120), probe);

            assertEquals(25_000, r.acknowledged(), "the broker acknowledged every reading");
            assertEquals(25_000, r.received(), "readings the sensor cycle received");
            assertEquals(25_000, r.stored(), "rows in sensor_readings");
            assertEquals(0, r.brokerDropped(), "messages the broker dropped");
            // Under that load a trained sensor still gets a forecast for each of its readings.
            assertTrue(r.latency().probes() >= 3, "probe readings sent while publishing: " + r.latency());
            assertEquals(r.latency().probes(), r.latency().answered(), "probe readings answered by a forecast");
            System.out.println("ingest 5,000/s: " + r.figures());
        }
    }
}
