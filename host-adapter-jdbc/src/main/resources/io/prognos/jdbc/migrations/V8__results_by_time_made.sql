-- The results tables by the time each row was made, for jdbc.results-retention's hourly deletion of
-- rows older than the retention. BRIN: rows arrive in about the order they are made, so an index of
-- each block range's least and greatest time finds the old rows without a scan of the table, and
-- costs a write almost nothing (a B-tree would add an entry to every row, twelve per forecast).
CREATE INDEX forecasts_by_issued_at ON forecasts USING brin (issued_at);
CREATE INDEX risk_assessments_by_assessed_at ON risk_assessments USING brin (assessed_at);
CREATE INDEX anomaly_scores_by_scored_at ON anomaly_scores USING brin (scored_at);
CREATE INDEX alerts_by_assessed_at ON alerts USING brin (assessed_at);
