package io.prognos.host.cli;

import io.prognos.api.Forecast;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.host.core.wire.ForecastMessage;
import io.prognos.host.core.wire.Json;
import io.prognos.host.runtime.HostRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code forecast}: one sensor with its stored model. */
@Command(
        name = "forecast",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Forecast one sensor with its stored model, from the database or a CSV.")
final class ForecastCommand extends HostCommand {

    @Mixin
    SensorOptions sensor;

    @Option(names = "--json", description = "the forecast as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Launch launch = Launch.of(config);
        SensorId id = sensor.id();
        PrintWriter out = out();
        try (HostRuntime runtime =
                HostRuntime.start(launch.config(), launch.found(), HostRuntime.Parts.STORE_ONLY, Clock.systemUTC())) {
            Forecast f;
            if (sensor.csv != null) {
                SensorState state = runtime.plugin().openState(id, null);
                runtime.plugin().observe(state, sensor.csvReadings());
                f = runtime.plugin().forecast(state);
            } else {
                f = fromDatabase(runtime, id);
            }
            if (json) {
                out.println(Json.pretty(ForecastMessage.of(f)));
            } else {
                // In the zone the CSV's times were read in, so that they line up with the file's.
                ZoneId zone = sensor.format.zone();
                Function<Instant, String> time = t -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atZone(zone));
                out.printf(
                        "forecast of %s from %s (%s, %.0f%% intervals):%n",
                        id, time.apply(f.lastObserved()), f.method(), f.coverage() * 100);
                f.points()
                        .forEach(p -> out.printf(
                                Locale.ROOT,
                                "  %s  %10.3f  [%.3f, %.3f]%n",
                                time.apply(p.timestamp()),
                                p.value(),
                                p.lower(),
                                p.upper()));
            }
            out.flush();
            return 0;
        }
    }

    /**
     * The forecast from the database's readings, which the host reads back only {@code
     * prognos.forecast-lookback} from now (the refusal says so when none is that recent); the
     * command line can also be given the readings themselves.
     */
    private static Forecast fromDatabase(HostRuntime runtime, SensorId id) {
        try {
            return runtime.service().predict(id, null).forecast();
        } catch (RetryLaterException e) {
            if (e.reason() != RetryLaterException.Reason.AWAITING_READINGS) {
                throw e;
            }
            throw new RetryLaterException(
                    e.reason(), e.getMessage() + ". Older readings can also be given in --csv FILE", e.retryAfter(), e);
        }
    }
}
