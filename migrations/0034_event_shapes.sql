-- What the projection of many events repeats is stored once: an event's exception types, mechanisms and
-- frames, its SDK and its os, runtime and browser contexts are its *shape* (src/db/payload-shape.ts),
-- kept once per project in event_shapes; the row keeps the rest of its projection in `payload` and
-- names its shape with `shape_id`. Rows without a shape (all rows written before) keep their whole
-- projection, or whole payload, in `payload` and read as they did; nothing is rewritten.
-- Two fields queries read of each event leave its JSON for columns of their own beside a shape: the
-- trace context's span id (`span_id`) and the last exception's value (`error_value`).
-- A shape is found by its hash (SHA-256 of its text, 22 base64url characters), so the unique index
-- does not hold the text a second time.
CREATE TABLE event_shapes (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  shape TEXT NOT NULL,
  UNIQUE (project_id, hash)
);
ALTER TABLE events ADD COLUMN shape_id INTEGER;
ALTER TABLE events ADD COLUMN span_id TEXT;
ALTER TABLE events ADD COLUMN error_value TEXT;
