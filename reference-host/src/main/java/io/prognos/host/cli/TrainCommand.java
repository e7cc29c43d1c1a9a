package io.prognos.host.cli;

import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.RetrainOptions;
import io.prognos.host.core.TrainingOutOfMemory;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ModelMessage;
import io.prognos.host.runtime.HostRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train}: one sensor from the database or a CSV; the model is stored. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Train one sensor from the database, or from a CSV of timestamp,value, and store the model.")
final class TrainCommand extends HostCommand {

    @Mixin
    SensorOptions sensor;

    @Option(names = "--json", description = "the model as JSON")
    boolean json;

    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description = "a training option of the plugin, as REST train takes it (for the LSTM forecast_horizon,"
                    + " sequence_length, epochs, batch_size, patience, interval); repeatable. The model keeps"
                    + " them: the host's own retrainings repeat them")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(
            names = "--keep-options",
            description = "train with the options the sensor's stored model was trained with too (those the plugin"
                    + " still takes), --option ones over them, as REST train's keep_options")
    boolean keepOptions;

    @Override
    public Integer call() throws Exception {
        Launch launch = Launch.of(config);
        SensorId id = sensor.id();
        PrintWriter out = out();
        try (HostRuntime runtime =
                HostRuntime.start(launch.config(), launch.found(), HostRuntime.Parts.STORE_ONLY, Clock.systemUTC())) {
            Map<String, String> asked = RetrainOptions.requested(runtime.plugin(), id, keepOptions, options);
            List<Reading> csv = sensor.csv != null ? sensor.csvReadings() : null;
            ModelInfo m = TrainingOutOfMemory.told(
                    id,
                    () -> csv != null
                            ? runtime.plugin().train(new TrainRequest(id, csv, asked))
                            : runtime.service().train(id, asked));
            if (json) {
                out.println(Json.pretty(ModelMessage.of(m)));
            } else {
                out.printf(
                        Locale.ROOT,
                        "trained %s in %.1f s on %d intervals of %s: serving %s, validation MAE %.3f"
                                + " (last value %.3f, relative MAE %s); stored%n",
                        id,
                        m.trainingMillis() / 1000.0,
                        m.sampleCount(),
                        m.interval(),
                        m.servedMethod(),
                        m.metric(ModelInfo.VAL_MAE),
                        m.metric(ModelInfo.BASELINE_MAE),
                        relativeMae(m));
            }
            out.flush();
            return 0;
        }
    }

    /** Undefined when the last value's MAE is 0 (a series that never changed in its validation windows). */
    private static String relativeMae(ModelInfo m) {
        if (Double.isFinite(m.valRelmae())) {
            return String.format(Locale.ROOT, "%.2f", m.valRelmae());
        }
        return m.metric(ModelInfo.BASELINE_MAE) == 0
                ? "undefined: the last value is exact on the validation windows"
                : "not reported";
    }
}
