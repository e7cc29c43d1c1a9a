package io.prognos.host.cli;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.evaluation.cli.CsvFormatOptions;
import io.prognos.evaluation.data.CsvReadings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which sensor a command is about, and optionally a CSV of its readings instead of the database. */
final class SensorOptions {

    @Option(names = "--device", paramLabel = "ID", required = true, description = "device id")
    String device;

    @Option(names = "--sensor", paramLabel = "KEY", required = true, description = "sensor key")
    String sensor;

    @Option(
            names = "--csv",
            paramLabel = "FILE",
            description = "readings from a CSV (timestamp,value) instead of" + " the database")
    Path csv;

    @Option(names = "--ts-column", paramLabel = "NAME", description = "timestamp column of --csv (default: the first)")
    String tsColumn;

    @Option(
            names = "--value-column",
            paramLabel = "NAME",
            description = "value column of --csv (default: the" + " second)")
    String valueColumn;

    @Mixin
    CsvFormatOptions format;

    SensorId id() {
        return SensorId.of(device, sensor);
    }

    List<Reading> csvReadings() throws IOException {
        return CsvReadings.read(csv, format.columns(tsColumn, valueColumn));
    }
}
