-- Late debug files: a job's last pass over the events that missed its debug id starts only after the
-- ingest commits that were in flight when the job was queued have landed (an event symbolicated just
-- before the debug file existed is committed by the project's Durable Object after the first pass may
-- have passed its event id). `recheck_at` (unix seconds) is when that last pass may start; NULL once
-- it started, and for jobs queued before this column existed (their current pass is their last).
-- While a job waits for it, `lease_until` holds the job until then.
ALTER TABLE symbolication_jobs ADD COLUMN recheck_at REAL;
