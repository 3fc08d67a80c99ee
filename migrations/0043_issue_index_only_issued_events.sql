-- Events without an issue (transactions) leave the by-issue index: each wrote an entry under a NULL
-- issue that no read asks for (every read of events_issue_timestamp names issues), one D1 row written
-- per stored transaction for nothing. Reads and foreign-key checks name an issue (`issue_id = ?`,
-- `issue_id IN (…)`), which implies `issue_id IS NOT NULL`, so SQLite still uses the index for them,
-- including the ON DELETE CASCADE from issues. Events without an issue are found by time through
-- events_unissued_project_timestamp (migration 0042).
DROP INDEX events_issue_timestamp;
CREATE INDEX events_issue_timestamp ON events (issue_id, timestamp) WHERE issue_id IS NOT NULL;
