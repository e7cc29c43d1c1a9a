package io.prognos.api;

/**
 * Operating limits of a sensor as the plant defines them. Each bound is optional (null).
 * A {@code high}/{@code low} crossing is a failure; {@code warningHigh}/{@code warningLow} are
 * earlier thresholds that raise the level to medium.
 */
public record OperatingLimits(Double low, Double warningLow, Double warningHigh, Double high) {

    private static final OperatingLimits NONE = new OperatingLimits(null, null, null, null);

    public OperatingLimits {
        check("low", low);
        check("warning_low", warningLow);
        check("warning_high", warningHigh);
        check("high", high);
        if (low != null && high != null && low >= high) {
            throw new BadRequestException("low", "low limit " + low + " must be below high limit " + high);
        }
        if (warningHigh != null && high != null && warningHigh > high) {
            throw new BadRequestException(
                    "warning_high", "warning_high " + warningHigh + " must not be above high " + high);
        }
        if (warningLow != null && low != null && warningLow < low) {
            throw new BadRequestException("warning_low", "warning_low " + warningLow + " must not be below low " + low);
        }
    }

    public static OperatingLimits none() {
        return NONE;
    }

    public static OperatingLimits between(double low, double high) {
        return new OperatingLimits(low, null, null, high);
    }

    public static OperatingLimits above(double high) {
        return new OperatingLimits(null, null, null, high);
    }

    /** Whether {@code value} is at or beyond a failure limit ({@code low} or {@code high}). */
    public boolean failed(double value) {
        return (high != null && value >= high) || (low != null && value <= low);
    }

    /**
     * Where the straight line from {@code from} to {@code to} first reaches a failure limit, as a
     * fraction of it (0 when {@code from} is already beyond); null when {@code to} is within the
     * limits. How a first crossing is timed between two intervals' values, forecast or come.
     */
    public Double firstCrossing(double from, double to) {
        Double best = null;
        if (high != null && to >= high) {
            best = from >= high ? 0.0 : (high - from) / (to - from);
        }
        if (low != null && to <= low) {
            double f = from <= low ? 0.0 : (from - low) / (from - to);
            best = best == null ? f : Math.min(best, f);
        }
        return best;
    }

    public boolean isEmpty() {
        return low == null && high == null && warningLow == null && warningHigh == null;
    }

    private static void check(String field, Double v) {
        if (v != null && !Double.isFinite(v)) {
            throw new BadRequestException(field, field + " must be a finite number, got " + v);
        }
    }
}
