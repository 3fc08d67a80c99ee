-- A project's error events by time through their issues, so an error event writes one index entry
-- fewer: every D1 row written is billed, and the (project_id, timestamp) entry was one of the four an
-- error event wrote (its key, its issue's time index, its trace, its project's time index).
--
-- The project's event list and discover now walk the project's issues through events_issue_timestamp
-- (issue_id, timestamp), in windows that widen from the newest end, so a page reads the events of a
-- short range per issue instead of sorting the project's (src/db/event-windows.ts). Events without an
-- issue (transactions) keep an index by time, a partial one error events never enter: the transactions
-- dataset and the retention sweep's events without an issue read it.
DROP INDEX events_project_timestamp;
CREATE INDEX events_unissued_project_timestamp ON events (project_id, timestamp) WHERE issue_id IS NULL;
