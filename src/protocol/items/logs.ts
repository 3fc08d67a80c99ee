// `log` items: a container `{"items":[…]}` (`application/vnd.sentry.items.log+json`, `item_count`
// required; @sentry/node 11 adds `"version":2`). Each entry: `timestamp` (float s), `trace_id`,
// `span_id`?, `level`, `body`, `severity_number`?, typed `attributes`.
import {
  MAX_ENVIRONMENT_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_RELEASE_CHARS,
  MAX_SHORT_STRING_CHARS,
} from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { readTypedAttributes, stringAttribute } from "./attributes.ts";
import { readContainer } from "./container.ts";
import {
  asObject,
  dropUndefined,
  InvalidTally,
  normalizeId32,
  normalizeSpanId,
  optionalId,
  parseTimestamp,
  truncate,
} from "./json.ts";
import type { ItemContext, ItemParseResult, LogLevel, LogRecord } from "./types.ts";

export const LOG_CONTENT_TYPE = "application/vnd.sentry.items.log+json";

/** Level names SDKs use, mapped to the six OpenTelemetry-style levels (sentry-rust also reads `log`, `warning`). */
const LEVELS = new Map<string, LogLevel>([
  ["trace", "trace"],
  ["debug", "debug"],
  ["info", "info"],
  ["log", "info"],
  ["warn", "warn"],
  ["warning", "warn"],
  ["error", "error"],
  ["fatal", "fatal"],
]);

/** OpenTelemetry severity ranges: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal. */
const SEVERITY_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal"];

export function parseLogItem(
  headers: JsonObject,
  payload: Uint8Array,
  _ctx: ItemContext,
): ItemParseResult<LogRecord> {
  const container = readContainer(headers, payload);
  if (!container.ok)
    return { records: [], invalid: [{ reason: container.reason, quantity: container.quantity }] };
  const records: LogRecord[] = [];
  const invalid = new InvalidTally();
  invalid.add("too_many_items", container.overflow);
  for (const entry of container.entries) {
    const read = logFromEntry(entry);
    if (read.ok) records.push(read.log);
    else invalid.add(read.reason);
  }
  return { records, invalid: invalid.list() };
}

type LogRead = { ok: true; log: LogRecord } | { ok: false; reason: string };

export function logFromEntry(entry: JsonValue): LogRead {
  const log = asObject(entry);
  if (!log) return { ok: false, reason: "invalid_log" };
  const timestamp = parseTimestamp(log.timestamp);
  if (timestamp === undefined) return { ok: false, reason: "invalid_timestamp" };
  const trace = optionalId(log.trace_id, normalizeId32);
  if (!trace.ok) return { ok: false, reason: "invalid_trace_id" };
  const span = optionalId(log.span_id, normalizeSpanId);
  if (!span.ok) return { ok: false, reason: "invalid_span_id" };
  if (typeof log.body !== "string") return { ok: false, reason: "missing_body" };
  const severityNumber = readSeverityNumber(log.severity_number);
  const level = levelOf(log.level, severityNumber);
  if (!level) return { ok: false, reason: "invalid_level" };

  const { plain, typed } = readTypedAttributes(log.attributes);
  return {
    ok: true,
    log: dropUndefined<LogRecord>({
      timestamp,
      traceId: trace.id,
      spanId: span.id,
      level,
      severityNumber,
      body: truncate(log.body, MAX_MESSAGE_CHARS),
      attributes: plain,
      typedAttributes: typed,
      release: stringAttribute(plain, "sentry.release", MAX_RELEASE_CHARS),
      environment: stringAttribute(plain, "sentry.environment", MAX_ENVIRONMENT_CHARS),
      sdkName: stringAttribute(plain, "sentry.sdk.name", MAX_SHORT_STRING_CHARS),
    }),
  };
}

function readSeverityNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 24
    ? value
    : undefined;
}

/** The named level wins; without a known name the severity number decides. */
export function levelOf(value: unknown, severityNumber: number | undefined): LogLevel | undefined {
  const named = typeof value === "string" ? LEVELS.get(value.trim().toLowerCase()) : undefined;
  if (named) return named;
  return severityNumber === undefined ? undefined : SEVERITY_LEVELS[Math.floor((severityNumber - 1) / 4)];
}
