package io.prognos.lstm;

import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranks assessments into a maintenance schedule: one entry per device, represented by its most
 * urgent sensor, ordered most urgent first. A device is due by its assessment's act-by time
 * (counted from its last reading); low risk is never scheduled.
 */
final class MaintenanceScheduler {

    static final Comparator<RiskAssessment> URGENCY = Comparator.comparing(RiskAssessment::level)
            .reversed()
            .thenComparing(RiskAssessment::actBy)
            .thenComparing(Comparator.comparingInt(RiskAssessment::score).reversed())
            .thenComparing(RiskAssessment::sensor);

    List<ScheduleEntry> schedule(Collection<RiskAssessment> assessments, Duration window) {
        Map<String, RiskAssessment> worst = new LinkedHashMap<>();
        for (RiskAssessment a : assessments) {
            worst.merge(a.sensor().deviceId(), a, (x, y) -> URGENCY.compare(x, y) <= 0 ? x : y);
        }
        List<RiskAssessment> ranked = new ArrayList<>(worst.values());
        ranked.sort(URGENCY);
        List<ScheduleEntry> out = new ArrayList<>();
        for (RiskAssessment a : ranked) {
            if (a.level() == RiskLevel.LOW || a.actBy().isAfter(a.assessedAt().plus(window))) {
                continue;
            }
            out.add(new ScheduleEntry(
                    out.size() + 1,
                    a.sensor().deviceId(),
                    a.sensor(),
                    a.level(),
                    a.score(),
                    a.timeToFailureHours(),
                    a.actBy(),
                    a.recommendedAction()));
        }
        return out;
    }
}
