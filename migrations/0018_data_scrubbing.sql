-- Server-side data scrubbing settings per project, as Sentry's project options: on by default with
-- Sentry's defaults, IP addresses kept unless asked. Field lists are JSON arrays of strings.
ALTER TABLE projects ADD COLUMN data_scrubber INTEGER NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN data_scrubber_defaults INTEGER NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN scrub_ip_addresses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN sensitive_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN safe_fields TEXT NOT NULL DEFAULT '[]';
