package io.prognos.host.demo;

import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.evaluation.data.CsvReadings;
import io.prognos.host.core.wire.AlertMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingsJson;
import io.prognos.host.core.wire.RiskMessage;
import io.prognos.host.runtime.HostConfig;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.ReadingsTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The demo, end to end through a running host: publishes each sensor's history over MQTT (stored
 * in PostgreSQL by the host), trains from the database, then replays the rest reading by reading
 * over MQTT as a plant would send it, while the MQTT adapter forecasts, assesses risk and raises
 * alerts that the demo receives as a subscriber. It ends with models, risk and the schedule.
 *
 * <p>One sensor is real: NAB's office ambient-temperature series, which ends in a system failure
 * (MIT licence, shipped with its notice). Two are generated so that the schedule has something to
 * rank: a bearing heating towards its limit and a stable fan motor current. All timestamps are
 * shifted so that each series ends at the current hour.
 */
public final class Demo {

    /** A sensor in the demo: its readings, operating limits, and how much is history before the replay. */
    public record DemoSensor(SensorId id, List<Reading> readings, OperatingLimits limits, int replayFrom) {}

    /** The demo's operating limits, in {@code prognos.limits} form. */
    public static final String LIMITS =
            "office-hvac/ambient_temperature=58:84;pump-2/bearing_temperature=::85:94;" + "fan-3/motor_current=8:16";

    private final HostRuntime host;
    private final PrintWriter out;

    public Demo(HostRuntime host, PrintWriter out) {
        this.host = host;
        this.out = out;
    }

