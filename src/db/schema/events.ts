// Drizzle tables (migrations/*.sql mirrored): Stored error and transaction events, their spans and
// attachments, opaque items kept in R2, and where the sweep of unreferenced R2 objects stopped.
import { index, integer, primaryKey, real, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";

export const events = sqliteTable(
  "events",
  {
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    issueId: integer("issue_id"),
    type: text("type").notNull(),
    timestamp: real("timestamp").notNull(),
    received: real("received").notNull(),
    level: text("level").notNull(),
    platform: text("platform").notNull(),
    release: text("release"),
    environment: text("environment"),
    userKey: text("user_key"),
    title: text("title").notNull(),
    message: text("message"),
    transactionName: text("transaction_name"),
    traceId: text("trace_id"),
    payload: text("payload"),
    payloadKey: text("payload_key"),
    /** Locator of the whole payload in a payload segment (0028); `payload` is then its projection. */
    payloadRef: text("payload_ref"),
    /** The event's shape in event_shapes (0034), only beside a payloadRef; `payload` lacks what it holds. */
    shapeId: integer("shape_id"),
    /** Beside a shape: the trace context's span id and the last exception's value, out of `payload`. */
    spanId: text("span_id"),
    errorValue: text("error_value"),
  },
  // WITHOUT ROWID in the migration: the key is the table.
  (t) => [
    primaryKey({ columns: [t.projectId, t.eventId] }),
    // Partial in the migration (WHERE issue_id IS NOT NULL, 0043): events without an issue have none.
    index("events_issue_timestamp").on(t.issueId, t.timestamp),
    // Partial in the migration (WHERE payload_key IS NOT NULL): only payloads stored in R2.
    index("events_payload_key").on(t.payloadKey),
    index("events_project_trace").on(t.projectId, t.traceId),
    // Partial in the migration (WHERE issue_id IS NULL, 0042): a project's events without an issue
    // (transactions) by time. Error events are reached by time through their issues'
    // events_issue_timestamp (src/db/event-windows.ts), so they write no entry here.
    index("events_unissued_project_timestamp").on(t.projectId, t.timestamp),
  ],
);

/** What the projections of a project's events repeat, once (migration 0034, src/db/payload-shape.ts). */
export const eventShapes = sqliteTable(
  "event_shapes",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    /** SHA-256 of `shape`, 22 base64url characters (shapeHash): the unique key without the text. */
    hash: text("hash").notNull(),
    shape: text("shape").notNull(),
    /** The last day (unix seconds / 86400) a commit stored an event naming it (0035): retention's key. */
    lastUsed: integer("last_used").notNull().default(0),
  },
  (t) => [
    unique().on(t.projectId, t.hash),
    index("event_shapes_project_last_used").on(t.projectId, t.lastUsed),
  ],
);

export const spans = sqliteTable(
  "spans",
  {
    projectId: integer("project_id").notNull(),
    traceId: text("trace_id").notNull(),
    spanId: text("span_id").notNull(),
    parentSpanId: text("parent_span_id"),
    segmentId: text("segment_id"),
    eventId: text("event_id"),
    isSegment: integer("is_segment", { mode: "boolean" }).notNull(),
    name: text("name").notNull(),
    op: text("op"),
    description: text("description"),
    status: text("status"),
    startTimestamp: real("start_timestamp").notNull(),
    endTimestamp: real("end_timestamp").notNull(),
    durationMs: real("duration_ms").notNull(),
    transactionName: text("transaction_name"),
    release: text("release"),
    environment: text("environment"),
    attributes: text("attributes").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.traceId, t.spanId] }),
    // Partial in the migration (WHERE is_segment = 1): trace search reads segments only.
    index("spans_project_segment_start").on(t.projectId, t.startTimestamp),
  ],
);

export const attachments = sqliteTable(
  "attachments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    attachmentType: text("attachment_type").notNull(),
    size: integer("size").notNull(),
    blobKey: text("blob_key").notNull(),
    createdAt: real("created_at").notNull(),
    sha1: text("sha1"),
  },
  (t) => [index("attachments_event").on(t.projectId, t.eventId), index("attachments_blob_key").on(t.blobKey)],
);

export const rawItems = sqliteTable(
  "raw_items",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    eventId: text("event_id"),
    type: text("type").notNull(),
    size: integer("size").notNull(),
    blobKey: text("blob_key").notNull(),
    metadata: text("metadata").notNull(),
    received: real("received").notNull(),
  },
  (t) => [index("raw_items_blob_key").on(t.blobKey)],
);

/** Where the sweep of unreferenced R2 objects stopped (one row, id 1). */
export const blobSweepState = sqliteTable("blob_sweep_state", {
  id: integer("id").primaryKey(),
  afterKey: text("after_key").notNull(),
  updatedAt: real("updated_at").notNull(),
});
