-- The results tables by the time of the readings each row is about, for jdbc.results-retention's
-- hourly deletion of rows older than the retention. BRIN: rows arrive in about that order, so an
-- index of each block range's least and greatest time finds the old rows without a scan of the
-- table, and costs a write almost nothing (a B-tree would add an entry to every row, twelve per
-- forecast). The schedule's primary key starts with its time already.
CREATE INDEX forecasts_by_based_on ON forecasts USING brin (based_on);
CREATE INDEX risk_assessments_by_based_on ON risk_assessments USING brin (based_on);
CREATE INDEX anomaly_scores_by_interval_start ON anomaly_scores USING brin (interval_start);
CREATE INDEX alerts_by_based_on ON alerts USING brin (based_on);
