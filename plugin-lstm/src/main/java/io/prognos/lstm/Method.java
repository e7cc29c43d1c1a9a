package io.prognos.lstm;

import java.util.Locale;

/** The ways a forecast can be produced; the trainer serves the one that validates best. */
enum Method {
    LSTM, LAST_VALUE, SEASONAL, DAMPED_TREND, BLEND;

    /** The component methods a blend may weigh, in the order of its weight vector. */
    static final Method[] COMPONENTS = {LSTM, LAST_VALUE, SEASONAL, DAMPED_TREND};

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
