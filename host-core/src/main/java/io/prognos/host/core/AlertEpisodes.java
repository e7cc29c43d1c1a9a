package io.prognos.host.core;

import io.prognos.api.RiskLevel;
import java.time.Duration;
import java.time.Instant;

/**
 * When an alert is raised and when it is cleared. An alert episode opens when the level reaches
 * medium or above, and is raised again only when the level climbs above the episode's level
 * (medium to high, say). It is cleared once the level has stayed below medium for a whole hold
 * period (the sensor's forecast horizon), not at the first calm reading: a level that dips below
 * medium for one interval and comes back is the same episode, not a new alert.
 *
 * <p>Why: without the hold a sensor hovering around the threshold raised an alert at every
 * upward crossing. On the NAB tuning series (scored as alerts, see {@code nab}), 163 alerts outside
 * the labelled windows became 118 with a hold of one horizon (12 intervals), and NAB's standard
 * score rose from 49.9 to 54.3; holds of 1 and 60 intervals scored 52.8 and 51.2 there.
 */
public final class AlertEpisodes {

    private AlertEpisodes() {}

    /**
     * The episode after one assessment: its level ({@link RiskLevel#LOW} when none is open), the
     * last time the level was medium or above, and whether this assessment raised or cleared it.
     */
    public record Step(RiskLevel episodeLevel, Instant lastAlerting, boolean raised, boolean cleared) {}

    /**
     * An episode open when a host stopped serving the sensor (stored), to go on with when it serves
     * it again: its level and the last time the level was medium or above.
     */
    public record Open(RiskLevel level, Instant lastAlerting) {
        public Open {
            if (!level.atLeast(RiskLevel.MEDIUM) || lastAlerting == null) {
                throw new IllegalArgumentException("an open episode is at medium or above, and alerted at some time: "
                        + level + ", " + lastAlerting);
            }
        }
    }

    /**
     * @param episode      the open episode's level, or LOW
     * @param lastAlerting the last time the level was medium or above (null: never)
     * @param level        the level now
     * @param at           the time of the data the level was assessed from
     * @param hold         how long the level must stay below medium to clear the episode
     */
    public static Step step(RiskLevel episode, Instant lastAlerting, RiskLevel level, Instant at, Duration hold) {
        boolean open = episode.atLeast(RiskLevel.MEDIUM);
        if (level.atLeast(RiskLevel.MEDIUM)) {
            boolean raised = level.compareTo(episode) > 0;
            return new Step(raised ? level : episode, at, raised, false);
        }
        if (open && (lastAlerting == null || !at.isBefore(lastAlerting.plus(hold)))) {
            return new Step(level, lastAlerting, false, true);
        }
        return new Step(open ? episode : level, lastAlerting, false, false);
    }
}
