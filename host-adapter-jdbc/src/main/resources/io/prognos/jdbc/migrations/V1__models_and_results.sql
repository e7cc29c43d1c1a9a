-- Models: one row per sensor; a save replaces the row in one transaction.
CREATE TABLE lstm_models (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    model_version         text             NOT NULL,
    format_version        integer          NOT NULL,
    checksum              text             NOT NULL,
    model                 bytea            NOT NULL,
    sequence_length       integer          NOT NULL,
    forecast_horizon      integer          NOT NULL,
    interval_ms           bigint           NOT NULL,
    train_loss            double precision,
    val_loss              double precision,
    val_mae               double precision,
    baseline_mae          double precision,
    served_method         text             NOT NULL,
    sample_count          integer          NOT NULL,
    epochs_run            integer          NOT NULL,
    training_ms           bigint           NOT NULL,
    trained_at            timestamptz      NOT NULL,
    saved_at              timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (device_id, sensor_key)
);

-- Forecasts: one row per (sensor, last observed reading, target time), so a forecast retried
-- from the same readings replaces its row instead of adding one.
CREATE TABLE forecasts (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    based_on              timestamptz      NOT NULL,
    issued_at             timestamptz      NOT NULL,
    target_time           timestamptz      NOT NULL,
    steps_ahead           integer          NOT NULL,
    value                 double precision NOT NULL,
    lower_bound           double precision NOT NULL,
    upper_bound           double precision NOT NULL,
    coverage              double precision NOT NULL,
    method                text             NOT NULL,
    model_version         text             NOT NULL,
    PRIMARY KEY (device_id, sensor_key, based_on, target_time)
);

-- Risk assessments: a history keyed like forecasts; risk_latest gives the newest per sensor (for Grafana).
CREATE TABLE risk_assessments (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    based_on              timestamptz      NOT NULL,
    assessed_at           timestamptz      NOT NULL,
    score                 integer          NOT NULL,
    level                 text             NOT NULL,
    time_to_failure_hours double precision,
    crossing_probability  double precision NOT NULL,
    deviation_rate        double precision NOT NULL,
    limits_configured     boolean          NOT NULL,
    recommended_action    text             NOT NULL,
    reasons               text[]           NOT NULL,
    PRIMARY KEY (device_id, sensor_key, based_on)
);

CREATE VIEW risk_latest AS
    SELECT DISTINCT ON (device_id, sensor_key) *
    FROM risk_assessments
    ORDER BY device_id, sensor_key, based_on DESC, assessed_at DESC;

-- The maintenance schedule as generated at a point in time.
CREATE TABLE maintenance_schedule (
    generated_at          timestamptz      NOT NULL,
    priority              integer          NOT NULL,
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    level                 text             NOT NULL,
    score                 integer          NOT NULL,
    time_to_failure_hours double precision,
    act_by                timestamptz      NOT NULL,
    recommended_action    text             NOT NULL,
    PRIMARY KEY (generated_at, priority)
);

-- The poller's progress per sensor: the newest reading it has forecast from, and when it last trained.
CREATE TABLE poll_watermarks (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    last_reading          timestamptz      NOT NULL,
    last_trained          timestamptz,
    PRIMARY KEY (device_id, sensor_key)
);
