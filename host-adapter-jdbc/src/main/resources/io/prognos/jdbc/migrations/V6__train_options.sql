-- SPI 2.7: the options a model was trained with (ModelInfo.trainOptions), for a host that trains the
-- sensor again on its own to repeat. Kept with the model_version they belong to: a host of the
-- release before, which does not know this column, saves a model over a row and leaves the column
-- as it was; its options are then another model's, and read as none.
ALTER TABLE lstm_models ADD COLUMN train_options jsonb;
