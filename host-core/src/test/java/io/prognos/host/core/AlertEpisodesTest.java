package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertEpisodesTest {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    static final Duration HOLD = Duration.ofHours(12);

    /** The alerts a sequence of hourly levels raises and clears, as "raised HIGH@3" and "cleared@9". */
    static List<String> alerts(RiskLevel... hourly) {
        List<String> out = new ArrayList<>();
        RiskLevel episode = RiskLevel.LOW;
        Instant last = null;
        for (int h = 0; h < hourly.length; h++) {
            AlertEpisodes.Step s = AlertEpisodes.step(episode, last, hourly[h], T0.plus(Duration.ofHours(h)), HOLD);
            if (s.raised()) {
                out.add("raised " + hourly[h] + "@" + h);
            }
            if (s.cleared()) {
                out.add("cleared@" + h);
            }
            episode = s.episodeLevel();
            last = s.lastAlerting();
        }
        return out;
    }

    static RiskLevel[] levels(String code) {
        RiskLevel[] out = new RiskLevel[code.length()];
        for (int i = 0; i < code.length(); i++) {
            out[i] = switch (code.charAt(i)) {
                case 'l' -> RiskLevel.LOW;
                case 'm' -> RiskLevel.MEDIUM;
                case 'h' -> RiskLevel.HIGH;
                default -> RiskLevel.CRITICAL;
            };
        }
        return out;
    }

    @Test
    void aLevelHoveringAroundMediumIsOneAlertNotOnePerCrossing() {
        assertEquals(List.of("raised MEDIUM@2"), alerts(levels("llmlmlmlmll")));
    }

    @Test
    void theAlertClearsOnceTheLevelStayedBelowMediumForTheWholeHold() {
        // Last medium at hour 2; cleared at hour 14 (12 hours later), not before.
        assertEquals(List.of("raised MEDIUM@2", "cleared@14"), alerts(levels("llm" + "l".repeat(14))));
        // A new rise after the clear is a new alert.
        assertEquals(
                List.of("raised MEDIUM@0", "cleared@12", "raised MEDIUM@13"),
                alerts(levels("m" + "l".repeat(12) + "m")));
    }

    @Test
    void anEscalationIsRaisedAndAFallWithinTheEpisodeIsNot() {
        assertEquals(List.of("raised MEDIUM@0", "raised HIGH@1", "raised CRITICAL@4"), alerts(levels("mhmhc")));
    }
}
