-- Inbound filters per project (Sentry's: browser extensions, localhost, web crawlers, health checks,
-- legacy browsers, error messages, releases, IP ranges) as one JSON object; absent keys are off.
ALTER TABLE projects ADD COLUMN inbound_filters TEXT NOT NULL DEFAULT '{}';
