-- The note a request may give with an alert's close (why it was closed: "pump retired"), kept with
-- the close for the plant's history; raises and clears have none.
ALTER TABLE alerts ADD COLUMN note text;
