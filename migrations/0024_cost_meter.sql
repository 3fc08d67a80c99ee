-- The cost meter (docs/costs.md): what each project used per hour in platform units, and the monthly
-- budgets that shed ingest before they are exceeded.
--
-- usage_hourly: one row per project, hour and source. project_id 0 is the "unattributed" bucket (work no
-- project can be named for: sign-in pages, org-wide reads, the daily sweep); organization_id 0 when no
-- organization is known either. source: 'project_object' (the project's Durable Object: group commits,
-- its requests and active time, alert deliveries it queued) or 'worker' (the Worker's requests: ingest
-- before the object, API, UI). Written by upserts that add to the counters: one per group commit from
-- the object, one per isolate flush from the Worker.
CREATE TABLE usage_hourly (
  project_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  source TEXT NOT NULL,
  organization_id INTEGER NOT NULL,
  d1_rows_read INTEGER NOT NULL DEFAULT 0,
  d1_rows_written INTEGER NOT NULL DEFAULT 0,
  r2_class_a INTEGER NOT NULL DEFAULT 0,
  r2_class_b INTEGER NOT NULL DEFAULT 0,
  r2_bytes_put INTEGER NOT NULL DEFAULT 0,
  do_requests INTEGER NOT NULL DEFAULT 0,
  do_active_ms INTEGER NOT NULL DEFAULT 0,
  queue_messages INTEGER NOT NULL DEFAULT 0,
  worker_requests INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, hour, source)
) WITHOUT ROWID;
CREATE INDEX usage_hourly_organization ON usage_hourly (organization_id, hour);

-- Monthly budgets in dollars: project_id 0 is the organization's own budget (all its projects together).
CREATE TABLE usage_budgets (
  organization_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  monthly_budget_usd REAL NOT NULL,
  PRIMARY KEY (organization_id, project_id)
) WITHOUT ROWID;
