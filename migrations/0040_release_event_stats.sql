-- Each release's events per project, kept by the group commit: one upsert per release a commit's error
-- events name, not one per event. The releases list's last event and the releases page's event counts
-- read it instead of grouping the projects' issues by last_release or counting their events (a scan of
-- the projects' events per page). Bounded like release_projects: a row per project and release.
CREATE TABLE release_event_stats (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  -- Error events received with this release since the row exists; NULL when the row was carried over
  -- from the issues below, whose events were never counted per release.
  events INTEGER,
  -- The newest event time (seconds) seen with this release.
  last_seen REAL NOT NULL,
  PRIMARY KEY (project_id, version)
) WITHOUT ROWID;
-- What the list showed before, carried over once (a pass over the issues, not the events): the newest
-- last-seen time of the issues last seen in each release.
INSERT INTO release_event_stats (project_id, version, events, last_seen)
  SELECT project_id, last_release, NULL, MAX(last_seen) FROM issues
  WHERE last_release IS NOT NULL GROUP BY project_id, last_release;
