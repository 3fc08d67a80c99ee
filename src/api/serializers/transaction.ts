// What a transaction event adds to Sentry's full event: the `spans` entry (the transaction's child
// spans, as the waterfall reads them), the transaction's own start/end timestamps and its measurements.
// Reads the normalized payload, where spans keep the SDK's snake-case keys and float-second times.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** One child span as Sentry's spans entry lists it; unknown keys the SDK sent are kept. */
function serializeSpan(span: JsonRecord, traceId: string | null): JsonRecord {
  const start = num(span.start_timestamp);
  const end = num(span.timestamp);
  return {
    ...span,
    span_id: str(span.span_id),
    parent_span_id: str(span.parent_span_id),
    trace_id: str(span.trace_id) ?? traceId,
    op: str(span.op),
    description: str(span.description),
    status: str(span.status),
    start_timestamp: start,
    timestamp: end,
    // Relay computes exclusive time; without it the span's own duration is the honest upper bound.
    exclusive_time:
      num(span.exclusive_time) ?? (start !== null && end !== null ? Math.max(0, (end - start) * 1000) : null),
    same_process_as_parent:
      typeof span.same_process_as_parent === "boolean" ? span.same_process_as_parent : null,
    tags: isRecord(span.tags) ? span.tags : null,
    data: isRecord(span.data) ? span.data : null,
    hash: str(span.hash),
    origin: str(span.origin),
  };
}

/** The `spans` entry of a transaction (null for other events), ordered by start time as the waterfall. */
export function spansEntry(payload: JsonRecord): { type: "spans"; data: JsonRecord[] } | null {
  if (payload.type !== "transaction") return null;
  const traceId =
    isRecord(payload.contexts) && isRecord(payload.contexts.trace)
      ? str(payload.contexts.trace.trace_id)
      : null;
  const spans = (Array.isArray(payload.spans) ? payload.spans : []).filter(isRecord);
  const data = spans
    .map((s) => serializeSpan(s, traceId))
    .sort((a, b) => (num(a.start_timestamp) ?? 0) - (num(b.start_timestamp) ?? 0));
  return { type: "spans", data };
}

/** Top-level fields Sentry adds to a transaction event: its timestamps (seconds) and measurements. */
export function transactionFields(payload: JsonRecord) {
  if (payload.type !== "transaction") return {};
  return {
    startTimestamp: num(payload.start_timestamp),
    endTimestamp: num(payload.timestamp),
    measurements: isRecord(payload.measurements) ? payload.measurements : {},
    breakdowns: isRecord(payload.breakdowns) ? payload.breakdowns : null,
  };
}
