// v1 spans (Sentry's original span shape: `op`, `description`, `timestamp`, `tags`, `data`) as found in a
// transaction's `spans[]` and in legacy standalone `span` items, and the span rows of a transaction:
// its root span from `contexts.trace` plus every child.
import {
  MAX_ENVIRONMENT_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_RELEASE_CHARS,
  MAX_SHORT_STRING_CHARS,
} from "../../limits.ts";
import type { JsonObject, JsonValue, NormalizedEvent } from "../types.ts";
import { typedFromPlain } from "./attributes.ts";
import {
  asObject,
  asText,
  dropUndefined,
  InvalidTally,
  normalizeId32,
  normalizeSpanId,
  optionalId,
} from "./json.ts";
import {
  addAttributeIfMissing,
  deriveFromAttributes,
  durationMs,
  invalidSpan,
  keepUnknownFields,
  readSpanTimes,
  type SpanRead,
} from "./span-fields.ts";
import type { ItemParseResult, SpanRecord } from "./types.ts";

const V1_FIELDS = new Set([
  "span_id",
  "parent_span_id",
  "trace_id",
  "op",
  "description",
  "start_timestamp",
  "timestamp",
  "status",
  "tags",
  "data",
  "origin",
  "segment_id",
  "is_segment",
  "measurements",
]);

const UNLABELED_SPAN = "<unlabeled span>";
const UNLABELED_TRANSACTION = "<unlabeled transaction>";

/** What a span inherits from its transaction when it does not say it itself. */
export interface SpanDefaults {
  traceId?: string;
  segmentId?: string;
  eventId?: string;
  transaction?: string;
  release?: string;
  environment?: string;
}

/** Reads one v1 span. `data` becomes the attributes; tags and measurement values are merged in. */
export function spanFromV1(entry: JsonValue, defaults: SpanDefaults): SpanRead {
  const span = asObject(entry);
  if (!span) return invalidSpan("invalid_span");
  const ownTrace = optionalId(span.trace_id, normalizeId32);
  if (!ownTrace.ok) return invalidSpan("invalid_trace_id");
  const traceId = ownTrace.id ?? defaults.traceId;
  if (!traceId) return invalidSpan("invalid_trace_id");
  const spanId = normalizeSpanId(span.span_id);
  if (!spanId) return invalidSpan("invalid_span_id");
  const parent = optionalId(span.parent_span_id, normalizeSpanId);
  if (!parent.ok) return invalidSpan("invalid_parent_span_id");
  const segment = optionalId(span.segment_id, normalizeSpanId);
  const times = readSpanTimes(span.start_timestamp, span.timestamp);
  if (!times.ok) return invalidSpan(times.reason);

  const plain: JsonObject = { ...(asObject(span.data) ?? {}) };
  const typed = typedFromPlain(plain);
  mergeTagsAndMeasurements(plain, typed, asObject(span.tags), asObject(span.measurements));
  keepUnknownFields(span, V1_FIELDS, plain, typed);
  const derived = deriveFromAttributes(plain);
  const op = asText(span.op, MAX_SHORT_STRING_CHARS) ?? derived.op;
  const description = asText(span.description, MAX_MESSAGE_CHARS) ?? derived.description;
  const tags = asObject(span.tags);

  return {
    ok: true,
    span: dropUndefined<SpanRecord>({
      traceId,
      spanId,
      parentSpanId: parent.id,
      segmentId: (segment.ok ? segment.id : undefined) ?? defaults.segmentId,
      isSegment: span.is_segment === true,
      name: asText(plain["sentry.name"], MAX_MESSAGE_CHARS) ?? description ?? op ?? UNLABELED_SPAN,
      op,
      description,
      status: asText(span.status, MAX_SHORT_STRING_CHARS)?.toLowerCase(),
      startTimestamp: times.start,
      endTimestamp: times.end,
      durationMs: durationMs(times.start, times.end),
      transaction:
        derived.transaction ?? asText(tags?.transaction, MAX_MESSAGE_CHARS) ?? defaults.transaction,
      release: derived.release ?? asText(tags?.release, MAX_RELEASE_CHARS) ?? defaults.release,
      environment:
        derived.environment ?? asText(tags?.environment, MAX_ENVIRONMENT_CHARS) ?? defaults.environment,
      attributes: plain,
      typedAttributes: typed,
      origin: asText(span.origin, MAX_SHORT_STRING_CHARS) ?? derived.origin,
      eventId: defaults.eventId,
    }),
  };
}

