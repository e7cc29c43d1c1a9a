package io.prognos.api;

import java.time.Instant;

/**
 * One line of the maintenance schedule: a device, its most urgent sensor, and when to act.
 * Priority 1 is the most urgent.
 */
public record ScheduleEntry(
        int priority,
        String deviceId,
        SensorId worstSensor,
        RiskLevel level,
        int score,
        Double timeToFailureHours,
        Instant actBy,
        String recommendedAction) {}
