// OpenTelemetry `exception` span events → Sentry error events, so an exception recorded on an OTLP span
// becomes an issue linked to its trace and span like an SDK-captured error. Each event id is derived
// from the trace id, span id and the event's position, so an exporter's retry stores it once.
import { MAX_MESSAGE_CHARS, MAX_OTLP_EXCEPTIONS_PER_REQUEST, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { asArray, asObject, asText } from "../items/json.ts";
import type { SpanRecord } from "../items/types.ts";
import { sha256Hex } from "../sha256.ts";
import type { JsonObject } from "../types.ts";

/** The error event payloads (Sentry event JSON) for the exception events of the given spans. */
export async function exceptionEventsOf(spans: readonly SpanRecord[]): Promise<JsonObject[]> {
  const events: JsonObject[] = [];
  for (const span of spans) {
    const spanEvents = asArray(span.attributes["otel.events"]) ?? [];
    for (const [index, entry] of spanEvents.entries()) {
      const event = asObject(entry);
      if (event?.name !== "exception") continue;
      if (events.length >= MAX_OTLP_EXCEPTIONS_PER_REQUEST) return events;
      events.push(await errorEventOf(span, asObject(event.attributes) ?? {}, event.timestamp, index));
    }
  }
  return events;
}

async function errorEventOf(
  span: SpanRecord,
  attributes: JsonObject,
  timestamp: unknown,
  index: number,
): Promise<JsonObject> {
  const type = asText(attributes["exception.type"], MAX_SHORT_STRING_CHARS) ?? "Exception";
  const value = asText(attributes["exception.message"], MAX_MESSAGE_CHARS) ?? "";
  const stacktrace = asText(attributes["exception.stacktrace"], MAX_MESSAGE_CHARS);
  const eventId = (await sha256Hex(`otlp-exception:${span.traceId}:${span.spanId}:${index}`)).slice(0, 32);
  const service = asText(span.attributes["service.name"], MAX_SHORT_STRING_CHARS);
  const event: JsonObject = {
    event_id: eventId,
    timestamp: typeof timestamp === "number" ? timestamp : span.endTimestamp,
    platform: "other",
    level: "error",
    logger: "otlp",
    exception: {
      values: [
        { type, value, mechanism: { type: "otlp", handled: attributes["exception.escaped"] !== true } },
      ],
    },
    contexts: {
      trace: {
        trace_id: span.traceId,
        span_id: span.spanId,
        op: span.op ?? null,
        status: span.status ?? null,
      },
    },
    tags: { "otel.span.name": span.name, ...(service ? { "service.name": service } : {}) },
    transaction: span.transaction ?? span.name,
  };
  if (span.release) event.release = span.release;
  if (span.environment) event.environment = span.environment;
  if (stacktrace) event.extra = { "exception.stacktrace": stacktrace };
  return event;
}
