-- Release health and cron monitors.
--
-- release_health_hours: sessions per project × release × environment ('' when none) × hour (unix
-- seconds of the hour a session started), by the worst status each session reached so far. The
-- project's Durable Object keeps, per session id, the status it counted (its own storage, with expiry),
-- and moves a session from one column to another when a later update makes it worse; aggregates add
-- to the columns directly. The API and pages sum these rows instead of scanning session rows.
CREATE TABLE release_health_hours (
  project_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  release TEXT NOT NULL,
  environment TEXT NOT NULL,
  healthy INTEGER NOT NULL DEFAULT 0,
  errored INTEGER NOT NULL DEFAULT 0,
  abnormal INTEGER NOT NULL DEFAULT 0,
  unhandled INTEGER NOT NULL DEFAULT 0,
  crashed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, hour, release, environment)
) WITHOUT ROWID;

-- Distinct users per hour (count_unique(user)): one row per user (a hash of the session's distinct
-- id) seen in the hour, with the worst status (0 healthy … 4 crashed) of that user's sessions in it.
CREATE TABLE release_health_users (
  project_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  release TEXT NOT NULL,
  environment TEXT NOT NULL,
  user_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  PRIMARY KEY (project_id, hour, release, environment, user_hash)
) WITHOUT ROWID;

-- Cron monitors: created by check-ins carrying monitor_config, or through the monitor API. `config`
-- is the monitor's JSON config (schedule, checkin_margin, max_runtime, timezone, thresholds).
CREATE TABLE monitors (
  id INTEGER PRIMARY KEY,
  organization_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  config TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE UNIQUE INDEX monitors_org_slug ON monitors (organization_id, slug);
CREATE INDEX monitors_project ON monitors (project_id);

-- A monitor's state per environment: its status, when the next check-in is expected and its
-- deadline (expected + margin; the project Durable Object's alarm marks it missed after that),
-- failures/successes in a row for the thresholds, and whether its issue is open.
CREATE TABLE monitor_environments (
  id INTEGER PRIMARY KEY,
  monitor_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  environment TEXT NOT NULL,
  status TEXT NOT NULL,
  last_check_in REAL,
  next_check_in REAL,
  next_check_in_latest REAL,
  failures INTEGER NOT NULL DEFAULT 0,
  successes INTEGER NOT NULL DEFAULT 0,
  issue_open INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL
);
CREATE UNIQUE INDEX monitor_environments_key ON monitor_environments (monitor_id, environment);
CREATE INDEX monitor_environments_deadline ON monitor_environments (project_id, next_check_in_latest);

-- Every run of a monitor: check-ins as sent (an in_progress one updated by its ok/error), and the
-- missed runs and timeouts the alarm records. `timeout_at` is set while a run is in progress.
CREATE TABLE monitor_check_ins (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  monitor_id INTEGER NOT NULL,
  environment TEXT NOT NULL,
  check_in_id TEXT NOT NULL,
  status TEXT NOT NULL,
  duration REAL,
  date_added REAL NOT NULL,
  date_updated REAL NOT NULL,
  expected_time REAL,
  timeout_at REAL,
  trace_id TEXT
);
CREATE UNIQUE INDEX monitor_check_ins_key ON monitor_check_ins (monitor_id, check_in_id);
CREATE INDEX monitor_check_ins_recent ON monitor_check_ins (monitor_id, date_added);
CREATE INDEX monitor_check_ins_timeout ON monitor_check_ins (project_id, timeout_at) WHERE timeout_at IS NOT NULL;
