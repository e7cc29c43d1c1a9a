package io.prognos.lstm;

import java.util.Locale;

/**
 * The candidate forecasts the online aggregation weighs. What is served is their exponentially
 * weighted average; it is named after a candidate when that one carries almost all the weight.
 */
enum Method {
    LSTM,
    LAST_VALUE,
    SEASONAL,
    SEASONAL_LEVEL,
    DAMPED_TREND;

    /** The name of a forecast mixing several candidates (the original API's name for a mixture). */
    static final String MIXTURE = "blend";

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
