package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;

/**
 * An alert: the risk that raised or cleared it, with an id (QoS 1 delivery may repeat it),
 * whether it was {@code raised} or {@code cleared}, the level before, and the reading the forecast
 * started from.
 */
public record AlertMessage(@JsonUnwrapped RiskMessage risk, String alertId, String state, String previousLevel,
                           Instant basedOn) {}
