-- A shape no event names any more goes with retention: each shape keeps the last day (unix seconds /
-- 86400) a group commit stored an event naming it, bumped at most once a day per shape, and the
-- retention sweep deletes a project's shapes unused since before its cutoff (less the largest future
-- skew of an event's timestamp and a day), found by (project_id, last_used). A shape stored before
-- counts as used the day this migration runs, so it outlives every event that may name it.
ALTER TABLE event_shapes ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
UPDATE event_shapes SET last_used = CAST(strftime('%s', 'now') AS INTEGER) / 86400;
CREATE INDEX event_shapes_project_last_used ON event_shapes (project_id, last_used);
