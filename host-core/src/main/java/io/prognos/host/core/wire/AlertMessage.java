package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * An alert: the risk that raised or cleared it (its fields at the top level, {@code based_on} the
 * reading the forecast started from), with an id (QoS 1 delivery may repeat it), whether it was
 * {@code raised} or {@code cleared}, and the level before. One {@code closed} by a request carries
 * the sensor's newest risk, as level before the level it was open at, and the note the request
 * gave, when it gave one (the key left out otherwise, and from raises and clears, which were
 * published without it before).
 */
public record AlertMessage(
        @JsonUnwrapped RiskMessage risk,
        String alertId,
        String state,
        String previousLevel,
        @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}
