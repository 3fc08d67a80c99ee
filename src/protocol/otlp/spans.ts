// An OTLP ExportTraceServiceRequest → the span records Faultline stores for envelope spans. Field by
// field: ids as lowercase hex, kind and well-known attributes → op, status code → `ok`/`error`, times
// from nanoseconds, resource and scope attributes merged under the span's own, span events and links
// kept as `otel.events` / `otel.links`, and a root (no parent) is a segment whose name is the
// transaction of the request's spans beneath it.
import { MAX_MESSAGE_CHARS, MAX_OTLP_RECORDS_PER_REQUEST, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { asArray, asObject, asText, dropUndefined, InvalidTally } from "../items/json.ts";
import { durationMs } from "../items/span-fields.ts";
import type { ItemParseResult, SpanRecord } from "../items/types.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { type OtlpScopeContext, readResourceAndScope, releaseAndEnvironment } from "./resource.ts";
import { readEnum, readKeyValues, readOtlpId, readUnixNanos } from "./values.ts";

const SPAN_KINDS = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
] as const;
const KIND_NAMES = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"] as const;

/** Span events and links kept per span (each with its attributes); the rest are counted as dropped. */
export const MAX_SPAN_EVENTS = 128;

/** The spans of one request, in request order, and why the others were not kept. */
export function spansFromOtlp(request: unknown): ItemParseResult<SpanRecord> {
  const records: SpanRecord[] = [];
  const invalid = new InvalidTally();
  for (const resourceSpans of asArray(asObject(request)?.resourceSpans) ?? []) {
    for (const scopeSpans of asArray(asObject(resourceSpans)?.scopeSpans) ?? []) {
      const context = readResourceAndScope(resourceSpans, scopeSpans);
      for (const entry of asArray(asObject(scopeSpans)?.spans) ?? []) {
        if (records.length >= MAX_OTLP_RECORDS_PER_REQUEST) {
          invalid.add("too_many_items");
          continue;
        }
        const read = spanFromOtlp(entry, context);
        if (typeof read === "string") invalid.add(read);
        else records.push(read);
      }
    }
  }
  assignSegments(records);
  return { records, invalid: invalid.list() };
}

/** One OTLP span, or the reason it is invalid. */
export function spanFromOtlp(entry: unknown, context: OtlpScopeContext): SpanRecord | string {
  const span = asObject(entry);
  if (!span) return "invalid_span";
  const traceId = readOtlpId(span.traceId, 16);
  if (!traceId) return "invalid_trace_id";
  const spanId = readOtlpId(span.spanId, 8);
  if (!spanId) return "invalid_span_id";
  const parentSpanId = readOtlpId(span.parentSpanId, 8);
  if (parentSpanId === null) return "invalid_parent_span_id";
  const start = readUnixNanos(span.startTimeUnixNano);
  const end = readUnixNanos(span.endTimeUnixNano);
  if (start === undefined || end === undefined) return "invalid_timestamp";
  if (end < start) return "end_before_start";
  const name = asText(span.name, MAX_MESSAGE_CHARS);
  if (!name) return "missing_name";

  const own = readKeyValues(span.attributes);
  const kind = KIND_NAMES[readEnum(span.kind, SPAN_KINDS)] ?? "unspecified";
  const attributes: JsonObject = {
    "sentry.origin": "otlp",
    ...context.attributes,
    ...own,
    "otel.kind": kind,
  };
  const status = asObject(span.status);
  const statusCode = STATUS_CODES[readEnum(status?.code, STATUS_CODES)] ?? "STATUS_CODE_UNSET";
  const statusMessage = asText(status?.message, MAX_MESSAGE_CHARS);
  if (statusMessage) attributes["otel.status_message"] = statusMessage;
  const events = readEvents(span.events);
  if (events.length > 0) attributes["otel.events"] = events;
  const links = readLinks(span.links);
  if (links.length > 0) attributes["otel.links"] = links;
  const hasException = events.some((e) => asObject(e)?.name === "exception");

  return dropUndefined<SpanRecord>({
    traceId,
    spanId,
    parentSpanId,
    isSegment: parentSpanId === undefined,
    name,
    op: asText(own["sentry.op"], MAX_SHORT_STRING_CHARS) ?? opOf(kind, own),
    description: name,
    status: statusCode === "STATUS_CODE_ERROR" || hasException ? "error" : "ok",
    startTimestamp: start,
    endTimestamp: end,
    durationMs: durationMs(start, end),
    ...releaseAndEnvironment(own, context),
    attributes,
    typedAttributes: {},
    origin: "otlp",
  });
}

/** Sentry-style op from the semantic conventions the span follows, else its kind. */
function opOf(kind: string, attributes: JsonObject): string {
  const has = (key: string) => attributes[key] !== undefined;
  if (has("http.request.method") || has("http.method"))
    return kind === "server" ? "http.server" : kind === "client" ? "http.client" : "http";
  if (has("db.system") || has("db.system.name")) return "db";
  if (has("messaging.system")) return kind === "producer" ? "queue.publish" : "queue.process";
  if (has("rpc.system")) return kind === "server" ? "rpc.server" : "rpc";
  if (has("faas.trigger")) return "function";
  return kind === "unspecified" ? "default" : kind;
}

function readEvents(value: unknown): JsonValue[] {
  return (asArray(value) ?? []).slice(0, MAX_SPAN_EVENTS).flatMap((entry) => {
    const event = asObject(entry);
    const name = asText(event?.name, MAX_SHORT_STRING_CHARS);
    if (!event || !name) return [];
    return [
      {
        name,
        timestamp: readUnixNanos(event.timeUnixNano) ?? null,
        attributes: readKeyValues(event.attributes),
      },
    ];
  });
}

function readLinks(value: unknown): JsonValue[] {
  return (asArray(value) ?? []).slice(0, MAX_SPAN_EVENTS).flatMap((entry) => {
    const link = asObject(entry);
    const traceId = readOtlpId(link?.traceId, 16);
    const spanId = readOtlpId(link?.spanId, 8);
    if (!link || !traceId || !spanId) return [];
    return [{ trace_id: traceId, span_id: spanId, attributes: readKeyValues(link.attributes) }];
  });
}

/**
 * Each span's segment (the root above it among the request's spans) and that root's name as its
 * transaction. Parents outside the request (another batch, a Sentry SDK) leave the span without one.
 */
function assignSegments(records: SpanRecord[]): void {
  const byId = new Map(records.map((span) => [`${span.traceId}:${span.spanId}`, span]));
  for (const span of records) {
    let current = span;
    for (let hops = 0; hops < records.length && current.parentSpanId; hops += 1) {
      const parent = byId.get(`${current.traceId}:${current.parentSpanId}`);
      if (!parent) break;
      current = parent;
    }
    if (current.isSegment) {
      span.segmentId = current.spanId;
      span.transaction = current.name;
    }
  }
}
