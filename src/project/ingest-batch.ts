// The contract between the stateless ingest Worker and the project's Durable Object: everything one
// envelope contributes, already parsed, normalized and grouped, ready to be admitted and written.

import type { AttachmentRow, EventRow, FeedbackRow, OutcomeDelta, RawItemRow } from "../db/ingest-rows.ts";
import { packedText } from "../db/packed-payload.ts";
import { computeGrouping } from "../grouping/index.ts";
import type { DataCategory } from "../protocol/categories.ts";
import type {
  CheckIn,
  ClientReport,
  LogRecord,
  SessionAggregate,
  SessionUpdate,
  SpanRecord,
  UserReport,
} from "../protocol/items/index.ts";
import type { JsonObject, NormalizedEvent } from "../protocol/types.ts";
import type { RateLimitConfig } from "./rate-limiter.ts";

// The rows a batch carries are the storage layer's (db/ingest-rows.ts); they are part of this contract.
export type { AttachmentRow, EventRow, FeedbackRow, OutcomeDelta, RawItemRow };

/** Who sent the envelope: resolved from the DSN key before the Durable Object is called. */
export interface KeyContext {
  organizationId: number;
  /**
   * The event shard of the organization (organizations.shard): where the project's object writes.
   * Absent in envelopes spooled before shards existed, whose organizations all live on `DB`.
   */
  shard?: string;
  projectId: number;
  keyId: number;
  projectLimit: RateLimitConfig | null;
  keyLimit: RateLimitConfig | null;
}

/** What the Durable Object needs of an event's grouping to find or create its issue. */
export interface IssueGrouping {
  hash: string;
  hashes: string[];
  title: string;
  culprit: string;
  metadata: JsonObject;
  logger: string | null;
}

/** Groups a (symbolicated) event for its issue: at ingest, and again when a late debug file regroups it. */
export function issueGroupingOf(event: NormalizedEvent): IssueGrouping {
  const { hash, hashes, title, culprit, metadata } = computeGrouping(event);
  return { hash, hashes, title, culprit, metadata, logger: event.logger ?? null };
}

export interface PreparedErrorEvent {
  row: EventRow;
  grouping: IssueGrouping;
  attachments: AttachmentRow[];
  /** Debug ids (or `code:<id>`) of images whose frames found no debug file, for late re-symbolication. */
  missingImages: string[];
  /**
   * The pairs its issue's tag search matches it by (searchableTagValues). Absent in envelopes spooled
   * before the field existed: they add no values.
   */
  tagValues?: [string, string][];
}

export interface PreparedTransaction {
  row: EventRow;
  spans: SpanRecord[];
}

export interface IngestBatch {
  key: KeyContext;
  receivedAt: number;
  event: PreparedErrorEvent | null;
  transaction: PreparedTransaction | null;
  /** Attachments that came without an event item in the envelope (linked to the header's event_id). */
  looseAttachments: { eventId: string; rows: AttachmentRow[] } | null;
  spans: SpanRecord[];
  logs: LogRecord[];
  /**
   * Where `logs` came from, in order: each log item (or OTLP request part) as the digest of its bytes
   * and how many of the records it gave. A retry of the same bytes is stored once. Absent in batches
   * spooled before the field existed.
   */
  logSources?: LogSource[];
  sessionUpdates: SessionUpdate[];
  sessionAggregates: SessionAggregate[];
  checkIns: CheckIn[];
  feedback: FeedbackRow[];
  userReports: UserReport[];
  rawItems: RawItemRow[];
  clientReports: ClientReport[];
  /** Outcomes decided before the Durable Object (invalid or too large items). */
  outcomes: OutcomeDelta[];
  /**
   * Size of the prepared data, in UTF-16 code units of its JSON, an event's payload text counted by its
   * own length (bounded by MAX_PREPARED_BATCH_UNITS).
   */
  units: number;
}

/** One log item's (or OTLP logs request part's) share of a batch's records. */
export interface LogSource {
  digest: string;
  count: number;
}

export interface ActiveRateLimit {
  retryAfterSeconds: number;
  categories: DataCategory[];
  scope: "organization" | "project" | "key";
  reasonCode: string;
}

export interface IngestResult {
  /** The error/transaction event was stored now or had been stored before (duplicate event_id). */
  eventStored: boolean;
  duplicate: boolean;
  issueId: number | null;
  /** Limits that dropped something in this batch, for the response headers. */
  rateLimits: ActiveRateLimit[];
  /** True when every item that counts for rate limiting was dropped by a limit (→ 429). */
  everythingRateLimited: boolean;
  /** R2 keys that rows written for this batch point to; the request's other keys are orphans. */
  storedBlobKeys: string[];
}

/** A batch with nothing in it yet. */
export function emptyBatch(key: KeyContext, receivedAt: number): IngestBatch {
  return {
    key,
    receivedAt,
    event: null,
    transaction: null,
    looseAttachments: null,
    spans: [],
    logs: [],
    logSources: [],
    sessionUpdates: [],
    sessionAggregates: [],
    checkIns: [],
    feedback: [],
    userReports: [],
    rawItems: [],
    clientReports: [],
    outcomes: [],
    units: 0,
  };
}

/**
 * The row with a packed payload (db/packed-payload.ts) back in it as JSON text: what an object on the
 * code before packing reads, and what a row keeps when it goes to D1 without a payload segment.
 */
export function withPayloadText(row: EventRow): EventRow {
  if (!row.packed) return row;
  const { packed, ...columns } = row;
  return { ...columns, payload: packedText(packed) };
}
