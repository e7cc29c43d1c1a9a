package io.prognos.host.rest;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.prognos.host.core.wire.ModelMessage;
import io.prognos.host.core.wire.ScheduleMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The REST API's own replies, in the original API's field names (the shared payloads live in host-core's wire). */
final class Replies {

    private Replies() {}

    /** {@code GET status}. */
    record Status(
            Engine forecastingEngine,
            Host host,
            Map<String, Object> kafka,
            Poller poller,
            Map<String, String> configuration) {}

    /** The database poller ({@code prognos.poll-every}): how often, and what its last run did. */
    record Poller(
            String every,
            Instant lastRunEndedAt,
            Integer sensors,
            Integer trained,
            Integer forecasts,
            Integer skipped,
            Boolean completed) {}

    /** What the original API called the forecasting engine, plus the plugin's identity. */
    record Engine(
            String status,
            String optimizationMode,
            String frameworkVersion,
            String pluginId,
            String pluginVersion,
            String spiVersion,
            Capabilities capabilities,
            int modelsLoaded) {}

    /** The original capabilities, plus what is new; defaults come from the plugin's own description. */
    record Capabilities(
            boolean timeSeriesForecasting,
            boolean failurePrediction,
            boolean maintenanceScheduling,
            boolean confidenceIntervals,
            boolean batchForecasting,
            boolean modelPersistence,
            boolean anomalyScores,
            Double defaultForecastHorizonHours,
            int defaultForecastHorizon,
            Object defaultSequenceLength,
            String defaultInterval,
            double anomalyThreshold) {}

    /** The host's side of status. */
    record Host(int threads, String mqtt, long readingsReceived, int sensorsInMemory) {}

    /** {@code GET maintenance-schedule}. */
    record Schedule(
            boolean success,
            @JsonUnwrapped ScheduleMessage schedule,
            double daysAhead,
            int sensorsAssessed,
            Map<String, String> sensorsSkipped) {}

    /** {@code GET models}. */
    record Models(boolean success, int modelCount, List<ModelMessage> models) {}

    /** {@code GET models/{device}/{sensor}}. */
    record Model(boolean success, ModelMessage model) {}

    /** {@code DELETE models/{device}/{sensor}}. */
    record Deleted(boolean success, String deleted) {}

    /** {@code GET test}. */
    record SelfTest(
            boolean success,
            String description,
            double trainingTimeSeconds,
            double predictionTimeMs,
            Double valMae,
            Double baselineMae,
            String servedMethod,
            int forecastPoints,
            String plugin) {}

    /**
     * {@code GET /health}: UP or DOWN, each component's state, and the database writes waiting
     * (queued or retrying; null when nothing is stored from MQTT).
     */
    record Health(String status, Map<String, String> components, Integer writeBacklog) {}
}
