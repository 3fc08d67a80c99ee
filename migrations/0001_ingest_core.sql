-- Ingest core: tenants, DSN keys, issues, events and every other item type SDKs send.
-- Times are unix seconds (REAL). JSON columns hold normalized payloads. See docs/storage.md.

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at REAL NOT NULL
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at REAL NOT NULL,
  UNIQUE (organization_id, slug)
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- KDF output, never the password (see docs/storage.md); NULL until a password is set.
  password_hash TEXT,
  created_at REAL NOT NULL
);

CREATE TABLE memberships (
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at REAL NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- SHA-256 hex of the token; the plain token is shown once at creation.
  token_hash TEXT NOT NULL UNIQUE,
  -- Last characters, so a user can recognise a token in a list.
  token_last_characters TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  organization_id INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  created_at REAL NOT NULL,
  last_used_at REAL,
  CHECK (user_id IS NOT NULL OR organization_id IS NOT NULL)
);

CREATE TABLE projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  platform TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Project-wide error rate limit: at most rate_limit_count error events per rate_limit_window seconds.
  rate_limit_count INTEGER,
  rate_limit_window INTEGER,
  created_at REAL NOT NULL,
  UNIQUE (organization_id, slug)
);

CREATE TABLE project_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  public_key TEXT NOT NULL UNIQUE,
  secret_key TEXT NOT NULL,
  label TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1,
  rate_limit_count INTEGER,
  rate_limit_window INTEGER,
  created_at REAL NOT NULL
);

CREATE TABLE issues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  primary_hash TEXT NOT NULL,
  type TEXT NOT NULL,
  title TEXT NOT NULL,
  culprit TEXT NOT NULL,
  level TEXT NOT NULL,
  platform TEXT NOT NULL,
  logger TEXT,
  metadata TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unresolved' CHECK (status IN ('unresolved', 'resolved', 'ignored')),
  substatus TEXT,
  -- JSON: how it was resolved/ignored ({"type":"in_next_release","release":"1.2"}, ...); NULL when unresolved.
  resolution TEXT,
  resolved_at REAL,
  first_seen REAL NOT NULL,
  last_seen REAL NOT NULL,
  times_seen INTEGER NOT NULL DEFAULT 0,
  user_count INTEGER NOT NULL DEFAULT 0,
  first_release TEXT,
  last_release TEXT,
  is_bookmarked INTEGER NOT NULL DEFAULT 0,
  has_seen INTEGER NOT NULL DEFAULT 0,
  assigned_to TEXT
);
-- Deliberately not indexed by last_seen: every event updates it, and an index entry would double the
-- rows written per issue update; listing sorts a project's issues after this index narrows them.
CREATE INDEX issues_project_status ON issues (project_id, status);

-- Every grouping hash an issue owns (primary and secondary variants, and hashes merged into it).
CREATE TABLE issue_hashes (
  project_id INTEGER NOT NULL,
  hash TEXT NOT NULL,
  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, hash)
) WITHOUT ROWID;

-- Distinct users per issue (user id, else email, username or IP), for the issue's user count.
CREATE TABLE issue_users (
  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
  user_key TEXT NOT NULL,
  PRIMARY KEY (issue_id, user_key)
) WITHOUT ROWID;

