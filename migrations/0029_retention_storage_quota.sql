-- Retention and the storage quota (docs/retention.md).
--
-- projects.retention_days: the project's retention in days (1 to 90); NULL keeps the organization's
-- default of 90 days. organizations.storage_quota_bytes: the organization's storage quota; NULL keeps
-- the default (src/limits/retention.ts).
ALTER TABLE projects ADD COLUMN retention_days INTEGER;
ALTER TABLE organizations ADD COLUMN storage_quota_bytes INTEGER;

-- The retention sweep finds a project's expired events by time. One more index entry per stored event,
-- in exchange for a sweep that reads only what it deletes.
CREATE INDEX events_project_timestamp ON events (project_id, timestamp);

-- Stored bytes per project (inline payload bytes as UTF-8, a payload kept in R2 counted as the inline
-- limit, attachment and raw item sizes): added by each group commit in its own transaction, subtracted
-- by the retention sweep with the rows it deletes. The storage quota compares an organization's sum.
CREATE TABLE storage_usage (
  project_id INTEGER PRIMARY KEY,
  organization_id INTEGER NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX storage_usage_organization ON storage_usage (organization_id);

-- What is stored already, counted once.
INSERT INTO storage_usage (project_id, organization_id, bytes)
SELECT p.id, p.organization_id,
  COALESCE((SELECT SUM(CASE WHEN e.payload IS NOT NULL THEN length(CAST(e.payload AS BLOB)) ELSE 262144 END)
            FROM events e WHERE e.project_id = p.id), 0)
  + COALESCE((SELECT SUM(a.size) FROM attachments a WHERE a.project_id = p.id), 0)
  + COALESCE((SELECT SUM(r.size) FROM raw_items r WHERE r.project_id = p.id), 0)
FROM projects p;
