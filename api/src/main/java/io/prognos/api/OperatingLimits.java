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

    public boolean isEmpty() {
        return low == null && high == null && warningLow == null && warningHigh == null;
    }

    private static void check(String field, Double v) {
        if (v != null && !Double.isFinite(v)) {
            throw new BadRequestException(field, field + " must be a finite number, got " + v);
        }
    }
}
