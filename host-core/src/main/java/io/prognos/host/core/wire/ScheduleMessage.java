package io.prognos.host.core.wire;

import io.prognos.api.ScheduleEntry;
import java.time.Instant;
import java.util.List;

/** The maintenance schedule on the wire (MQTT {@code maintenance/schedule}, REST, Kafka). */
public record ScheduleMessage(int scheduleCount, List<Entry> schedule) {

    /** One device: its most urgent sensor and when to act. */
    public record Entry(
            int priority,
            String deviceId,
            String sensorKey,
            String riskLevel,
            int riskScore,
            Double timeToFailureHours,
            Instant actBy,
            String recommendedAction) {}

    public static ScheduleMessage of(List<ScheduleEntry> entries) {
        return new ScheduleMessage(
                entries.size(),
                entries.stream()
                        .map(e -> new Entry(
                                e.priority(),
                                e.deviceId(),
                                e.worstSensor().sensorKey(),
                                e.level().wireName(),
                                e.score(),
                                e.timeToFailureHours(),
                                e.actBy(),
                                e.recommendedAction()))
                        .toList());
    }
}
