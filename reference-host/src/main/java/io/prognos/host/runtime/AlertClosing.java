package io.prognos.host.runtime;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.prognos.api.RiskAssessment;
import io.prognos.api.SensorId;
import io.prognos.api.UnknownSensorException;
import io.prognos.host.core.CloseNote;
import io.prognos.host.core.SensorContext;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.dashboard.FleetReplies;
import io.prognos.host.dashboard.FleetWatch;
import io.prognos.jdbc.AlertsTable;
import io.prognos.jdbc.ForecastPoller;
import io.prognos.jdbc.LatestResults;
import io.prognos.kafka.KafkaReadingsWriter;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a sensor's open alert by request: for a sensor retired or silent, whose alert no
 * assessment would ever clear ({@code GET /api/v1/lstm/alerts} listed it for ever, and the results
 * retention kept its rows). The episodes held in memory end first (the host's cycle's, the
 * poller's): one busy beyond the request's wait refuses the close. Then the close is stored, so the
 * alert is closed for every host reading the table and after a restart; on a Kafka host the task
 * that serves the sensor is sent a record of the close among the sensor's readings within the
 * store's transaction (it ends the episode its store holds and publishes the close on the alerts
 * topic), and Kafka not taking it rolls the close back. Then it is told (MQTT, the dashboard).
 * Asked by REST ({@code DELETE alerts/{device_id}/{sensor_key}}) and MQTT
 * ({@code requests/close-alert}), each answered {@link #answer}.
 */
public final class AlertClosing {

    private static final Logger LOG = LoggerFactory.getLogger(AlertClosing.class);

    private final AlertsTable alerts;
    private final LatestResults latest;
    private final SensorCycle cycle;
    private final SensorContexts contexts;
    private final ForecastPoller poller;
    private final KafkaReadingsWriter kafka;
    private final Clock clock;

    /** {@code poller} null when the host does not poll the database, {@code kafka} null when it runs no Kafka. */
    AlertClosing(
            AlertsTable alerts,
            LatestResults latest,
            SensorCycle cycle,
            SensorContexts contexts,
            ForecastPoller poller,
            KafkaReadingsWriter kafka,
            Clock clock) {
        this.alerts = alerts;
        this.latest = latest;
        this.cycle = cycle;
        this.contexts = contexts;
        this.poller = poller;
        this.kafka = kafka;
        this.clock = clock;
    }

    /**
     * The answer to a close, REST's and MQTT's: the close's id, as published on {@code prognos/alerts},
     * and the close as the dashboard lists it.
     */
    public record Answer(
            boolean success, String alertId, @JsonUnwrapped FleetReplies.AlertRow closed) {}

    /** The close as answered to its request; refused (REST: 404) when the sensor has no alert open. */
    public Answer answer(SensorId sensor, String note) {
        SensorCycle.ClosedAlert closed = close(sensor, note);
        if (closed == null) {
            throw new UnknownSensorException(sensor, sensor + " has no open alert");
        }
        return new Answer(true, closed.alertId(), FleetReplies.AlertRow.of(FleetWatch.event(closed)));
    }

    /**
     * The close, stored and told with {@code note} (checked by {@link CloseNote}; null for none);
     * null when the sensor has no alert open.
     */
    public SensorCycle.ClosedAlert close(SensorId sensor, String note) {
        CloseNote.check(note); // refused before any episode ends
        SensorContext ctx = contexts.peek(sensor);
        if (ctx != null) {
            cycle.endAlertEpisode(ctx);
        }
        if (poller != null) {
            poller.endAlertEpisode(sensor);
        }
        // On a Kafka host the task takes the close before it is stored, and only when one is open
        // (a close of none sent to the task would publish one).
        AlertsTable.Row row = alerts.close(sensor, clock.instant(), note, open -> {
            if (kafka != null) {
                kafka.closeAlert(sensor, open.alertId(), open.level(), note);
            }
        });
        if (row == null) {
            return null;
        }
        SensorCycle.ClosedAlert closed = new SensorCycle.ClosedAlert(
                sensor, row.alertId(), row.level(), row.basedOn(), newestRisk(sensor, ctx), note);
        cycle.alertClosed(closed);
        return closed;
    }

    /**
     * The sensor's newest risk as stored (another host's, when one served it last), else as this
     * host holds it; null when neither is known.
     */
    private RiskAssessment newestRisk(SensorId sensor, SensorContext ctx) {
        RiskAssessment held = ctx == null ? null : ctx.latestRisk();
        try {
            LatestResults.Newest stored = latest.read(List.of(sensor), 0).get(sensor);
            return stored != null ? stored.risk() : held;
        } catch (RuntimeException e) {
            // The close is stored: it is told with what this host holds rather than not at all.
            LOG.warn(
                    "{}: its newest stored risk could not be read after its alert was closed ({}); the close is told"
                            + " with {}",
                    sensor,
                    e.getMessage(),
                    held == null ? "no risk" : "the risk this host holds");
            return held;
        }
    }
}
