// The rows one ingested envelope writes (events, attachments, feedback, raw items, outcome counts), as the
// ingest path prepares them and src/db/ingest-writes.ts inserts them: one definition for both.
import type { DataCategory, Outcome } from "../protocol/categories.ts";
import type { JsonObject } from "../protocol/types.ts";

export interface AttachmentRow {
  name: string;
  contentType: string;
  attachmentType: string;
  size: number;
  /** R2 key; the bytes are written before the Durable Object is called. */
  blobKey: string;
  /** Hex SHA-1 of the bytes (Sentry's attachment `sha1`). */
  sha1: string;
}

/** Fields shared by stored error events and transactions (the `events` table). */
export interface EventRow {
  eventId: string;
  type: "error" | "default" | "transaction";
  timestamp: number;
  received: number;
  level: string;
  platform: string;
  release: string | null;
  environment: string | null;
  userKey: string | null;
  title: string;
  message: string | null;
  transactionName: string | null;
  traceId: string | null;
  /** Normalized payload JSON, or null when it was written to R2 under payloadKey. */
  payload: string | null;
  payloadKey: string | null;
}

export interface FeedbackRow {
  eventId: string;
  message: string;
  contactEmail: string | null;
  name: string | null;
  url: string | null;
  associatedEventId: string | null;
  timestamp: number;
  payload: string;
}

export interface RawItemRow {
  eventId: string | null;
  type: string;
  size: number;
  blobKey: string;
  metadata: JsonObject;
}

export interface OutcomeDelta {
  category: DataCategory;
  outcome: Outcome | "client_discard";
  reason: string;
  quantity: number;
  /** Set for a dropped event, so "why didn't my event show up?" can be answered by id. */
  eventId?: string;
}