    public static List<DemoSensor> sensors(Instant end) throws IOException {
        List<Reading> ambient;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Demo.class.getResourceAsStream("/demo/ambient_temperature_system_failure.csv"),
                StandardCharsets.UTF_8))) {
            ambient = shift(CsvReadings.read(in, CsvReadings.Columns.defaults(), "the demo series"), end);
        }
        Random r = new Random(7);
        List<Reading> bearing = new ArrayList<>();
        List<Reading> fan = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Instant t = end.minus(Duration.ofHours(599 - i));
            // Steady at 60 degrees for 380 hours, then heating by 0.15 degrees per hour.
            double heat = i < 380 ? 0 : 0.15 * (i - 380);
            bearing.add(new Reading(t, 60 + heat + 0.4 * Math.sin(2 * Math.PI * i / 24) + 0.2 * r.nextGaussian()));
            fan.add(new Reading(t, 12 + 0.3 * Math.sin(2 * Math.PI * i / 24) + 0.1 * r.nextGaussian()));
        }
        var limits = HostConfig.limits(LIMITS);
        SensorId hvac = SensorId.of("office-hvac", "ambient_temperature");
        SensorId pump = SensorId.of("pump-2", "bearing_temperature");
        SensorId fan3 = SensorId.of("fan-3", "motor_current");
        return List.of(
                new DemoSensor(hvac, ambient, limits.apply(hvac), (int) (ambient.size() * 0.6)),
                new DemoSensor(pump, bearing, limits.apply(pump), 450),
                new DemoSensor(fan3, fan, limits.apply(fan3), 450));
    }

    private static List<Reading> shift(List<Reading> readings, Instant end) {
        Duration by = Duration.between(readings.get(readings.size() - 1).timestamp(), end);
        return readings.stream()
                .map(x -> new Reading(x.timestamp().plus(by), x.value()))
                .toList();
    }

    public static Instant currentHour() {
        return Instant.now().truncatedTo(ChronoUnit.HOURS);
    }

    public void run(List<DemoSensor> sensors, String brokerUrl) throws Exception {
        long started = System.nanoTime();
        var plugin = host.plugin();
        out.printf(
                "Prognos demo: plugin %s %s (%s), %d sensors, broker %s%n",
                plugin.id(), plugin.version(), plugin.engineVersion(), sensors.size(), brokerUrl);
        ConcurrentLinkedQueue<String> alerts = new ConcurrentLinkedQueue<>();
        MqttAsyncClient client =
                new MqttAsyncClient(brokerUrl, "prognos-demo-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (host.broker() != null) {
            host.broker().asDevice(o);
        }
        // Reconnect and keep the session: QoS 1 messages in flight are sent again after a drop. A
        // clean start (as this was until now) makes Paho clear its in-flight messages at every
        // connect, the automatic reconnect's included; the client id is new each run.
        o.setCleanStart(false);
        o.setSessionExpiryInterval(600L);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 5);
        client.connect(o).waitForCompletion(30_000);
        try {
            // A callback, not a per-subscription listener: Paho 1.2.5 fails on those without properties.
            client.setCallback(new AlertCollector(alerts, out));
            client.subscribe("prognos/alerts/#", 1).waitForCompletion(30_000);
            long published = host.mqtt().readingsReceived();

            ReadingsTable table = new ReadingsTable(host.jdbc().dataSource());
            // A rerun shifts the series to a new hour: start each demo sensor afresh, its model too
            // (kept, the earlier run's model scored the new history and the sensor's state carried on
            // with the new one: 14 medium alerts on the office sensor instead of a fresh run's 12), and
            // its alerts (the pump's, left open by the earlier run, was gone on with: not raised).
            sensors.forEach(s -> {
                table.delete(s.id());
                host.plugin().deleteModel(s.id());
                host.jdbc().alerts().delete(s.id());
            });
            out.println("publishing the history of each sensor over MQTT (stored in PostgreSQL by the host) ...");
            for (DemoSensor s : sensors) {
                List<Reading> history = s.readings().subList(0, s.replayFrom());
                // Training reads the database, so wait for the rows there. A whole QoS 1 message went
                // missing in about one test run of five while the client started clean (above; not
                // reproduced since, 0 of 12 runs); should one go missing, it is sent again, and the
                // table keeps each reading once.
                for (int attempt = 1; table.count(s.id()) < history.size(); attempt++) {
                    if (attempt > 1) {
                        // Said, so that a run where it happens tells what the host rejected, if anything.
                        out.printf(
                                "      %s: %d of %d readings stored; sending its history again (rejected: %s;"
                                        + " dropped by the broker: %s)%n",
                                s.id(),
                                table.count(s.id()),
                                history.size(),
                                host.mqtt().rejectedCounts(),
                                host.broker() == null ? "-" : host.broker().messagesDropped());
                    }
                    if (attempt > 3) {
                        throw new IllegalStateException(s.id() + ": " + table.count(s.id()) + " of " + history.size()
                                + " readings reached the database; rejected: "
                                + host.mqtt().rejectedCounts());
                    }
                    for (int i = 0; i < history.size(); i += 500) {
                        publish(client, s.id(), history.subList(i, Math.min(history.size(), i + 500)));
                    }
                    awaitStored(table, s.id(), history.size(), Duration.ofSeconds(30));
                }
                published = host.mqtt().readingsReceived();
            }

            int n = 0;
            for (DemoSensor s : sensors) {
                n++;
                out.printf("[%d/%d] training %s on its stored history ...%n", n, sensors.size(), s.id());
                ModelInfo m = host.service().train(s.id(), Map.of());
                out.printf(
                        Locale.ROOT,
                        "      done in %.1f s: %d intervals of %s, serving %s, validation MAE %.3f"
                                + " against %.3f for the last value%n",
                        m.trainingMillis() / 1000.0,
                        m.sampleCount(),
                        m.interval(),
                        m.servedMethod(),
                        m.metric(ModelInfo.VAL_MAE),
                        m.metric(ModelInfo.BASELINE_MAE));
            }

            List<Object[]> replay = new ArrayList<>();
            for (DemoSensor s : sensors) {
                for (Reading r :
                        s.readings().subList(s.replayFrom(), s.readings().size())) {
                    replay.add(new Object[] {s.id(), r});
                }
            }
            replay.sort(Comparator.comparing(x -> ((Reading) x[1]).timestamp()));
            out.printf(
                    "replaying %d readings one message at a time; the host forecasts after each ...%n", replay.size());
            for (int i = 0; i < replay.size(); i++) {
                publish(client, (SensorId) replay.get(i)[0], List.of((Reading) replay.get(i)[1]));
                if ((i + 1) % 100 == 0) {
                    // Stay at most a few hundred messages ahead of the host: a broker queues only so
                    // many messages per subscriber (HiveMQ: 1,000) and drops the rest.
                    awaitReceived(published + i + 1 - 300, Duration.ofSeconds(10));
                }
                if ((i + 1) % 1000 == 0) {
                    out.printf("      %d/%d readings, %d alerts so far%n", i + 1, replay.size(), alerts.size());
                }
            }
            published += replay.size();
            if (!awaitReceived(published, Duration.ofSeconds(60))) {
                out.printf(
                        "      %d replayed readings did not reach the host%n",
                        published - host.mqtt().readingsReceived());
            }
            host.mqtt().drain(Duration.ofMinutes(5));
            host.storing().flush(Duration.ofMinutes(2));
            Thread.sleep(500); // the last alerts are on their way to our subscription
            printAlerts(alerts);
        } finally {
            try {
                client.disconnect().waitForCompletion(5_000);
                client.close();
            } catch (MqttException e) {
                // already disconnected: whatever went wrong before is the error to report
            }
        }
        printSummary(sensors);
        out.printf(Locale.ROOT, "%.1f s in all%n", (System.nanoTime() - started) / 1e9);
    }

    /** Collects alert payloads as they arrive. */
    private record AlertCollector(ConcurrentLinkedQueue<String> alerts, PrintWriter out) implements OnMessage {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            alerts.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            out.println("      the demo's MQTT client was disconnected (" + response + "); reconnecting");
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            out.println("      MQTT error: " + exception);
        }
    }

    private static void publish(MqttAsyncClient client, SensorId sensor, List<Reading> readings) throws Exception {
        MqttMessage m = new MqttMessage(ReadingsJson.of(readings));
        m.setQos(1);
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish("prognos/readings/" + sensor.deviceId() + "/" + sensor.sensorKey(), m);
                return;
            } catch (MqttException e) {
                if (attempt > 2000) {
                    throw e;
                }
                Thread.sleep(2); // in-flight window full: wait for acknowledgements
            }
        }
    }

    /** Waits until the host has received {@code count} readings; false when the time ran out first. */
    private boolean awaitReceived(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (host.mqtt().readingsReceived() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void awaitStored(ReadingsTable table, SensorId sensor, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (table.count(sensor) < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Per sensor: how many alerts were raised, and each rise to high (the ones to act on now). */
    private void printAlerts(ConcurrentLinkedQueue<String> alerts) throws IOException {
        Map<String, int[]> counts = new TreeMap<>();
        List<String> high = new ArrayList<>();
        for (String a : alerts) {
            AlertMessage alert = Json.mapper().readValue(a, AlertMessage.class);
            if (!"raised".equals(alert.state())) {
                continue;
            }
            RiskMessage n = alert.risk();
            String sensor = n.deviceId() + "/" + n.sensorKey();
            boolean isHigh = n.riskLevel().equals("high");
            int[] c = counts.computeIfAbsent(sensor, k -> new int[2]);
            c[isHigh ? 1 : 0]++;
            if (isHigh) {
                high.add(String.format(
                        Locale.ROOT,
                        "  ALERT %s high (score %d) at %s: %s - %s",
                        sensor,
                        n.riskScore(),
                        n.basedOn(),
                        n.recommendedAction(),
                        n.reasons().isEmpty() ? "" : n.reasons().get(0)));
            }
        }
        out.println("Alerts received over MQTT (rises to medium or high):");
        counts.forEach((sensor, c) -> out.printf("  %-36s %d medium, %d high%n", sensor, c[0], c[1]));
        high.forEach(out::println);
    }

    private void printSummary(List<DemoSensor> sensors) {
        out.println();
        out.println("Models");
        out.printf("  %-36s %-13s %10s %12s %7s%n", "sensor", "method", "val MAE", "last value", "relMAE");
        for (ModelInfo m : host.plugin().models()) {
            out.printf(
                    Locale.ROOT,
                    "  %-36s %-13s %10.3f %12.3f %7.2f%n",
                    m.sensor(),
                    m.servedMethod(),
                    m.metric(ModelInfo.VAL_MAE),
                    m.metric(ModelInfo.BASELINE_MAE),
                    m.valRelmae());
        }
        out.println();
        out.println("Current risk");
        for (DemoSensor s : sensors) {
            try {
                var p = host.service().predict(s.id(), null);
                var f = p.forecast();
                var a = p.risk();
                var last = f.points().get(f.horizon() - 1);
                out.printf(
                        Locale.ROOT,
                        "  %-36s %-8s score %3d  anomaly %.2f  now %.2f, in %d steps %.2f [%.2f," + " %.2f]%s%n",
                        s.id(),
                        a.level().wireName(),
                        a.score(),
                        a.anomalyScore(),
                        f.lastValue(),
                        f.horizon(),
                        last.value(),
                        last.lower(),
                        last.upper(),
                        a.timeToFailureHours() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ", time to failure %.1f h (%.1f-%s)",
                                        a.timeToFailureHours(),
                                        a.timeToFailureLowHours(),
                                        a.timeToFailureHighHours() == null
                                                ? "beyond the horizon"
                                                : String.format(Locale.ROOT, "%.1f h", a.timeToFailureHighHours())));
            } catch (PrognosException e) {
                out.printf("  %-36s cannot forecast: %s%n", s.id(), e.getMessage());
            }
        }
        out.println();
        List<ScheduleEntry> schedule =
                host.service().schedule(Duration.ofDays(7)).entries();
        out.println("Maintenance schedule (next 7 days)");
        if (schedule.isEmpty()) {
            out.println("  nothing due");
        }
        for (ScheduleEntry e : schedule) {
            out.printf(
                    Locale.ROOT,
                    "  %d. %-14s %-8s %-30s act by %s - %s%n",
                    e.priority(),
                    e.deviceId(),
                    e.level().wireName(),
                    e.worstSensor().sensorKey(),
                    e.actBy(),
                    e.recommendedAction());
        }
        out.println();
    }

    /** The lines to watch a running host, for the summary; {@code login} is mosquitto's -u/-P options or empty. */
    /** Where to look: the dashboard, and the API browser beside it. */
    public static String dashboardLine(int httpPort) {
        return "Dashboard: http://localhost:%1$d/  (API browser: http://localhost:%1$d/docs)".formatted(httpPort);
    }

    public static String watchLines(int httpPort, int mqttPort, String login) {
        return """
                Watch it live while the host runs (models are kept in the data directory):
                  mosquitto_sub -h localhost -p %2$d%3$s -t 'prognos/#' -v
                  # a reading of pump-2 now, over MQTT or over HTTP (one an hour: the pump reports hourly, and
                  # a second reading in an hour already scored is refused as late_reading)
                  mosquitto_pub -h localhost -p %2$d%3$s -t prognos/readings/pump-2/bearing_temperature -m '{"value": 92.5}'
                  curl -s -X POST localhost:%1$d/api/v1/lstm/readings/pump-2/bearing_temperature -d '{"value": 92.5}'
                  curl -s localhost:%1$d/api/v1/lstm/status
                  curl -s -X POST localhost:%1$d/api/v1/lstm/predict -H 'Content-Type: application/json' \\
                       -d '{"device_id": "pump-2", "sensor_key": "bearing_temperature"}'
                  curl -s 'localhost:%1$d/api/v1/lstm/maintenance-schedule?days_ahead=7'
                  curl -s localhost:%1$d/metrics | grep prognos_
                """.formatted(httpPort, mqttPort, login);
    }

    public static Map<String, String> demoDefaults() {
        // Readings are published in bulk first, then the demo trains on purpose: no training on
        // the first few hundred readings of a burst. Training reads the whole shipped history.
        return Map.of("prognos.limits", LIMITS, "cycle.train-after", "1000000", "prognos.history", "400d");
    }
}
