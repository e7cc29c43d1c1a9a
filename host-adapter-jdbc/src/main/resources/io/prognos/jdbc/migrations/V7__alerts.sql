-- Alerts as raised and cleared (prognos/alerts/{device}/{sensor}): a plant's history of them, and
-- the episode each sensor had open, read back when a host starts to serve it again. Kept in memory
-- only before, a restart raised every open alert again under a new alert_id (a second work order
-- for a subscriber that opens one per alert), and never cleared one whose sensor had calmed.
CREATE TABLE alerts (
    alert_id              text             PRIMARY KEY,
    device_id             text             NOT NULL,
    sensor_key            text             NOT NULL,
    state                 text             NOT NULL,
    level                 text             NOT NULL,
    previous_level        text             NOT NULL,
    based_on              timestamptz      NOT NULL,
    assessed_at           timestamptz      NOT NULL
);

CREATE INDEX alerts_by_sensor ON alerts (device_id, sensor_key, based_on DESC, assessed_at DESC);