/** Tags and measurements join the attributes without overriding `data` (Relay's v1→v2 precedence). */
function mergeTagsAndMeasurements(
  plain: JsonObject,
  typed: JsonObject,
  tags: JsonObject | undefined,
  measurements: JsonObject | undefined,
): void {
  for (const [key, value] of Object.entries(tags ?? {})) addAttributeIfMissing(plain, typed, key, value);
  for (const [key, measurement] of Object.entries(measurements ?? {})) {
    addAttributeIfMissing(plain, typed, key, asObject(measurement)?.value);
  }
}

/**
 * The span rows of a normalized transaction, with the spans that could not be read counted by reason.
 * Without a valid `contexts.trace` (trace id + span id) there is no root to hang spans on: nothing.
 */
export function parseTransactionSpans(tx: NormalizedEvent): ItemParseResult<SpanRecord> {
  const children = Array.isArray(tx.spans) ? tx.spans : [];
  const root = rootSpan(tx);
  if (!root.ok) return { records: [], invalid: [{ reason: root.reason, quantity: children.length + 1 }] };
  const defaults: SpanDefaults = dropUndefined({
    traceId: root.span.traceId,
    segmentId: root.span.spanId,
    eventId: tx.event_id,
    transaction: tx.transaction,
    release: tx.release,
    environment: tx.environment,
  });
  const records: SpanRecord[] = [root.span];
  const invalid = new InvalidTally();
  for (const child of children) {
    const read = spanFromV1(child, defaults);
    if (!read.ok) {
      invalid.add(read.reason);
      continue;
    }
    // A child of a transaction is never a segment itself, and belongs to this transaction's root.
    read.span.isSegment = false;
    read.span.segmentId = root.span.spanId;
    records.push(read.span);
  }
  return { records, invalid: invalid.list() };
}

/** `spans[]` plus the root span from `contexts.trace`; unreadable spans are left out. */
export function spansFromTransaction(tx: NormalizedEvent): SpanRecord[] {
  return parseTransactionSpans(tx).records;
}

function rootSpan(tx: NormalizedEvent): SpanRead {
  const trace = asObject(tx.contexts?.trace);
  const traceId = normalizeId32(trace?.trace_id);
  if (!trace || !traceId) return invalidSpan("invalid_trace_id");
  const spanId = normalizeSpanId(trace.span_id);
  if (!spanId) return invalidSpan("invalid_span_id");
  const times = readSpanTimes(tx.start_timestamp ?? tx.timestamp, tx.timestamp);
  if (!times.ok) return invalidSpan(times.reason);
  const parent = optionalId(trace.parent_span_id, normalizeSpanId);

  const plain: JsonObject = { ...(asObject(trace.data) ?? {}) };
  const typed = typedFromPlain(plain);
  const tags: JsonObject = Object.fromEntries(Array.isArray(tx.tags) ? tx.tags : []);
  mergeTagsAndMeasurements(plain, typed, tags, asObject(tx.measurements));
  const source = asObject(tx.transaction_info)?.source;
  addAttributeIfMissing(
    plain,
    typed,
    "sentry.segment.name.source",
    typeof source === "string" ? source : undefined,
  );
  const name = asText(tx.transaction, MAX_MESSAGE_CHARS);

  return {
    ok: true,
    span: dropUndefined<SpanRecord>({
      traceId,
      spanId,
      parentSpanId: parent.ok ? parent.id : undefined,
      segmentId: spanId,
      isSegment: true,
      name: name ?? UNLABELED_TRANSACTION,
      op: asText(trace.op, MAX_SHORT_STRING_CHARS),
      description: name,
      status: asText(trace.status, MAX_SHORT_STRING_CHARS)?.toLowerCase(),
      startTimestamp: times.start,
      endTimestamp: times.end,
      durationMs: durationMs(times.start, times.end),
      transaction: name,
      release: asText(tx.release, MAX_RELEASE_CHARS),
      environment: asText(tx.environment, MAX_ENVIRONMENT_CHARS),
      attributes: plain,
      typedAttributes: typed,
      origin: asText(trace.origin, MAX_SHORT_STRING_CHARS),
      eventId: tx.event_id,
    }),
  };
}
