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

-- Stored bytes per project (the row's payload text as UTF-8 bytes, plus the compressed bytes its segment
-- locator `segment/offset/length` names or, for a payload kept under payload_key, the inline limit;
-- attachment and raw item sizes): added by each group commit in its own transaction, subtracted by the
-- retention sweep with the rows it deletes. The storage quota compares an organization's sum.
CREATE TABLE storage_usage (
  project_id INTEGER PRIMARY KEY,
  organization_id INTEGER NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX storage_usage_organization ON storage_usage (organization_id);

-- What is stored already, counted once.
INSERT INTO storage_usage (project_id, organization_id, bytes)
SELECT p.id, p.organization_id,
  COALESCE((SELECT SUM(COALESCE(length(CAST(e.payload AS BLOB)), 0) + CASE
              WHEN e.payload_ref IS NOT NULL THEN CAST(substr(substr(e.payload_ref, instr(e.payload_ref, '/') + 1),
                instr(substr(e.payload_ref, instr(e.payload_ref, '/') + 1), '/') + 1) AS INTEGER)
              WHEN e.payload_key IS NOT NULL THEN 262144 ELSE 0 END)
            FROM events e WHERE e.project_id = p.id), 0)
  + COALESCE((SELECT SUM(a.size) FROM attachments a WHERE a.project_id = p.id), 0)
  + COALESCE((SELECT SUM(r.size) FROM raw_items r WHERE r.project_id = p.id), 0)
FROM projects p;
