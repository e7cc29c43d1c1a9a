-- SPI 2: a model's plugin-specific figures live in a metrics map; the LSTM-only columns become optional.
ALTER TABLE lstm_models ADD COLUMN metrics jsonb NOT NULL DEFAULT '{}';
ALTER TABLE lstm_models ALTER COLUMN sequence_length DROP NOT NULL;
ALTER TABLE lstm_models ALTER COLUMN epochs_run DROP NOT NULL;

-- Risk from probabilities: the time to failure's range, when to act, the anomaly score behind it,
-- and the time of the last reading the forecast started from.
ALTER TABLE risk_assessments ADD COLUMN time_to_failure_low_hours double precision;
ALTER TABLE risk_assessments ADD COLUMN time_to_failure_high_hours double precision;
ALTER TABLE risk_assessments ADD COLUMN anomaly_score double precision;
ALTER TABLE risk_assessments ADD COLUMN act_by timestamptz;
ALTER TABLE risk_assessments ADD COLUMN last_reading_at timestamptz;

-- A view keeps the columns it was created with: recreate it to show the new ones.
DROP VIEW risk_latest;
CREATE VIEW risk_latest AS
    SELECT DISTINCT ON (device_id, sensor_key) *
    FROM risk_assessments
    ORDER BY device_id, sensor_key, based_on DESC, assessed_at DESC;

-- One row per scored interval: how unlikely it was under the sensor's model, and why.
CREATE TABLE anomaly_scores (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    interval_start        timestamptz      NOT NULL,
    scored_at             timestamptz      NOT NULL,
    value                 double precision NOT NULL,
    score                 double precision NOT NULL,
    surprise              double precision NOT NULL,
    shift                 double precision NOT NULL,
    novelty               double precision NOT NULL,
    reason                text             NOT NULL,
    PRIMARY KEY (device_id, sensor_key, interval_start)
);
