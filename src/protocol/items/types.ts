// Records produced by the non-event item parsers. Each maps 1:1 to a storage row; fields are camelCase,
// timestamps are float unix seconds, ids are lowercase hex. Open-ended data stays in JSON bags so later
// features can read what the SDK sent without a re-ingest.
import type { JsonObject } from "../types.ts";

/** What every item parser gets besides the item itself. */
export interface ItemContext {
  /** When the request arrived (unix seconds). */
  receivedAt: number;
  /** The envelope header's event id, already normalized to 32 lowercase hex. */
  envelopeEventId?: string | undefined;
  /** The client's IP from the request (never from the body); replaces `{{auto}}`. */
  clientIp?: string | undefined;
  /** Seconds to add to the client's timestamps (its clock is off: see normalize's clockDrift). */
  clockDrift?: number | undefined;
}

/** Why some entries of an item were not kept, and how many (for outcomes). */
export interface InvalidCount {
  reason: string;
  quantity: number;
}

/** Parsers never throw for bad content: what they could read is in `records`, the rest in `invalid`. */
export interface ItemParseResult<T> {
  records: T[];
  invalid: InvalidCount[];
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** Span id of the segment (transaction root) this span belongs to. */
  segmentId?: string;
  isSegment: boolean;
  name: string;
  op?: string;
  description?: string;
  /** `ok`/`error` for span v2; a Sentry span status (`internal_error`, …) for transaction spans. */
  status?: string;
  startTimestamp: number;
  endTimestamp: number;
  durationMs: number;
  /** Name of the segment (transaction) the span belongs to. */
  transaction?: string;
  release?: string;
  environment?: string;
  /** Attributes as plain `{key: value}` (span v2 attributes unwrapped; v1 `data`, tags, measurements merged). */
  attributes: JsonObject;
  /** The same attributes in the typed wire form `{key: {type, value, unit?}}` (types inferred for v1 spans). */
  typedAttributes: JsonObject;
  origin?: string;
  /** The transaction event the span came from, when it came from one. */
  eventId?: string;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

export interface LogRecord {
  timestamp: number;
  traceId?: string;
  spanId?: string;
  level: LogLevel;
  /** OpenTelemetry severity number, 1–24. */
  severityNumber?: number;
  /** Log message, capped at MAX_MESSAGE_CHARS. */
  body: string;
  /** Attributes as plain `{key: value}`. */
  attributes: JsonObject;
  /** Attributes as sent: `{key: {type, value, unit?}}`. */
  typedAttributes: JsonObject;
  release?: string;
  environment?: string;
  sdkName?: string;
}

export type SessionStatus = "ok" | "exited" | "crashed" | "abnormal" | "errored" | "unhandled";

/** One `session` item: an update of a single session. */
export interface SessionUpdate {
  /** Session id, 32 lowercase hex. */
  sid: string;
  /** Distinct id (user or device); sentry-rust sends `null`. */
  did?: string;
  seq?: number;
  timestamp: number;
  started: number;
  init: boolean;
  /** Seconds. */
  duration?: number;
  status: SessionStatus;
  errors: number;
  release: string;
  environment?: string;
  ipAddress?: string;
  userAgent?: string;
  abnormalMechanism?: string;
}

/** One bucket of a `sessions` item (request-mode sessions, pre-aggregated by minute and did). */
export interface SessionAggregate {
  /** Bucket start, rounded down to the minute. */
  started: number;
  did?: string;
  exited: number;
  errored: number;
  abnormal: number;
  /** Newer SDKs/Relay only; not every store has a column for it yet. */
  unhandled: number;
  crashed: number;
  release: string;
  environment?: string;
}

/** Which list of a client report an entry came from. SDKs only send `discarded`; Relays send the rest. */
export type ClientDiscardKind = "discarded" | "rate_limited" | "filtered" | "filtered_sampling";

export interface ClientDiscard {
  kind: ClientDiscardKind;
  reason: string;
  category: string;
  quantity: number;
}

export interface ClientReport {
  timestamp: number;
  discarded: ClientDiscard[];
}

export type CheckInStatus = "in_progress" | "ok" | "error";

export interface CheckIn {
  /** 32 lowercase hex; the same id ties an `in_progress` check-in to its `ok`/`error` one. */
  checkInId: string;
  monitorSlug: string;
  status: CheckInStatus;
  /** Seconds. */
  duration?: number;
  environment?: string;
  release?: string;
  /** Upsert config (`schedule`, `checkin_margin`, `max_runtime`, `timezone`, thresholds) as sent. */
  monitorConfig?: JsonObject;
  traceId?: string;
  /** When the check-in was received (check-ins carry no timestamp of their own). */
  timestamp: number;
}

/** Legacy `user_report` item: feedback attached to an existing event. */
export interface UserReport {
  eventId: string;
  email?: string;
  name?: string;
  comments: string;
}
