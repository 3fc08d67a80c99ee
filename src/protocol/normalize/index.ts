// Event normalization: one untrusted event, transaction or feedback payload in, a NormalizedEvent out.
// Pure and total: only a payload that is not a JSON object is refused; every other problem trims or
// drops the field concerned and leaves a note in `errors`.
import { FaultlineError } from "../../errors.ts";
import { MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { applyInAppRules } from "../../symbolication/in-app.ts";
import type { Level, NormalizedEvent } from "../types.ts";
import { normalizeBreadcrumbs } from "./breadcrumbs.ts";
import { databagObject } from "./databag.ts";
import { normalizeDebugMeta } from "./debug-meta.ts";
import {
  normalizeContexts,
  normalizeEnvironment,
  normalizeFingerprint,
  normalizeMeasurements,
  normalizeModules,
  normalizeRelease,
} from "./event-fields.ts";
import { normalizeExceptions } from "./exception.ts";
import { asObject, put, readString } from "./fields.ts";
import {
  clockDrift,
  isInFuture,
  normalizeLevel,
  normalizePlatform,
  readTimestamp,
  resolveEventId,
} from "./ids-and-time.ts";
import { normalizeMessage } from "./message.ts";
import { Notes } from "./notes.ts";
import { normalizeSpans } from "./spans.ts";
import { normalizeStacktrace, normalizeThreads } from "./stacktrace.ts";
import { normalizeTags, withContextTags } from "./tags.ts";
import { withUserAgentContexts } from "./user-agent.ts";
import { normalizeRequest, normalizeUser } from "./user-request.ts";

export { normalizeBreadcrumbs } from "./breadcrumbs.ts";
export { type DatabagOptions, databagObject, trimDatabag } from "./databag.ts";
export { nativeTypeOf, normalizeDebugMeta, normalizeImage, readCodeId, readDebugId } from "./debug-meta.ts";
export {
  normalizeContexts,
  normalizeEnvironment,
  normalizeFingerprint,
  normalizeMeasurements,
  normalizeModules,
  normalizeRelease,
} from "./event-fields.ts";
export { normalizeExceptions, normalizeExceptionValue, normalizeMechanism } from "./exception.ts";
export {
  clockDrift,
  driftSeconds,
  generateEventId,
  isInFuture,
  normalizeLevel,
  normalizePlatform,
  readTimestamp,
  resolveEventId,
} from "./ids-and-time.ts";
export { formatMessage, type LogEntry, type NormalizedMessage, normalizeMessage } from "./message.ts";
export { type NormalizationNote, Notes, type NoteType } from "./notes.ts";
export { normalizeSpans } from "./spans.ts";
export {
  isDisabledBacktraceFrame,
  normalizeAddress,
  normalizeFrame,
  normalizeStacktrace,
  normalizeThreads,
} from "./stacktrace.ts";
export { normalizeTags, searchableTagValues, withContextTags } from "./tags.ts";
export { contextsFromUserAgent, parseBrandList, userAgentInfo, withUserAgentContexts } from "./user-agent.ts";
export { isIpAddress, normalizeRequest, normalizeUser, readPairs } from "./user-request.ts";

export interface NormalizeContext {
  /** Receive time, unix seconds (float). */
  receivedAt: number;
  /** The envelope header's event id, already normalized to 32 lower-case hex; wins over the payload's. */
  envelopeEventId?: string;
  /** The envelope header `sent_at` (RFC 3339), for clock drift correction. */
  sentAt?: string;
  /** The client's address (CF-Connecting-IP), used for `user.ip_address: "{{auto}}"`. */
  clientIp?: string;
  itemType: "event" | "transaction" | "feedback";
}

/**
 * Errors of the server's own processing before normalization (an unreadable minidump becomes an event
 * with `native_bad_dump`), kept; other `errors` a payload carries are the SDK's and are not.
 */
const PROCESSING_ERRORS = new Set(["native_bad_dump"]);

function processingErrors(value: unknown): { type: string; name?: string; value?: string }[] {
  if (!Array.isArray(value)) return [];
  const out: { type: string; name?: string; value?: string }[] = [];
  for (const entry of value.slice(0, 4)) {
    const error = asObject(entry);
    if (!error || typeof error.type !== "string" || !PROCESSING_ERRORS.has(error.type)) continue;
    const kept: { type: string; name?: string; value?: string } = { type: error.type };
    if (typeof error.name === "string") kept.name = error.name.slice(0, 200);
    if (typeof error.value === "string") kept.value = error.value.slice(0, 1000);
    out.push(kept);
  }
  return out;
}

export function normalizeEvent(raw: unknown, ctx: NormalizeContext): NormalizedEvent {
  const payload = asObject(raw);
  if (!payload) throw new FaultlineError(400, "invalid event payload: expected a JSON object");
  const notes = new Notes();
  const isTransaction = ctx.itemType === "transaction";

  const eventId = resolveEventId(ctx.envelopeEventId, payload.event_id, notes);

  // Timestamps: correct the client's clock, then refuse dates in the future.
  const drift = clockDrift(ctx.receivedAt, ctx.sentAt, notes);
  const sentTimestamp = readTimestamp(payload.timestamp, notes, "timestamp");
  let timestamp = sentTimestamp === undefined ? ctx.receivedAt : sentTimestamp + drift;
  const sentStart = readTimestamp(payload.start_timestamp, notes, "start_timestamp");
  let startTimestamp = sentStart === undefined ? undefined : sentStart + drift;
  let spanShift = drift;
  if (isInFuture(timestamp, ctx.receivedAt)) {
    notes.add("future_timestamp", "timestamp", timestamp);
    const back = ctx.receivedAt - timestamp;
    timestamp = ctx.receivedAt;
    // A transaction moves as a whole, so its duration and its spans' offsets stay as measured.
    if (startTimestamp !== undefined) startTimestamp += back;
    spanShift += back;
  }
  if (startTimestamp !== undefined && isInFuture(startTimestamp, ctx.receivedAt)) {
    notes.add("future_timestamp", "start_timestamp", startTimestamp);
    startTimestamp = timestamp;
  }

  const exception = normalizeExceptions(payload.exception, notes);
  const defaultLevel: Level = isTransaction ? "info" : "error";
  const event: NormalizedEvent = {
    event_id: eventId,
    type: isTransaction ? "transaction" : exception ? "error" : "default",
    timestamp,
    received: ctx.receivedAt,
    level: normalizeLevel(payload.level, defaultLevel, notes, "level"),
    platform: normalizePlatform(payload.platform, notes),
    tags: normalizeTags(payload.tags, notes),
  };
  put(event, "start_timestamp", startTimestamp);

  const short = (key: string) => readString(payload[key], MAX_SHORT_STRING_CHARS, notes, key);
  put(event, "logger", short("logger"));
  put(event, "transaction", short("transaction"));
  put(event, "server_name", short("server_name"));
  put(event, "release", normalizeRelease(payload.release, notes));
  put(event, "dist", short("dist"));
  put(event, "environment", normalizeEnvironment(payload.environment, notes));
  put(event, "culprit", short("culprit"));

  const message = normalizeMessage(payload.logentry, payload.message, notes);
  put(event, "message", message.message);
  put(event, "logentry", message.logentry);

  put(event, "exception", exception);
  put(event, "threads", normalizeThreads(payload.threads, notes));
  put(event, "stacktrace", normalizeStacktrace(payload.stacktrace, notes, "stacktrace"));
  put(event, "debug_meta", normalizeDebugMeta(payload.debug_meta, notes));

  const request = normalizeRequest(payload.request, notes);
  const contexts = withUserAgentContexts(
    normalizeContexts(payload.contexts, notes),
    request?.headers,
    event.platform,
  );
  put(event, "contexts", contexts);
  event.tags = withContextTags(event.tags, contexts);
  put(event, "extra", databagObject(payload.extra, notes, "extra"));
  put(event, "user", normalizeUser(payload.user, ctx.clientIp, notes));
  put(event, "request", request);
  put(
    event,
    "breadcrumbs",
    normalizeBreadcrumbs(payload.breadcrumbs, { eventTimestamp: timestamp, drift }, notes),
  );
  put(event, "sdk", databagObject(payload.sdk, notes, "sdk"));
  put(event, "modules", normalizeModules(payload.modules, notes));
  put(event, "fingerprint", normalizeFingerprint(payload.fingerprint, notes));
  put(event, "measurements", normalizeMeasurements(payload.measurements, notes));
  if (isTransaction) {
    put(event, "spans", normalizeSpans(payload.spans, spanShift, notes));
    put(event, "transaction_info", databagObject(payload.transaction_info, notes, "transaction_info"));
  }

  const errors = [...processingErrors(payload.errors), ...notes.result()];
  if (errors.length > 0) event.errors = errors;
  // The server, not the SDK, decides which native frames are the application's.
  return applyInAppRules(event);
}
