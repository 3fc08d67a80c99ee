// An OTLP ExportLogsServiceRequest → the log records Faultline stores for envelope `log` items: time
// (or observed time), severity number/text → level, body (non-string bodies as JSON text), trace and
// span ids, attributes over the resource's and scope's.
import { MAX_MESSAGE_CHARS, MAX_OTLP_RECORDS_PER_REQUEST, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { asArray, asObject, asText, dropUndefined, InvalidTally, truncate } from "../items/json.ts";
import { levelOf } from "../items/logs.ts";
import type { ItemParseResult, LogRecord } from "../items/types.ts";
import { type OtlpScopeContext, readResourceAndScope, releaseAndEnvironment } from "./resource.ts";
import { readAnyValue, readKeyValues, readOtlpId, readUnixNanos } from "./values.ts";

export function logsFromOtlp(request: unknown, receivedAt: number): ItemParseResult<LogRecord> {
  const records: LogRecord[] = [];
  const invalid = new InvalidTally();
  for (const resourceLogs of asArray(asObject(request)?.resourceLogs) ?? []) {
    for (const scopeLogs of asArray(asObject(resourceLogs)?.scopeLogs) ?? []) {
      const context = readResourceAndScope(resourceLogs, scopeLogs);
      for (const entry of asArray(asObject(scopeLogs)?.logRecords) ?? []) {
        if (records.length >= MAX_OTLP_RECORDS_PER_REQUEST) {
          invalid.add("too_many_items");
          continue;
        }
        const read = logFromOtlp(entry, context, receivedAt);
        if (typeof read === "string") invalid.add(read);
        else records.push(read);
      }
    }
  }
  return { records, invalid: invalid.list() };
}

/** One OTLP log record, or why it is invalid. A record without any time is dated when it arrived. */
export function logFromOtlp(
  entry: unknown,
  context: OtlpScopeContext,
  receivedAt: number,
): LogRecord | string {
  const log = asObject(entry);
  if (!log) return "invalid_log";
  const traceId = readOtlpId(log.traceId, 16);
  if (traceId === null) return "invalid_trace_id";
  const spanId = readOtlpId(log.spanId, 8);
  if (spanId === null) return "invalid_span_id";
  const timestamp = readUnixNanos(log.timeUnixNano) ?? readUnixNanos(log.observedTimeUnixNano) ?? receivedAt;
  const severityNumber =
    typeof log.severityNumber === "number" && log.severityNumber >= 1 && log.severityNumber <= 24
      ? log.severityNumber
      : undefined;
  const severityText = asText(log.severityText, MAX_SHORT_STRING_CHARS);
  const body = readAnyValue(log.body);
  const own = readKeyValues(log.attributes);
  const attributes = { ...context.attributes, ...own };
  if (severityText) attributes["otel.severity_text"] = severityText;
  const eventName = asText(log.eventName, MAX_SHORT_STRING_CHARS);
  if (eventName) attributes["otel.event_name"] = eventName;
  return dropUndefined<LogRecord>({
    timestamp,
    traceId,
    spanId,
    level: levelOf(severityText, severityNumber) ?? "info",
    severityNumber,
    body: truncate(
      typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body),
      MAX_MESSAGE_CHARS,
    ),
    attributes,
    typedAttributes: {},
    ...releaseAndEnvironment(own, context),
    sdkName: asText(context.attributes["telemetry.sdk.name"], MAX_SHORT_STRING_CHARS),
  });
}
