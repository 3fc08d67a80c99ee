-- Releases, deploys and debug-file upload (sentry-cli `releases`, `deploys`, `debug-files upload`).
-- Times are unix seconds (REAL). See docs/storage.md.

CREATE TABLE releases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  ref TEXT,
  url TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'archived')),
  date_added REAL NOT NULL,
  date_started REAL,
  date_released REAL,
  -- JSON as sent by sentry-cli (`refs` = head commits per repository, `commits` newest first); NULL until set.
  refs TEXT,
  commits TEXT,
  commit_count INTEGER NOT NULL DEFAULT 0,
  last_commit_id TEXT,
  UNIQUE (organization_id, version)
);
-- Release order for `inNextRelease` and regressions is COALESCE(date_released, date_added).
CREATE INDEX releases_org_added ON releases (organization_id, date_added);

CREATE TABLE release_projects (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  PRIMARY KEY (release_id, project_id)
) WITHOUT ROWID;
CREATE INDEX release_projects_project ON release_projects (project_id);

CREATE TABLE deploys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  environment TEXT NOT NULL,
  name TEXT,
  url TEXT,
  date_started REAL,
  date_finished REAL NOT NULL
);
CREATE INDEX deploys_release ON deploys (release_id, date_finished);

-- Uploaded chunks, owned by one organization: existence checks and assembly only ever look at the
-- caller's organization, so a tenant can never "find" another tenant's chunk by its checksum.
CREATE TABLE file_chunks (
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  sha1 TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (organization_id, sha1)
) WITHOUT ROWID;

-- One assemble job per (project, whole-file SHA-1): the state sentry-cli polls, plus the progress of the
-- R2 multipart upload so a job cut off mid-way is resumed by the next poll.
CREATE TABLE dif_assemblies (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  checksum TEXT NOT NULL,
  name TEXT NOT NULL,
  debug_id TEXT,
  -- JSON array of chunk SHA-1s in file order.
  chunks TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('created', 'assembling', 'ok', 'error')),
  detail TEXT,
  debug_file_id INTEGER,
  upload_id TEXT,
  -- JSON array of {"partNumber","etag"} already uploaded; parts are equal-sized, so the next byte is implied.
  parts TEXT NOT NULL DEFAULT '[]',
  -- The run holding the job until lease_until; a lapsed lease lets the next poll resume the job.
  lease_token TEXT,
  lease_until REAL,
  -- Runs that died on an unexpected error (storage hiccup); after a few the job ends in `error`.
  failures INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (project_id, checksum)
) WITHOUT ROWID;

-- Assembled debug files (ELF, Mach-O, source bundles). Several rows may share a debug id (executable,
-- `.debug` companion, source bundle); the bytes live in R2 at blob_key.
CREATE TABLE debug_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  checksum TEXT NOT NULL,
  debug_id TEXT NOT NULL,
  code_id TEXT,
  object_name TEXT NOT NULL,
  cpu_name TEXT NOT NULL,
  -- elf | macho | sourcebundle
  symbol_type TEXT NOT NULL,
  -- symbolic's object kind: exe | lib | dbg | rel | src | dump | other | none
  kind TEXT NOT NULL,
  -- JSON array: symtab, debug, unwind, sources
  features TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  created_at REAL NOT NULL,
  UNIQUE (project_id, checksum)
);
CREATE INDEX debug_files_debug_id ON debug_files (project_id, debug_id);
CREATE INDEX debug_files_code_id ON debug_files (project_id, code_id);
