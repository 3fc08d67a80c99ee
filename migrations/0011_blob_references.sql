-- Blob clean-up asks "does any row reference this R2 key?" (after a request's commit and in the daily
-- sweep of unreferenced objects); these indexes answer it without scanning a project's rows.
CREATE INDEX events_payload_key ON events (payload_key) WHERE payload_key IS NOT NULL;
CREATE INDEX attachments_blob_key ON attachments (blob_key);
CREATE INDEX raw_items_blob_key ON raw_items (blob_key);

-- Where the sweep of unreferenced blobs stopped: the last R2 key it looked at (one row).
CREATE TABLE blob_sweep_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  after_key TEXT NOT NULL,
  updated_at REAL NOT NULL
);
