package io.prognos.api;

import java.util.Locale;

/** Ordered from least to most urgent; {@link #compareTo} ranks urgency. */
public enum RiskLevel {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    /** Lower-case name as used in JSON and the original REST API. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(RiskLevel other) {
        return compareTo(other) >= 0;
    }
}
