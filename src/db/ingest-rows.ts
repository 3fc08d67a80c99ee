// The rows ingest writes, as the project's Durable Object receives them from the ingest Worker and hands
// them to the statements of db/ingest-writes.ts. Each is the camel-case shape of its table in schema.ts
// (columns the statement fills itself, like project_id or created_at, are left out), so a column that
// changes in the schema changes the row type with it.
import type { DataCategory, Outcome } from "../protocol/categories.ts";
import type { JsonObject } from "../protocol/types.ts";
import type { PackedPayload } from "./packed-payload.ts";
import type { IssueTableRow } from "./rows.ts";
import type { attachments, events, feedback, issues, rawItems } from "./schema.ts";

type EventColumns = typeof events.$inferSelect;
type IssueColumns = typeof issues.$inferSelect;

/**
 * Fields shared by stored error events and transactions (the `events` table). `payload` is the
 * normalized payload JSON, or null when it was written to R2 under `payloadKey` or travels `packed`. The
 * project's object moves it into a payload segment when it commits the row (`payloadRef`,
 * src/project/payload-segments.ts).
 */
export type EventRow = Pick<
  EventColumns,
  | "eventId"
  | "timestamp"
  | "received"
  | "level"
  | "platform"
  | "release"
  | "environment"
  | "userKey"
  | "title"
  | "message"
  | "transactionName"
  | "traceId"
  | "payload"
  | "payloadKey"
> &
  Partial<Pick<EventColumns, "payloadRef">> & {
    type: "error" | "default" | "transaction";
    /**
     * The shape's JSON text (src/db/payload-shape.ts) when `payload` is a projection beside a segment
     * locator that leaves it out; the commit stores it in event_shapes once and the row names it.
     */
    shape?: string | null;
    /** Beside a shape: the trace context's span id and the last exception's value (payload-shape.ts). */
    spanId?: string | null;
    errorValue?: string | null;
    /**
     * The payload packed for its segment at ingest (packed-payload.ts), `payload` then null. Absent in
     * payloads kept in R2, in rows read back from D1 and in envelopes spooled before it existed.
     */
    packed?: PackedPayload;
  };

/** An `attachments` row; `blobKey` is the R2 key, written before the Durable Object is called. */
export type AttachmentRow = Pick<
  typeof attachments.$inferSelect,
  "name" | "contentType" | "attachmentType" | "size" | "blobKey"
> & {
  /** Hex SHA-1 of the bytes (Sentry's attachment `sha1`), computed at ingest. */
  sha1: string;
};

/** A `feedback` row (user feedback sent as a `feedback` item). */
export type FeedbackRow = Pick<
  typeof feedback.$inferSelect,
  "eventId" | "message" | "contactEmail" | "name" | "url" | "associatedEventId" | "timestamp" | "payload"
>;

/** A `raw_items` row: an item kept as bytes in R2; its metadata is stored as JSON. */
export type RawItemRow = Pick<typeof rawItems.$inferSelect, "eventId" | "type" | "size" | "blobKey"> & {
  metadata: JsonObject;
};

/** One outcome to count (an `outcomes` counter increment; a `dropped_events` row when it has an event id). */
export interface OutcomeDelta {
  category: DataCategory;
  outcome: Outcome | "client_discard";
  reason: string;
  quantity: number;
  /** Set for a dropped event, so "why didn't my event show up?" can be answered by id. */
  eventId?: string;
}

/** Where an event's issue id comes from: known already, or created earlier in the same batch. */
export type IssueRef = { id: number } | { hash: string };

/** An `issues` row created by a group commit (metadata as JSON), with the other hashes it owns from the start. */
export type NewIssue = Pick<
  IssueColumns,
  | "primaryHash"
  | "type"
  | "title"
  | "culprit"
  | "level"
  | "platform"
  | "logger"
  | "metadata"
  | "firstSeen"
  | "lastSeen"
  | "timesSeen"
  | "firstRelease"
  | "lastRelease"
> & { otherHashes: string[] };

/** How a group commit changes a stored issue's counters and what it shows. */
export interface IssueDelta {
  issue: IssueRef;
  count: number;
  lastSeen: number;
  level: string;
  /** Title, culprit and metadata (JSON) of the issue's latest event, which the issue shows. */
  shown?: { title: string; culprit: string; metadata: string };
  lastRelease: string | null;
  /** New status fields when events changed them (a regression), else null. */
  statusChange: { status: string; substatus: string | null; resolution: string | null } | null;
  /** The event that regressed the issue and its release, for the issue's activity. */
  regression?: { eventId: string; release: string | null };
  countUsers: boolean;
}

/** The grouping state of the issue owning a hash, as the commit's look-up reads it. */
export type IssueByHashRow = Pick<IssueTableRow, "id" | "status" | "substatus" | "resolution"> & {
  hash: string;
};
