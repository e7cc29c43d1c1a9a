package io.prognos.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.ConfigDef;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.demo.Demo;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.PluginLoader;
import io.prognos.host.runtime.ReadingsTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrognosHostTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrognosHost.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<io.prognos.api.ForecastingPlugin> plugins() {
        return PluginLoader.load(PrognosHostTest.class.getClassLoader(), Path.of("no-plugins")).plugins().stream()
                .map(PluginLoader.Loaded::plugin)
                .toList();
    }

    @Test
    void demoRunsThroughMqttAndPostgresAndSchedules() throws Exception {
        Path dir = HostFixture.dataDir();
        Run r = run("demo", "--data-dir", dir.toString(), "--http.port=0", "--mqtt.port=0");
        System.out.println(r.out()); // the demo's own report, in the build log
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().startsWith("Dashboard: http://localhost:"), "the dashboard's address first:\n" + r.out());
        assertTrue(r.out().contains("plugin lstm"), r.out());
        for (String sensor :
                List.of("office-hvac/ambient_temperature", "pump-2/bearing_temperature", "fan-3/motor_current")) {
            assertTrue(r.out().contains(sensor), sensor + " missing:\n" + r.out());
        }
        // Alerts arrive as an MQTT subscriber would get them, and the heating bearing leads the schedule.
        assertTrue(r.out().contains("ALERT pump-2/bearing_temperature"), r.out());
        String schedule = r.out().substring(r.out().indexOf("Maintenance schedule"));
        assertTrue(schedule.contains("1. pump-2") && schedule.contains("high"), schedule);
        assertTrue(r.out().contains("time to failure"), r.out());
        assertTrue(r.out().contains("mosquitto_sub") && r.out().contains("curl"), r.out());
        assertTrue(Files.isDirectory(dir.resolve("postgres")), "the database lives in the data directory");

        // A rerun in the same directory starts its sensors afresh: the same alerts and risk. Before,
        // the first run's model scored the rerun's history and the office sensor got 14 medium
        // alerts instead of 12.
        Run again = run("demo", "--data-dir", dir.toString(), "--http.port=0", "--mqtt.port=0");
        assertEquals(0, again.code(), again.err() + again.out());
        assertEquals(
                3, summary(r.out()).stream().filter(l -> l.contains(" score ")).count(), r.out());
        assertEquals(summary(r.out()), summary(again.out()));
    }

    /** The demo's alert counts and closing risk lines: no clock time in them, only what the data made. */
    private static List<String> summary(String out) {
        return out.lines()
                .filter(l -> l.matches(" +\\S+/\\S+ +\\d+ medium, \\d+ high.*") || l.contains(" score "))
                .toList();
    }

    @Test
    void theDemoConfiguresItselfWithNoDeprecatedKey() {
        // A deprecated alias still works but warns on every start: the demo is the first thing a new
        // user runs, and it used mqtt.train-after.
        Map<String, ConfigDef.Key> known = new HashMap<>();
        for (ConfigDef.Key k : HostRuntime.knownKeys(plugins())) {
            known.put(k.name(), k);
        }
        for (String key : Demo.demoDefaults().keySet()) {
            ConfigDef.Key k = known.get(key);
            assertNotNull(k, key + " is not a key of the host, its adapters or its plugins");
            assertFalse(k.description().startsWith("deprecated"), key + " is " + k.description());
        }
    }

    @Test
    void helpListsEveryKeyWithItsDefault() {
        Run help = run("--help");
        assertEquals(0, help.code());
        for (String command : List.of("serve", "demo", "train", "forecast", "bench", "evaluate", "nab")) {
            assertTrue(help.out().contains("  " + command), command);
        }
        for (ConfigDef.Key k : HostRuntime.knownKeys(plugins())) {
            assertTrue(help.out().contains(k.name()), k.name() + " missing from --help");
        }
        assertTrue(help.out().contains("prognos.http.port            5002"), help.out());
        Run bad = run("frobnicate", "--data-dir", "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown command 'frobnicate'"), bad.err());
        Run typo = run("train", "--device", "d", "--sensor", "s", "--epochs", "3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("--epochs: unknown option"), typo.err());
    }

    @Test
    void configurationComesFromFileThenEnvironmentThenFlags() throws Exception {
        Path file = tmp.resolve("prognos.properties");
        Files.writeString(file, "prognos.http.port=6000\nprognos.threads=3\nlstm.epochs=7\n");
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train)
                .setUnmatchedArgumentsAllowed(true)
                .parseArgs(
                        "--device",
                        "d",
                        "--sensor",
                        "s",
                        "--config",
                        file.toString(),
                        "--threads",
                        "2",
                        "--lstm.epochs=9",
                        "--json");
        Map<String, String> c = train.config.resolve(
                HostRuntime.knownKeys(plugins()),
                Map.of("PROGNOS_HTTP_PORT", "7000", "PROGNOS_THREADS", "5", "JDBC_URL", "jdbc:postgresql://db/x"));
        assertEquals("7000", c.get("prognos.http.port"), "environment over file");
        assertEquals("2", c.get("prognos.threads"), "flag over environment");
        assertEquals("9", c.get("lstm.epochs"), "flag over file");
        assertEquals("jdbc:postgresql://db/x", c.get("jdbc.url"));
        assertTrue(train.json, "a subcommand option, not configuration");
        assertEquals("PROGNOS_PLUGINS_DIR", ConfigOptions.envName("prognos.plugins-dir"));
    }

    /** A missing input file is the user's to mend: said in one line, not a stack trace. */
    @Test
    void aMissingInputFileIsNamedInOneLine() {
        Run r = run("evaluate", "--csv", "target/no-such-readings.csv");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("evaluate failed: target/no-such-readings.csv: no such file"), r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace:\n" + r.err());
    }

    /**
     * A CSV's time zone or timestamp pattern that is none is a usage error of every command that
     * reads a CSV, said before the file is read (the file here does not exist) or a plugin started.
     */
    @Test
    void aBadTimeZoneOrTimestampPatternIsAUsageError() {
        for (String command : List.of("train", "forecast", "evaluate")) {
            List<String> sensor = command.equals("evaluate") ? List.of() : List.of("--device", "d", "--sensor", "s");
            List<String> zone = new ArrayList<>(
                    List.of(command, "--csv", "target/no-such-readings.csv", "--ts-zone", "Europe/Berln"));
            zone.addAll(sensor);
            Run z = run(zone.toArray(String[]::new));
            assertEquals(2, z.code(), command + ": " + z.err());
            assertTrue(
                    z.err().contains("Invalid value for option '--ts-zone': 'Europe/Berln' is not a time zone"),
                    z.err());
            List<String> pattern = new ArrayList<>(
                    List.of(command, "--csv", "target/no-such-readings.csv", "--ts-format", "dd.MM.yyyy {"));
            pattern.addAll(sensor);
            Run p = run(pattern.toArray(String[]::new));
            assertEquals(2, p.code(), command + ": " + p.err());
            assertTrue(p.err().contains("'dd.MM.yyyy {' is not a timestamp pattern"), p.err());
        }
    }

    /**
     * A sensor whose readings never change (a setpoint, a switch left on) trains; its relative MAE,
     * 0 over 0, is said to be undefined and why, where it printed "NaN".
     */
    @Test
    void aSensorThatNeverChangesTrainsAndItsRelativeMaeIsSaidToBeUndefined(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int h = 0; h < 24 * 20; h++) {
            csv.append(Instant.parse("2026-11-01T00:00:00Z").plusSeconds(3600L * h))
                    .append(",42\n");
        }
        Path file = Files.writeString(dir.resolve("setpoint.csv"), csv);
        Run r = run(
                "train",
                "--csv",
                file.toString(),
                "--device",
                "boiler",
                "--sensor",
                "setpoint",
                "--lstm.epochs=1",
                "--data-dir",
                dir.resolve("data").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("relative MAE undefined: the last value is exact on the validation windows); stored"),
                r.out());
    }

    /**
     * A spreadsheet's export in local time, day first with decimal commas, trains and forecasts;
     * the forecast's times are printed in the file's zone, an hour after its last line.
     */
    @Test
    void aLocalTimeExportTrainsAndForecastsInItsOwnZone(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("Zeit;Temperatur\n");
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant start = Instant.parse("2026-10-01T00:00:00Z");
        DateTimeFormatter dayFirst = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm");
        int hours = 24 * 40;
        for (int h = 0; h < hours; h++) {
            Instant t = start.plusSeconds(3600L * h);
            double v = 60 + 5 * Math.sin(2 * Math.PI * h / 24) + 0.3 * Math.sin(h * 7.1);
            csv.append(dayFirst.format(t.atZone(berlin)))
                    .append(';')
                    .append(String.format(Locale.ROOT, "%.2f", v).replace('.', ','))
                    .append('\n');
        }
        Path file = Files.writeString(dir.resolve("export.csv"), csv);
        String data = dir.resolve("data").toString();
        String[] format = {
            "--csv",
            file.toString(),
            "--delimiter",
            ";",
            "--decimal",
            ",",
            "--ts-format",
            "dd.MM.yyyy HH:mm",
            "--ts-zone",
            "Europe/Berlin",
            "--device",
            "line-1",
            "--sensor",
            "oven",
            "--data-dir",
            data
        };
        List<String> train = new ArrayList<>(List.of("train", "--lstm.epochs=1"));
        train.addAll(List.of(format));
        Run refused = run(withOption(train, "forecast_horizon=0"));
        assertEquals(2, refused.code(), "a bad option is a usage error: " + refused.err());
        assertTrue(refused.err().contains("forecast_horizon"), "the option named: " + refused.err());
        assertFalse(refused.err().contains("\tat "), "a stack trace:\n" + refused.err());
        Run trained = run(withOption(train, "forecast_horizon=6"));
        assertEquals(0, trained.code(), trained.err());
        assertTrue(
                trained.out().contains("on " + hours + " intervals of PT1H"),
                "every hour, the repeated one too: " + trained.out());
        // Trained again keeping the stored model's options, with one more.
        List<String> again = new ArrayList<>(train);
        again.addAll(List.of("--keep-options", "--json"));
        Run kept = run(withOption(again, "patience=3"));
        assertEquals(0, kept.code(), kept.err());
        JsonNode keptModel = new ObjectMapper().readTree(kept.out());
        assertEquals(6, keptModel.get("forecast_horizon").asInt(), kept.out());
        assertEquals("3", keptModel.get("train_options").get("patience").asText(), kept.out());
        List<String> forecast = new ArrayList<>(List.of("forecast", "--lstm.epochs=1"));
        forecast.addAll(List.of(format));
        Run f = run(forecast.toArray(String[]::new));
        assertEquals(0, f.code(), f.err());
        Instant last = start.plusSeconds(3600L * (hours - 1));
        assertTrue(
                f.out()
                                .contains(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                                        last.plusSeconds(6 * 3600).atZone(berlin)))
                        && !f.out()
                                .contains(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                                        last.plusSeconds(7 * 3600).atZone(berlin))),
                "six steps, as trained with --option forecast_horizon=6: " + f.out());
        assertTrue(
                f.out().contains("from " + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(last.atZone(berlin))),
                f.out());
        assertTrue(
                f.out()
                        .contains("  "
                                + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                                        last.plusSeconds(3600).atZone(berlin))
                                + " "),
                f.out());
    }

    private static String[] withOption(List<String> args, String option) {
        List<String> with = new ArrayList<>(args);
        with.addAll(List.of("--option", option));
        return with.toArray(String[]::new);
    }

    /** So is a NAB file whose rows are out of time order, found before it is streamed. */
    @Test
    void aNabFileOutOfTimeOrderIsNamedInOneLine() throws Exception {
        Path data = Files.createDirectories(Path.of("target/nab-out-of-order/cat"));
        Files.writeString(
                data.resolve("f.csv"),
                "timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,2\n2015-01-01 00:04:00,3\n");
        Path windows = Files.writeString(Path.of("target/nab-out-of-order/windows.json"), "{\"cat/f.csv\": []}");
        Run r = run("nab", "--data", data.getParent().toString(), "--windows", windows.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "nab failed: cat/f.csv: line 4 (2015-01-01T00:04:00Z) is earlier than the line before it"),
                r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace:\n" + r.err());
    }

    /** A port another program holds is the operator's to mend: named by its key in one line, exit code 2. */
    @Test
    void aTakenPortIsNamedByItsKeyInOneLine() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = held.getLocalPort();
            for (String[] c : List.of(
                    new String[] {"prognos.http.port", "--prognos.http.port=" + port, "--prognos.mqtt.port=0"},
                    new String[] {"prognos.mqtt.port", "--prognos.http.port=0", "--prognos.mqtt.port=" + port})) {
                // A serve that did start would not return: bounded.
                Run r = assertTimeoutPreemptively(
                        Duration.ofMinutes(2),
                        () -> run("serve", "--data-dir", tmp.resolve(c[0]).toString(), c[1], c[2]));
                assertEquals(2, r.code(), r.err());
                assertTrue(r.err().contains(c[0] + ": "), r.err());
                assertTrue(r.err().contains(Integer.toString(port)), r.err());
                assertFalse(r.err().contains("\tat "), "a stack trace:\n" + r.err());
            }
        }
    }

    @Test
    void aDataDirectoryThatIsAFileIsNamedByItsKeyInOneLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "");
        Run r = run("serve", "--data-dir", file.toString(), "--prognos.http.port=0", "--prognos.mqtt.port=0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("prognos.data-dir: " + file + " is a file, not a directory"), r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace:\n" + r.err());
    }

    /**
     * A plant's own readings query that the database cannot use stops the start naming its key
     * (it was found at the first training, as a 500); one on the host's own table, which the host
     * creates, is fine on a fresh database.
     */
    @Test
    void aReadingsQueryTheDatabaseCannotUseStopsTheStartNamingItsKey() throws Exception {
        Run r = assertTimeoutPreemptively(
                Duration.ofMinutes(2),
                () -> run(
                        "serve",
                        "--data-dir",
                        tmp.resolve("bad-query").toString(),
                        "--prognos.http.port=0",
                        "--prognos.mqtt.port=0",
                        "--jdbc.readings-query=SELECT ts FROM sensor_readings WHERE device_id = :device_id"));
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("jdbc.readings-query: returns the columns [ts]; it must return ts and value"),
                r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace:\n" + r.err());
    }

    /**
     * {@code train} and {@code forecast} from the database: a sensor whose readings all lie further
     * back than {@code prognos.forecast-lookback} trains on them, and its forecast says that it reads
     * back only so far and how to reach them (it said only that forecasts resume after 162 more
     * readings, in about a week).
     */
    @Test
    void theCommandLineForecastsFromTheDatabaseAndSaysHowFarBackItReads() throws Exception {
        Path dir = tmp.resolve("old-readings");
        SensorId sensor = SensorId.of("boiler-1", "temp");
        try (HostRuntime host = HostFixture.start(HostFixture.config(dir), HostRuntime.Parts.STORE_ONLY)) {
            new ReadingsTable(host.jdbc().dataSource()).createIfAbsent();
            HostFixture.store(
                    host,
                    sensor,
                    HostFixture.hourly(400, 0, 5).stream()
                            .map(r -> new Reading(r.timestamp().minus(Duration.ofDays(10)), r.value()))
                            .toList());
        }
        String[] which = {"--device", "boiler-1", "--sensor", "temp", "--data-dir", dir.toString()};
        Run trained = run(concat(new String[] {"train"}, which));
        assertEquals(0, trained.code(), trained.err());
        Run refused = run(concat(new String[] {"forecast"}, which));
        assertEquals(1, refused.code(), refused.out());
        assertTrue(
                refused.err()
                        .contains("none of its stored readings is from the last 7d, what the host reads back for a"
                                + " sensor it starts to serve (prognos.forecast-lookback"),
                refused.err());
        Run longer = run(concat(new String[] {"forecast", "--prognos.forecast-lookback=30d"}, which));
        assertEquals(0, longer.code(), longer.err());
        assertTrue(longer.out().startsWith("forecast of boiler-1/temp from "), longer.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Counts below their least are refused naming the option; bench's --trainings 0 skips the memory figure. */
    @Test
    void aBenchCountBelowItsLeastIsRefusedNamingTheOption() {
        for (String[] c : List.of(
                new String[] {"bench", "--sensors", "0", "1"},
                new String[] {"bench", "--trainings", "-5", "0"},
                new String[] {"bench-ingest", "--rate", "0", "1"},
                new String[] {"bench-kafka", "--sensors", "0", "1"})) {
            Run r = run(c[0], c[1], c[2]);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[1] + " must be at least " + c[3] + ", got " + c[2]), r.err());
        }
    }

    /**
     * {@code evaluate} and {@code nab} take the same configuration flags as every command: they
     * apply, and a bad or unknown one is refused naming its key (both were dropped unread before,
     * so an experiment's flag changed nothing and said nothing).
     */
    @Test
    void evaluateAndNabApplyConfigurationFlagsAndRefuseBadOnes() throws Exception {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 400; i++) {
            csv.append(1_735_689_600L + 3600L * i)
                    .append(',')
                    .append(20 + Math.sin(i / 4.0))
                    .append('\n');
        }
        Path file = Files.writeString(tmp.resolve("flags.csv"), csv);
        Run applied = run("evaluate", "--csv", file.toString(), "--json", "--lstm.horizon=6", "--lstm.epochs=1");
        assertEquals(0, applied.code(), applied.err());
        assertEquals(
                6,
                new ObjectMapper()
                        .readTree(applied.out())
                        .get("methods")
                        .get("prognos")
                        .get("per_step")
                        .size(),
                "--lstm.horizon=6 forecast six steps");
        Run bad = run("evaluate", "--csv", file.toString(), "--lstm.units=0");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("lstm.units"), bad.err());
        Path windows = Files.writeString(tmp.resolve("flags-windows.json"), "{}");
        Run unknown = run("nab", "--data", tmp.toString(), "--windows", windows.toString(), "--lstm.no-such-key=1");
        assertEquals(2, unknown.code(), unknown.out() + unknown.err());
        assertTrue(unknown.err().contains("lstm.no-such-key"), unknown.err());
        // Over a folder of series, a bad setting is refused once, not skipped series by series.
        Path folder = Files.createDirectories(tmp.resolve("flags-series"));
        Files.writeString(folder.resolve("a.csv"), csv);
        Files.writeString(folder.resolve("b.csv"), csv);
        Run badOverMany = run("evaluate", "--data", folder.toString(), "--lstm.units=0");
        assertEquals(2, badOverMany.code(), badOverMany.out() + badOverMany.err());
        assertEquals(1, badOverMany.err().split("lstm.units", -1).length - 1, badOverMany.err());
        // A key given twice is refused, not the last taken: on the command line (also as --data-dir
        // beside --prognos.data-dir) and in a configuration file.
        Run twice = run("evaluate", "--csv", file.toString(), "--lstm.epochs=1", "--lstm.epochs", "5");
        assertEquals(2, twice.code(), twice.out() + twice.err());
        assertTrue(twice.err().contains("lstm.epochs: given more than once"), twice.err());
        Run twiceNamed = run("evaluate", "--csv", file.toString(), "--data-dir", "a", "--prognos.data-dir=b");
        assertEquals(2, twiceNamed.code(), twiceNamed.out() + twiceNamed.err());
        assertTrue(twiceNamed.err().contains("prognos.data-dir: given more than once"), twiceNamed.err());
        Path doubled =
                Files.writeString(tmp.resolve("doubled.properties"), "lstm.epochs=1\nlstm.units=8\nlstm.epochs = 5\n");
        Run twiceInFile = run("evaluate", "--csv", file.toString(), "--config", doubled.toString());
        assertEquals(2, twiceInFile.code(), twiceInFile.out() + twiceInFile.err());
        assertTrue(twiceInFile.err().contains("lstm.epochs: set more than once in"), twiceInFile.err());
        assertFalse(twiceInFile.err().contains("lstm.units"), twiceInFile.err());
        Run typo = run("evaluate", "--csv", file.toString(), "--nonsense.key=1");
        assertEquals(2, typo.code(), typo.out() + typo.err());
        assertTrue(typo.err().contains("nonsense.key"), typo.err());
        // The parts evaluate does not start are checked as serve checks them: a configuration is
        // refused or taken the same by every command.
        Run unused = run("evaluate", "--csv", file.toString(), "--mqtt.max-payload-bytes=0", "--kafka.no-such-key=1");
        assertEquals(2, unused.code(), unused.out() + unused.err());
        assertTrue(
                unused.err().contains("mqtt.max-payload-bytes") && unused.err().contains("kafka.no-such-key"),
                unused.err());
    }

    @Test
    void nabNamesBadOptionsAsUsageErrors() throws Exception {
        Path windows = Files.writeString(tmp.resolve("nab-windows.json"), "{\"cat/a.csv\": []}");
        Path data = Files.createDirectories(tmp.resolve("nab-data/cat"));
        Files.writeString(data.resolve("a.csv"), "timestamp,value\n2025-01-01 00:00:00,1\n");
        String[][] bad = {{"--threshold", "1.5"}, {"--threshold", "NaN"}, {"--alerts", "often"}, {"--threads", "0"}};
        for (String[] b : bad) {
            Run r = run("nab", "--data", data.getParent().toString(), "--windows", windows.toString(), b[0], b[1]);
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.err());
            assertTrue(r.err().contains(b[0]), r.err());
        }
        Run noThreshold = run("nab", "--score", data.getParent().toString(), "--windows", windows.toString());
        assertEquals(2, noThreshold.code(), noThreshold.err());
        assertTrue(noThreshold.err().contains("--threshold"), noThreshold.err());
        // One category given instead of the corpus: said so, not only that nothing matched.
        Run category = run("nab", "--data", data.toString(), "--windows", windows.toString());
        assertEquals(1, category.code(), category.err());
        assertTrue(category.err().contains("give the folder above it"), category.err());
    }

    @Test
    void badConfigurationIsRefusedNamingEveryKey() {
        Run r = run(
                "train",
                "--device",
                "d",
                "--sensor",
                "s",
                "--threads",
                "-1",
                "--http.port=http",
                "--lstm.epochs=-1",
                "--nonsense.key=1",
                "--data-dir",
                "target/never-created");
        assertEquals(2, r.code(), r.out() + r.err());
        for (String key : List.of("prognos.threads", "prognos.http.port")) {
            assertTrue(r.err().contains(key), key + " not named:\n" + r.err());
        }
        Run later = run(
                "train",
                "--device",
                "d",
                "--sensor",
                "s",
                "--lstm.epochs=-1",
                "--nonsense.key=1",
                "--data-dir",
                "target/never-created");
        assertEquals(2, later.code());
        assertTrue(later.err().contains("nonsense.key"), later.err());
    }
}
