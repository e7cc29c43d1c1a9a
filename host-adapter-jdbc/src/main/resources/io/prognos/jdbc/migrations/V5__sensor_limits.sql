-- Operating limits set at run time (REST PUT limits, the dashboard), kept across restarts; a sensor
-- without a row has those of prognos.limits. Set in memory only before, they were gone after a
-- restart, which a plant that set them from the dashboard did not expect.
CREATE TABLE sensor_limits (
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    low                   double precision,
    warning_low           double precision,
    warning_high          double precision,
    high                  double precision,
    set_at                timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, sensor_key)
);
