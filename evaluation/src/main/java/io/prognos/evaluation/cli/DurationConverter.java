package io.prognos.evaluation.cli;

import io.prognos.api.ConfigDef;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line in the same forms as configuration: 500ms, 90s, 15m, 1h, 2d or PT1H. */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration d;
        try {
            d = ConfigDef.parseDuration(value);
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 1h, 5m or 1s");
        }
        if (d.isZero() || d.isNegative()) {
            throw new TypeConversionException("a duration must be positive, got '" + value + "'");
        }
        return d;
    }
}
