package io.prognos.host;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prognos.api.Forecast;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.SensorId;
import io.prognos.jdbc.ResultsWriter;
import io.prognos.mqtt.MqttAdapter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what arrives over MQTT: readings into {@code sensor_readings} (so REST training and
 * restarts see them) and forecasts and risk into Prognos's tables. Writes run on a thread of their
 * own so that a slow database never stalls the MQTT client; failures are counted and logged at a
 * bounded rate.
 */
final class StoringListener implements MqttAdapter.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoringListener.class);

    private final ReadingsTable readings;
    private final ResultsWriter results;
    private final boolean storeReadings;
    private final ExecutorService writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(100_000), r -> {
                Thread t = new Thread(r, "prognos-db-writer");
                t.setDaemon(true);
                return t;
            });
    private final Counter failed;
    private volatile long lastLog;

    StoringListener(ReadingsTable readings, ResultsWriter results, boolean storeReadings, MeterRegistry metrics) {
        this.readings = readings;
        this.results = results;
        this.storeReadings = storeReadings;
        this.failed = Counter.builder("prognos.store.failures").description("database writes that failed")
                .register(metrics);
    }

    @Override
    public void readings(SensorId sensor, List<Reading> batch) {
        if (storeReadings) {
            submit("readings of " + sensor, () -> readings.append(sensor, batch));
        }
    }

    @Override
    public void results(Forecast forecast, RiskAssessment risk) {
        submit("forecast of " + forecast.sensor(), () -> results.write(forecast, risk));
    }

    private void submit(String what, Runnable write) {
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    failure(what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            failure(what, e);
        }
    }

    private void failure(String what, Exception e) {
        failed.increment();
        long now = System.nanoTime();
        if (now - lastLog > TimeUnit.SECONDS.toNanos(10)) {
            lastLog = now;
            LOG.warn("{} not stored ({} failed writes so far): {}", what, (long) failed.count(), e.getMessage());
        }
    }

    /** Waits until every write queued so far is done. */
    void flush(Duration timeout) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        writer.execute(done::countDown);
        done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        writer.shutdown();
        if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("database writes still queued at shutdown were abandoned");
            writer.shutdownNow();
        }
    }
}
