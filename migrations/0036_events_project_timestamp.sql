-- The project's events by time, for every event again. Migration 0032 kept an index by time only for
-- events without an issue, so that error events wrote one index entry fewer; but a project's event
-- list and discover (newest first over a project) then had no index to walk and scanned the project's
-- events: seconds at a million events. Those reads need (project_id, timestamp) over error events too,
-- so it is back, and it serves the retention sweep's events without an issue as well (the sweep takes
-- them after its walk over the issues has removed the expired error events, so the range it reads
-- holds almost only them). The partial index is then redundant.
DROP INDEX events_unissued_project_timestamp;
CREATE INDEX events_project_timestamp ON events (project_id, timestamp);
