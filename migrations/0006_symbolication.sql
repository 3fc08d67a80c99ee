-- Native symbolication: the symbol lookup built once per debug file, which events referenced which
-- debug ids (so a debug file uploaded late finds the events it can fix), and the background jobs
-- that re-symbolicate and regroup those events. Times are unix seconds (REAL). See docs/storage.md.

-- The paged symbol lookup of one assembled debug file, keyed like the file (project, whole-file SHA-1)
-- and written before the debug_files row, so a visible debug file already has its lookup. state
-- 'error' records why none could be built (too large, malformed DWARF); the file stays usable for
-- listing and download. The bytes live in R2 at blob_key, next to the file.
CREATE TABLE debug_file_lookups (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  checksum TEXT NOT NULL,
  debug_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('ok', 'error')),
  detail TEXT,
  blob_key TEXT,
  size INTEGER,
  -- Size of the debug file it was built from, and how long the build took (milliseconds).
  file_size INTEGER NOT NULL,
  build_ms REAL NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (project_id, checksum)
) WITHOUT ROWID;

-- The native images whose frames an event had, by debug id (or 'code:<code id>' for images with only
-- a code id), and whether a frame stayed unsymbolicated because no usable debug file existed then.
-- Ingest records only missing images (written in the event's own commit), so the primary key serves
-- the late-file scan and no second index costs a row per event.
CREATE TABLE event_debug_images (
  project_id INTEGER NOT NULL,
  debug_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  timestamp REAL NOT NULL,
  missing INTEGER NOT NULL,
  PRIMARY KEY (project_id, debug_id, event_id)
) WITHOUT ROWID;

-- One job per (project, debug id): re-symbolicate and regroup the events that missed this debug id.
-- Runs in bounded steps; a run holds the job through a lease, a lapsed lease lets the next trigger
-- resume it. `cursor` is the last event id processed (events are taken in event id order); `done`
-- counts events processed so far.
CREATE TABLE symbolication_jobs (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  debug_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  cursor TEXT NOT NULL DEFAULT '',
  done INTEGER NOT NULL DEFAULT 0,
  lease_token TEXT,
  lease_until REAL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (project_id, debug_id)
) WITHOUT ROWID;
CREATE INDEX symbolication_jobs_pending ON symbolication_jobs (project_id, state);
