-- SPI 2.1: how a model's intervals sit on the clock (ModelInfo.intervalOffset); models saved before
-- were all on the plain grid.
ALTER TABLE lstm_models ADD COLUMN interval_offset_ms bigint NOT NULL DEFAULT 0;
