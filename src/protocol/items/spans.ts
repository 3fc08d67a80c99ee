// `span` items: either the span v2 container (`application/vnd.sentry.items.span.v2+json`,
// `{"version":2,"items":[…]}` with `item_count`, sent by @sentry/node 11 for every transaction) or one
// legacy v1 span JSON (older browser SDKs' standalone web-vital spans).
import { MAX_MESSAGE_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { readTypedAttributes, stringAttribute } from "./attributes.ts";
import { readDecodedContainer } from "./container.ts";
import {
  asArray,
  asObject,
  asText,
  type DecodedJson,
  decodeJson,
  dropUndefined,
  InvalidTally,
  normalizeId32,
  normalizeSpanId,
  optionalId,
} from "./json.ts";
import {
  deriveFromAttributes,
  durationMs,
  invalidSpan,
  keepUnknownFields,
  readSpanTimes,
  type SpanRead,
} from "./span-fields.ts";
import { spanFromV1 } from "./transaction-spans.ts";
import type { ItemContext, ItemParseResult, SpanRecord } from "./types.ts";

export const SPAN_V2_CONTENT_TYPE = "application/vnd.sentry.items.span.v2+json";

const V2_FIELDS = new Set([
  "trace_id",
  "span_id",
  "parent_span_id",
  "name",
  "status",
  "is_segment",
  "start_timestamp",
  "end_timestamp",
  "attributes",
]);

export function parseSpanItem(
  headers: JsonObject,
  payload: Uint8Array,
  _ctx: ItemContext,
): ItemParseResult<SpanRecord> {
  const decoded = decodeJson(payload);
  if (isV2Container(headers, decoded)) return parseV2Container(headers, decoded);
  if (!decoded.ok) return { records: [], invalid: [{ reason: "invalid_json", quantity: 1 }] };
  const read = spanFromV1(decoded.value, {});
  return read.ok
    ? { records: [read.span], invalid: [] }
    : { records: [], invalid: [{ reason: read.reason, quantity: 1 }] };
}

/**
 * The content type or an `item_count` header (only containers have one) decides. With neither, an
 * object with an `items` array and no `span_id` is still a container (then rejected for its missing
 * `item_count`, as Relay does) rather than a span with a missing id.
 */
function isV2Container(headers: JsonObject, decoded: DecodedJson): boolean {
  const contentType = typeof headers.content_type === "string" ? headers.content_type.toLowerCase() : "";
  if (contentType.startsWith(SPAN_V2_CONTENT_TYPE) || headers.item_count !== undefined) return true;
  if (contentType !== "" || !decoded.ok) return false;
  const root = asObject(decoded.value);
  return root !== undefined && asArray(root.items) !== undefined && root.span_id === undefined;
}

function parseV2Container(headers: JsonObject, decoded: DecodedJson): ItemParseResult<SpanRecord> {
  const container = readDecodedContainer(headers, decoded);
  if (!container.ok)
    return { records: [], invalid: [{ reason: container.reason, quantity: container.quantity }] };
  const records: SpanRecord[] = [];
  const invalid = new InvalidTally();
  invalid.add("too_many_items", container.overflow);
  for (const entry of container.entries) {
    const read = spanFromV2(entry);
    if (read.ok) records.push(read.span);
    else invalid.add(read.reason);
  }
  return { records, invalid: invalid.list() };
}

/** One span v2 entry. Attributes are `{key: {type, value}}`; op, release, environment… live there. */
export function spanFromV2(entry: JsonValue): SpanRead {
  const span = asObject(entry);
  if (!span) return invalidSpan("invalid_span");
  const traceId = normalizeId32(span.trace_id);
  if (!traceId) return invalidSpan("invalid_trace_id");
  const spanId = normalizeSpanId(span.span_id);
  if (!spanId) return invalidSpan("invalid_span_id");
  const parent = optionalId(span.parent_span_id, normalizeSpanId);
  if (!parent.ok) return invalidSpan("invalid_parent_span_id");
  const times = readSpanTimes(span.start_timestamp, span.end_timestamp);
  if (!times.ok) return invalidSpan(times.reason);

  const { plain, typed } = readTypedAttributes(span.attributes);
  keepUnknownFields(span, V2_FIELDS, plain, typed);
  const derived = deriveFromAttributes(plain);
  const name =
    asText(span.name, MAX_MESSAGE_CHARS) ??
    stringAttribute(plain, "sentry.name", MAX_MESSAGE_CHARS) ??
    derived.op;
  if (!name) return invalidSpan("missing_name");
  // `is_segment` is required by the protocol; if an SDK leaves it out, a span without parent is a root.
  const isSegment = typeof span.is_segment === "boolean" ? span.is_segment : parent.id === undefined;
  const segmentId = normalizeSpanId(plain["sentry.segment.id"]) ?? (isSegment ? spanId : undefined);

  return {
    ok: true,
    span: dropUndefined<SpanRecord>({
      traceId,
      spanId,
      parentSpanId: parent.id,
      segmentId,
      isSegment,
      name,
      op: derived.op,
      description: derived.description,
      status: asText(span.status, MAX_SHORT_STRING_CHARS)?.toLowerCase(),
      startTimestamp: times.start,
      endTimestamp: times.end,
      durationMs: durationMs(times.start, times.end),
      transaction: derived.transaction,
      release: derived.release,
      environment: derived.environment,
      attributes: plain,
      typedAttributes: typed,
      origin: derived.origin,
    }),
  };
}
