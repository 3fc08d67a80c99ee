-- Retention without an index entry per error event (docs/retention.md).
--
-- Migration 0029 indexed every event by (project_id, timestamp) for the sweep: one more D1 row written
-- per stored event. Error events expire through their issues instead: the sweep takes the project's
-- issues first seen before the cutoff (one index entry per issue, not per event) and deletes their
-- expired events through the existing events_issue_timestamp (issue_id, timestamp). Only events without
-- an issue (transactions) keep an index by time, a partial one that error events never write.
DROP INDEX events_project_timestamp;
CREATE INDEX events_unissued_project_timestamp ON events (project_id, timestamp) WHERE issue_id IS NULL;
CREATE INDEX issues_project_first_seen ON issues (project_id, first_seen);

-- The organization's retention in days (1 to 90), the default of its projects; NULL keeps
-- DEFAULT_RETENTION_DAYS. A project's own retention_days may only be lower: the sweep keeps the smaller.
ALTER TABLE organizations ADD COLUMN retention_days INTEGER;
