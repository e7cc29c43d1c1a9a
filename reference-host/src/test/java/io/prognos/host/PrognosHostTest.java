package io.prognos.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrognosHostTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrognosHost.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoDiscoversThePluginTrainsForecastsAndSchedules() {
        Run r = run("demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("plugin lstm"), r.out());
        for (String sensor : List.of("office-hvac/ambient_temperature", "pump-2/bearing_temperature",
                "fan-3/motor_current")) {
            assertTrue(r.out().contains(sensor), sensor + " missing:\n" + r.out());
        }
        // The heating bearing is the most urgent device, with a forecast time to failure.
        String schedule = r.out().substring(r.out().indexOf("Maintenance schedule"));
        assertTrue(schedule.contains("1. pump-2") && schedule.contains("high"), schedule);
        assertTrue(r.out().contains("time to failure"), r.out());
    }

    @Test
    void helpAndUnknownCommands() {
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("demo"));
        Run bad = run("frobnicate");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown command 'frobnicate'"));
    }

    @Test
    void csvTimestampsInEveryAcceptedFormAndBadLinesNamed() throws Exception {
        String csv = "timestamp,value\n2013-07-04 00:00:00,1.5\n2013-07-04T01:00:00Z,2\n1372906800000,3\n";
        List<Reading> readings = CsvReadings.read(new BufferedReader(new StringReader(csv)), ",", 1);
        assertEquals(3, readings.size());
        assertEquals(Instant.parse("2013-07-04T00:00:00Z"), readings.get(0).timestamp());
        assertEquals(Instant.parse("2013-07-04T01:00:00Z"), readings.get(1).timestamp());
        assertEquals(Instant.parse("2013-07-04T03:00:00Z"), readings.get(2).timestamp());
        var e = assertThrows(BadRequestException.class, () -> CsvReadings.read(
                new BufferedReader(new StringReader("ts,value\n2013-07-04 00:00:00,hot\n")), ",", 1));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
