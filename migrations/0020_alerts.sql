-- Issue alert rules (Sentry's project rule API), the project's alert settings (legacy webhooks plugin
-- URLs, the webhook signing secret, whether private targets are allowed), and the delivery log.
-- Rules are read by the project's Durable Object once and cached until the API changes them, so no
-- ingest commit reads these tables.
CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  action_match TEXT NOT NULL,
  filter_match TEXT NOT NULL,
  frequency INTEGER NOT NULL,
  environment TEXT,
  conditions TEXT NOT NULL,
  filters TEXT NOT NULL,
  actions TEXT NOT NULL,
  created_by INTEGER,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
CREATE INDEX alert_rules_project ON alert_rules (project_id, id);

CREATE TABLE alert_settings (
  project_id INTEGER PRIMARY KEY,
  webhook_urls TEXT NOT NULL DEFAULT '',
  webhook_secret TEXT NOT NULL,
  allow_private_targets INTEGER NOT NULL DEFAULT 0,
  base_url TEXT
);

-- One row per delivery (a queue message): updated on every attempt; the newest 100 per project are kept.
CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  delivery_key TEXT NOT NULL,
  rule_id INTEGER,
  rule_name TEXT NOT NULL,
  issue_id INTEGER,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  status_code INTEGER,
  attempts INTEGER NOT NULL,
  error TEXT,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
CREATE UNIQUE INDEX alert_deliveries_key ON alert_deliveries (project_id, delivery_key);
CREATE INDEX alert_deliveries_issue ON alert_deliveries (project_id, issue_id);
