-- SPI 2.2: every change of a stored model is told on the channel prognos_models (JSON: schema,
-- device_id, sensor_key, model_version; no model_version for a delete), at commit, to every
-- session that listens: the hosts sharing this database, so that none goes on serving a model
-- another host replaced or deleted. A trigger rather than the writer's own NOTIFY, so that an
-- operator's DELETE in psql is told too. Ids are at most 256 characters each (SensorId), well
-- within NOTIFY's 8,000 bytes.
CREATE FUNCTION prognos_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('prognos_models', json_build_object(
            'schema', TG_TABLE_SCHEMA, 'device_id', OLD.device_id, 'sensor_key', OLD.sensor_key)::text);
        RETURN OLD;
    END IF;
    PERFORM pg_notify('prognos_models', json_build_object(
        'schema', TG_TABLE_SCHEMA, 'device_id', NEW.device_id, 'sensor_key', NEW.sensor_key,
        'model_version', NEW.model_version)::text);
    RETURN NEW;
END
$$;
CREATE TRIGGER lstm_models_changed AFTER INSERT OR UPDATE OR DELETE ON lstm_models
    FOR EACH ROW EXECUTE PROCEDURE prognos_model_changed(); -- PROCEDURE: also PostgreSQL before 11
