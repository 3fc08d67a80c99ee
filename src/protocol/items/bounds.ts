// Size caps applied to every parsed record before it is stored, so no field that lands in a D1 column
// can approach D1's row limit (limits.ts). Trimmed or dropped attributes are noted in the stored
// attributes under `_meta` (`{key: {trimmed_from: chars}}` or `{key: {dropped: reason}}`), as events
// note trimming in their `errors`.
import {
  MAX_ATTRIBUTE_KEY_CHARS,
  MAX_ATTRIBUTE_VALUE_CHARS,
  MAX_ATTRIBUTES_JSON_CHARS,
  MAX_MONITOR_CONFIG_JSON_CHARS,
  MAX_RAW_METADATA_JSON_CHARS,
} from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { asObject, truncate } from "./json.ts";
import type { CheckIn, LogRecord, SpanRecord } from "./types.ts";

/** The key under which trimming notes are kept in a stored attribute map. */
export const META_KEY = "_meta";

type Note = { trimmed_from: number } | { dropped: "too_large" | "key_too_long" | "over_total" };

/** Caps one attribute value; undefined when it has to be dropped. */
function boundValue(value: JsonValue): { value: JsonValue; note?: Note } | undefined {
  if (typeof value === "string") {
    if (value.length <= MAX_ATTRIBUTE_VALUE_CHARS) return { value };
    return { value: truncate(value, MAX_ATTRIBUTE_VALUE_CHARS), note: { trimmed_from: value.length } };
  }
  if (value !== null && typeof value === "object") {
    return JSON.stringify(value).length <= MAX_ATTRIBUTE_VALUE_CHARS ? { value } : undefined;
  }
  return { value };
}

/**
 * Bounds a plain attribute map (and its typed form, which carries the same values): each value, each
 * key, and the JSON of the whole map. Keys keep their order; the first ones win the budget.
 */
export function boundAttributes(
  plain: JsonObject,
  typed: JsonObject,
): { plain: JsonObject; typed: JsonObject } {
  const notes: Record<string, Note> = {};
  const outPlain: JsonObject = {};
  const outTyped: JsonObject = {};
  let used = 2;
  let changed = false;
  for (const [key, raw] of Object.entries(plain)) {
    if (key === META_KEY) continue;
    if (key.length > MAX_ATTRIBUTE_KEY_CHARS) {
      notes[truncate(key, MAX_ATTRIBUTE_KEY_CHARS)] = { dropped: "key_too_long" };
      changed = true;
      continue;
    }
    const bounded = boundValue(raw);
    if (!bounded) {
      notes[key] = { dropped: "too_large" };
      changed = true;
      continue;
    }
    const cost = key.length + JSON.stringify(bounded.value).length + 4;
    if (used + cost > MAX_ATTRIBUTES_JSON_CHARS) {
      notes[key] = { dropped: "over_total" };
      changed = true;
      continue;
    }
    used += cost;
    outPlain[key] = bounded.value;
    const typedEntry = asObject(typed[key]);
    if (typedEntry) outTyped[key] = bounded.note ? { ...typedEntry, value: bounded.value } : typedEntry;
    if (bounded.note) {
      notes[key] = bounded.note;
      changed = true;
    }
  }
  if (!changed) return { plain, typed };
  // Notes are bounded too: at most one small entry per input key, keys already capped.
  const noteEntries = Object.entries(notes).slice(0, 100);
  outPlain[META_KEY] = Object.fromEntries(noteEntries) as JsonObject;
  return { plain: outPlain, typed: outTyped };
}

export function boundLog(log: LogRecord): LogRecord {
  const { plain, typed } = boundAttributes(log.attributes, log.typedAttributes);
  return plain === log.attributes ? log : { ...log, attributes: plain, typedAttributes: typed };
}

export function boundSpan(span: SpanRecord): SpanRecord {
  const { plain, typed } = boundAttributes(span.attributes, span.typedAttributes);
  return plain === span.attributes ? span : { ...span, attributes: plain, typedAttributes: typed };
}

export function boundCheckIn(checkIn: CheckIn): CheckIn {
  if (!checkIn.monitorConfig) return checkIn;
  if (JSON.stringify(checkIn.monitorConfig).length <= MAX_MONITOR_CONFIG_JSON_CHARS) return checkIn;
  const { monitorConfig: _dropped, ...rest } = checkIn;
  return rest;
}

/** Raw item metadata over its cap keeps only its scalar fields (ids, sizes, names), strings cut. */
export function boundMetadata(metadata: JsonObject): JsonObject {
  const length = JSON.stringify(metadata).length;
  if (length <= MAX_RAW_METADATA_JSON_CHARS) return metadata;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(metadata).slice(0, 50)) {
    if (typeof value === "string") out[truncate(key, 200)] = truncate(value, 200);
    else if (typeof value === "number" || typeof value === "boolean") out[truncate(key, 200)] = value;
  }
  out[META_KEY] = { trimmed_from: length };
  return out;
}
