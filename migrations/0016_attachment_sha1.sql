-- The SHA-1 of an attachment's bytes, computed at ingest: Sentry's event-attachment API shows it, and
-- clients compare it with their local file. NULL for attachments stored before this migration.
ALTER TABLE attachments ADD COLUMN sha1 TEXT;
