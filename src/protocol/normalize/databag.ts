// Free-form data (extra, contexts, frame vars, breadcrumb data, request bodies): copied with a depth
// limit, a per-container entry limit and long strings cut, so one field cannot blow up the stored event.
import { MAX_DATABAG_DEPTH, MAX_DATABAG_ENTRIES, MAX_DATABAG_STRING_CHARS } from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { asObject, cutString, isAbsent } from "./fields.ts";
import type { Notes } from "./notes.ts";

/** A key that would replace the prototype of a plain object when assigned. */
const UNSAFE_KEY = "__proto__";

export interface DatabagOptions {
  /** Containers nested deeper than this are dropped; the value passed in is at depth 0. */
  maxDepth?: number;
  /** Longest string kept. */
  maxStringChars?: number;
}

/** A trimmed copy of any JSON value; undefined when nothing of it can be kept. */
export function trimDatabag(
  value: unknown,
  notes: Notes,
  path: string,
  options: DatabagOptions = {},
): JsonValue | undefined {
  const maxDepth = options.maxDepth ?? MAX_DATABAG_DEPTH;
  const maxChars = options.maxStringChars ?? MAX_DATABAG_STRING_CHARS;
  return copy(value, 0);

  function copy(v: unknown, depth: number, at = path): JsonValue | undefined {
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
    if (typeof v === "string") return v.length === 0 ? v : cutString(v, maxChars, notes, at);
    if (typeof v !== "object") return undefined;
    if (depth >= maxDepth) {
      notes.add("too_deep", at);
      return undefined;
    }
    if (Array.isArray(v)) {
      if (v.length > MAX_DATABAG_ENTRIES) notes.add("too_many_values", at, v.length);
      const out: JsonValue[] = [];
      for (let i = 0; i < Math.min(v.length, MAX_DATABAG_ENTRIES); i++) {
        out.push(copy(v[i], depth + 1, `${at}.${i}`) ?? null);
      }
      return out;
    }
    const out: JsonObject = {};
    let count = 0;
    for (const [key, entry] of Object.entries(v)) {
      if (key === UNSAFE_KEY) continue;
      if (count >= MAX_DATABAG_ENTRIES) {
        notes.add("too_many_values", at);
        break;
      }
      const kept = copy(entry, depth + 1, `${at}.${key}`);
      if (kept !== undefined) {
        out[key] = kept;
        count++;
      }
    }
    return out;
  }
}

/** A trimmed copy of an object field; anything other than an object is dropped with a note. */
export function databagObject(
  value: unknown,
  notes: Notes,
  path: string,
  options: DatabagOptions = {},
): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (!asObject(value)) {
    notes.add("invalid_data", path, value);
    return undefined;
  }
  return trimDatabag(value, notes, path, options) as JsonObject | undefined;
}