-- Error, default and transaction events. payload is the normalized event JSON, or NULL when it was
-- too large for a row and lives in R2 under payload_key. Keyed by (project, event id) without a rowid:
-- the key is the table, so an insert writes the row and one index entry (issue, time), not three.
-- Orderings that need a tie-breaker use event_id.
CREATE TABLE events (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  issue_id INTEGER REFERENCES issues(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  timestamp REAL NOT NULL,
  received REAL NOT NULL,
  level TEXT NOT NULL,
  platform TEXT NOT NULL,
  release TEXT,
  environment TEXT,
  user_key TEXT,
  title TEXT NOT NULL,
  message TEXT,
  transaction_name TEXT,
  trace_id TEXT,
  payload TEXT,
  payload_key TEXT,
  PRIMARY KEY (project_id, event_id)
) WITHOUT ROWID;
CREATE INDEX events_issue_timestamp ON events (issue_id, timestamp);

CREATE TABLE spans (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  segment_id TEXT,
  event_id TEXT,
  is_segment INTEGER NOT NULL,
  name TEXT NOT NULL,
  op TEXT,
  description TEXT,
  status TEXT,
  start_timestamp REAL NOT NULL,
  end_timestamp REAL NOT NULL,
  duration_ms REAL NOT NULL,
  transaction_name TEXT,
  release TEXT,
  environment TEXT,
  attributes TEXT NOT NULL,
  PRIMARY KEY (project_id, trace_id, span_id)
) WITHOUT ROWID;

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  attachment_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  blob_key TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX attachments_event ON attachments (project_id, event_id);

CREATE TABLE session_updates (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  sid TEXT NOT NULL,
  did TEXT,
  seq INTEGER,
  timestamp REAL NOT NULL,
  started REAL NOT NULL,
  init INTEGER NOT NULL,
  duration REAL,
  status TEXT NOT NULL,
  errors INTEGER NOT NULL,
  release TEXT NOT NULL,
  environment TEXT,
  ip_address TEXT,
  user_agent TEXT,
  abnormal_mechanism TEXT
);
CREATE INDEX session_updates_project_started ON session_updates (project_id, started);

CREATE TABLE session_aggregates (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  started REAL NOT NULL,
  did TEXT,
  exited INTEGER NOT NULL,
  errored INTEGER NOT NULL,
  abnormal INTEGER NOT NULL,
  crashed INTEGER NOT NULL,
  release TEXT NOT NULL,
  environment TEXT
);
CREATE INDEX session_aggregates_project_started ON session_aggregates (project_id, started);

CREATE TABLE check_ins (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  check_in_id TEXT NOT NULL,
  monitor_slug TEXT NOT NULL,
  status TEXT NOT NULL,
  duration REAL,
  environment TEXT,
  release TEXT,
  monitor_config TEXT,
  trace_id TEXT,
  timestamp REAL NOT NULL
);
CREATE INDEX check_ins_monitor ON check_ins (project_id, monitor_slug, timestamp);

CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  timestamp REAL NOT NULL,
  trace_id TEXT,
  span_id TEXT,
  level TEXT NOT NULL,
  severity_number INTEGER,
  body TEXT NOT NULL,
  release TEXT,
  environment TEXT,
  attributes TEXT NOT NULL
);
CREATE INDEX logs_project_timestamp ON logs (project_id, timestamp);

CREATE TABLE feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  message TEXT NOT NULL,
  contact_email TEXT,
  name TEXT,
  url TEXT,
  associated_event_id TEXT,
  timestamp REAL NOT NULL,
  payload TEXT NOT NULL,
  UNIQUE (project_id, event_id)
);

CREATE TABLE user_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  email TEXT,
  name TEXT,
  comments TEXT NOT NULL,
  created_at REAL NOT NULL
);

-- Items kept as bytes for later features (profiles, replays, metrics): metadata here, bytes in R2.
CREATE TABLE raw_items (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id TEXT,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  blob_key TEXT NOT NULL,
  metadata TEXT NOT NULL,
  received REAL NOT NULL
);

-- What became of every item, counted per project, hour, data category, outcome and reason (as Relay's
-- outcomes). Client reports from SDKs add to the same counts with outcome 'client_discard'.
CREATE TABLE outcomes (
  project_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  category TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (project_id, hour, category, outcome, reason)
) WITHOUT ROWID;

-- Events that did not make it, by event_id, so a user can ask why an event never appeared.
CREATE TABLE dropped_events (
  project_id INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  category TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  at REAL NOT NULL,
  PRIMARY KEY (project_id, event_id, at)
) WITHOUT ROWID;
