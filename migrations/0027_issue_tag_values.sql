-- Every tag value an issue's events carried (the payload's tags plus release, environment and
-- server_name), so tag, release and environment searches probe an index per issue instead of reading
-- every event's payload. Written by the group commit with INSERT OR IGNORE: only a value new to the
-- issue writes a row. Maintained beside issue_users (merge, regroup, deletion, reset).
CREATE TABLE issue_tag_values (
  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (issue_id, key, value)
) WITHOUT ROWID;

-- The values of events stored before this table (payloads kept in R2 are not read here).
INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
SELECT e.issue_id, json_extract(t.value, '$[0]'), json_extract(t.value, '$[1]')
FROM events e, json_each(e.payload, '$.tags') t
WHERE e.issue_id IS NOT NULL AND e.payload IS NOT NULL
  AND json_extract(t.value, '$[0]') IS NOT NULL AND json_extract(t.value, '$[1]') IS NOT NULL;
INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
SELECT issue_id, 'release', release FROM events WHERE issue_id IS NOT NULL AND release IS NOT NULL;
INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
SELECT issue_id, 'environment', environment FROM events WHERE issue_id IS NOT NULL AND environment IS NOT NULL;
INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
SELECT issue_id, 'server_name', json_extract(payload, '$.server_name') FROM events
WHERE issue_id IS NOT NULL AND json_extract(payload, '$.server_name') IS NOT NULL;
