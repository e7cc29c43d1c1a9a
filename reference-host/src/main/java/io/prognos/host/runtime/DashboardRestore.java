package io.prognos.host.runtime;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.dashboard.FleetWatch;
import io.prognos.jdbc.AlertsTable;
import io.prognos.jdbc.JdbcAdapter;
import io.prognos.jdbc.LatestResults;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows on the dashboard, after a restart, what the host showed before: each modelled sensor's
 * newest risk, forecast and anomaly scores, read back from the database. The dashboard kept them in
 * memory only, so a restarted host (an upgrade, a reboot) showed every sensor without a risk level
 * or scores until its next reading, which for a sensor that reports rarely or on change only is
 * hours. Runs once in the background: the host serves meanwhile, and whatever a sensor reports
 * first wins ({@link FleetWatch#restore}).
 */
final class DashboardRestore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardRestore.class);

    private final Thread thread;

    private DashboardRestore(Runnable work) {
        thread = new Thread(work, "prognos-dashboard-restore");
        thread.setDaemon(true);
    }

    static DashboardRestore start(FleetWatch fleet, ForecastingPlugin plugin, JdbcAdapter jdbc, int maxSensors) {
        DashboardRestore r = new DashboardRestore(() -> run(fleet, plugin, jdbc, maxSensors));
        r.thread.start();
        return r;
    }

    private static void run(FleetWatch fleet, ForecastingPlugin plugin, JdbcAdapter jdbc, int maxSensors) {
        long t0 = System.nanoTime();
        try {
            Map<SensorId, ModelInfo> models = new HashMap<>();
            for (ModelInfo m : plugin.models()) {
                models.put(m.sensor(), m);
            }
            if (models.isEmpty()) {
                return; // nothing modelled, or the model store not answering yet: nothing to show
            }
            // More than there is room for: the riskiest first (the first listed were read back, and
            // a sensor at high risk among 10,000 showed at no level until its next forecast).
            List<SensorId> shown = models.size() <= maxSensors
                    ? List.copyOf(models.keySet())
                    : jdbc.latest().riskiest(List.copyOf(models.keySet()), maxSensors);
            Map<SensorId, LatestResults.Newest> newest = jdbc.latest().read(shown, FleetWatch.SCORES);
            Map<SensorId, List<AlertsTable.Stored>> alerts = jdbc.alerts().of(shown, FleetWatch.ALERTS);
            int restored = 0;
            for (Map.Entry<SensorId, LatestResults.Newest> e : newest.entrySet()) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                List<FleetWatch.AlertEvent> its = alerts.getOrDefault(e.getKey(), List.of()).stream()
                        .map(FleetWatch::event)
                        .toList();
                if (restore(fleet, jdbc, e.getKey(), models.get(e.getKey()), e.getValue(), its)) {
                    restored++;
                }
            }
            fleet.restoreRecentAlerts(jdbc.alerts().recent(FleetWatch.RECENT_ALERTS).stream()
                    .map(FleetWatch::event)
                    .toList());
            LOG.info(
                    "dashboard: {} sensor(s)' newest risk, forecast, anomaly scores and alerts read back from the"
                            + " database ({} ms)",
                    restored,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            // The dashboard fills in again from each sensor's next reading, as it did before this.
            LOG.warn(
                    "dashboard: the newest results could not be read back from the database ({}); each sensor"
                            + " shows again from its next reading",
                    e.getMessage());
        }
    }

    private static boolean restore(
            FleetWatch fleet,
            JdbcAdapter jdbc,
            SensorId sensor,
            ModelInfo model,
            LatestResults.Newest n,
            List<FleetWatch.AlertEvent> alerts) {
        LatestResults.StoredForecast f = n.forecast();
        if (f == null) {
            return false;
        }
        // The value the forecast started from: the forecasts table does not keep it.
        List<Reading> last = jdbc.readings()
                .read(sensor, n.risk().basedOn(), n.risk().basedOn().plusMillis(1));
        if (last.isEmpty()) {
            return false;
        }
        double lastValue = last.get(last.size() - 1).value();
        Duration interval = model.interval();
        Forecast forecast = new Forecast(
                sensor,
                f.issuedAt(),
                f.lastObserved(),
                lastValue,
                interval,
                f.coverage(),
                f.method(),
                "as stored before the host restarted",
                f.modelVersion(),
                f.points());
        List<AnomalyScore> scores = n.scores();
        AnomalyScore newestScore = scores.isEmpty() ? null : scores.get(scores.size() - 1);
        return fleet.restore(new SensorCycle.Result(forecast, n.risk(), newestScore, null), scores, alerts);
    }

    /** Stops a restore still running (the host is closing); it holds nothing to release. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
