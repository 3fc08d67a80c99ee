// Items Faultline stores as raw bytes without processing (profiles, replays, old metrics): this reads
// the few fields worth indexing next to the blob, e.g. which transaction a profile belongs to or which
// replay and segment a recording is. Never throws; unreadable payloads just yield less metadata.
import {
  MAX_ENVIRONMENT_CHARS,
  MAX_OPAQUE_SUMMARY_BYTES,
  MAX_RELEASE_CHARS,
  MAX_SHORT_STRING_CHARS,
  MAX_SUMMARY_LIST_ENTRIES,
} from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { readContainer } from "./container.ts";
import {
  asArray,
  asCount,
  asObject,
  asText,
  decodeJson,
  normalizeId32,
  parseTimestamp,
  truncate,
} from "./json.ts";

export function summarizeOpaqueItem(type: string, headers: JsonObject, payload: Uint8Array): JsonObject {
  const base: JsonObject = { size: payload.byteLength };
  copyText(base, "content_type", headers.content_type, MAX_SHORT_STRING_CHARS);
  copyText(base, "filename", headers.filename, MAX_SHORT_STRING_CHARS);
  switch (type) {
    case "profile":
      return withJson(base, payload, summarizeProfile);
    case "profile_chunk":
    case "profile_chunk_ui":
      copyText(base, "platform", headers.platform, MAX_SHORT_STRING_CHARS);
      return withJson(base, payload, summarizeProfileChunk);
    case "replay_event":
      return withJson(base, payload, summarizeReplayEvent);
    case "replay_recording":
      return { ...base, ...summarizeReplayRecording(payload) };
    case "statsd":
      return { ...base, line_count: countLines(payload) };
    case "metric_buckets":
      return withJson(base, payload, (value) => ({ bucket_count: asArray(value)?.length ?? 0 }));
    case "trace_metric":
      return { ...base, ...summarizeTraceMetrics(headers, payload) };
    default:
      // replay_video is msgpack and anything else is unknown: size and headers are all we say.
      return base;
  }
}

/** Adds the summary of the payload's JSON, or `valid_json: false`; skips JSON too large to parse cheaply. */
function withJson(
  base: JsonObject,
  payload: Uint8Array,
  summarize: (value: JsonValue) => JsonObject,
): JsonObject {
  if (payload.byteLength > MAX_OPAQUE_SUMMARY_BYTES) return { ...base, summarized: false };
  const decoded = decodeJson(payload);
  if (!decoded.ok) return { ...base, valid_json: false };
  return { ...base, ...summarize(decoded.value) };
}

/** Sample profiles (`event_id`, `transaction{id,name,trace_id}`) and the older Android shape (`profile_id`, `transaction_id`, …). */
function summarizeProfile(value: JsonValue): JsonObject {
  const profile = asObject(value) ?? {};
  const transaction = asObject(profile.transaction) ?? asObject(asArray(profile.transactions)?.[0]) ?? {};
  const out: JsonObject = {};
  copyId(out, "profile_id", profile.event_id ?? profile.profile_id);
  copyId(out, "transaction_id", transaction.id ?? profile.transaction_id);
  copyId(out, "trace_id", transaction.trace_id ?? profile.trace_id);
  copyText(out, "transaction", transaction.name ?? profile.transaction_name, MAX_SHORT_STRING_CHARS);
  copyCommon(out, profile);
  copyText(out, "version", profile.version, MAX_SHORT_STRING_CHARS);
  return out;
}

function summarizeProfileChunk(value: JsonValue): JsonObject {
  const chunk = asObject(value) ?? {};
  const out: JsonObject = {};
  copyId(out, "chunk_id", chunk.chunk_id);
  copyId(out, "profiler_id", chunk.profiler_id);
  copyCommon(out, chunk);
  copyText(out, "version", chunk.version, MAX_SHORT_STRING_CHARS);
  return out;
}

function summarizeReplayEvent(value: JsonValue): JsonObject {
  const replay = asObject(value) ?? {};
  const out: JsonObject = {};
  copyId(out, "replay_id", replay.replay_id ?? replay.event_id);
  const segment = asCount(replay.segment_id);
  if (segment !== undefined) out.segment_id = segment;
  copyText(out, "replay_type", replay.replay_type, MAX_SHORT_STRING_CHARS);
  copyCommon(out, replay);
  const start = parseTimestamp(replay.replay_start_timestamp);
  if (start !== undefined) out.replay_start_timestamp = start;
  out.error_ids = idList(replay.error_ids);
  out.trace_ids = idList(replay.trace_ids);
  out.urls = (asArray(replay.urls) ?? [])
    .flatMap((url) => (typeof url === "string" ? [truncate(url, MAX_SHORT_STRING_CHARS)] : []))
    .slice(0, MAX_SUMMARY_LIST_ENTRIES);
  return out;
}

/** A recording is a one-line JSON header (`{"segment_id":0}`), a newline, then rrweb data (often zlib/gzip). */
function summarizeReplayRecording(payload: Uint8Array): JsonObject {
  const newline = payload.indexOf(0x0a);
  if (newline < 0) return { valid_header: false };
  const header = decodeJson(payload.subarray(0, newline));
  const segment = header.ok ? asCount(asObject(header.value)?.segment_id) : undefined;
  const body = payload.subarray(newline + 1);
  const compressed = (body[0] === 0x78 && body.length > 1) || (body[0] === 0x1f && body[1] === 0x8b);
  return segment === undefined
    ? { valid_header: false, compressed }
    : { segment_id: segment, compressed, recording_size: body.byteLength };
}

function summarizeTraceMetrics(headers: JsonObject, payload: Uint8Array): JsonObject {
  if (payload.byteLength > MAX_OPAQUE_SUMMARY_BYTES) return { summarized: false };
  const container = readContainer(headers, payload);
  if (!container.ok) return { invalid: container.reason, metric_count: container.quantity };
  const names = new Set<string>();
  for (const entry of container.entries) {
    const name = asObject(entry)?.name;
    if (typeof name === "string" && names.size < MAX_SUMMARY_LIST_ENTRIES)
      names.add(truncate(name, MAX_SHORT_STRING_CHARS));
  }
  return { metric_count: container.entries.length + container.overflow, names: [...names] };
}

function countLines(payload: Uint8Array): number {
  let lines = 0;
  let inLine = false;
  for (const byte of payload) {
    if (byte === 0x0a) {
      if (inLine) lines++;
      inLine = false;
    } else if (byte !== 0x0d) {
      inLine = true;
    }
  }
  return inLine ? lines + 1 : lines;
}

function copyCommon(out: JsonObject, source: JsonObject): void {
  copyText(out, "platform", source.platform, MAX_SHORT_STRING_CHARS);
  copyText(out, "release", source.release, MAX_RELEASE_CHARS);
  copyText(out, "environment", source.environment, MAX_ENVIRONMENT_CHARS);
  const timestamp = parseTimestamp(source.timestamp);
  if (timestamp !== undefined) out.timestamp = timestamp;
}

function copyText(out: JsonObject, key: string, value: unknown, maxChars: number): void {
  const text = asText(value, maxChars);
  if (text !== undefined) out[key] = text;
}

function copyId(out: JsonObject, key: string, value: unknown): void {
  const id = normalizeId32(value);
  if (id !== undefined) out[key] = id;
}

function idList(value: unknown): string[] {
  const ids = new Set<string>();
  for (const entry of asArray(value) ?? []) {
    const id = normalizeId32(entry);
    if (id !== undefined) ids.add(id);
    if (ids.size >= MAX_SUMMARY_LIST_ENTRIES) break;
  }
  return [...ids];
}
