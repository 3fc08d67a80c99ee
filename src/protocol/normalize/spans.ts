// The child spans of a transaction, kept as objects. Their timestamps (float or RFC 3339, which
// sentry-rust mixes in one payload) become float seconds, moved by the same correction as the
// transaction's own timestamps so that spans stay inside their transaction.
import type { JsonObject } from "../types.ts";
import { trimDatabag } from "./databag.ts";
import { asObject, isAbsent } from "./fields.ts";
import { readTimestamp } from "./ids-and-time.ts";
import type { Notes } from "./notes.ts";

export function normalizeSpans(raw: unknown, shift: number, notes: Notes): JsonObject[] | undefined {
  if (isAbsent(raw)) return undefined;
  if (!Array.isArray(raw)) {
    notes.add("invalid_data", "spans", raw);
    return undefined;
  }
  const spans: JsonObject[] = [];
  raw.forEach((rawSpan, i) => {
    const path = `spans.${i}`;
    const object = asObject(rawSpan);
    if (!object) {
      notes.add("invalid_data", path, rawSpan);
      return;
    }
    const span = (trimDatabag(object, notes, path) ?? {}) as JsonObject;
    for (const key of ["start_timestamp", "timestamp"]) {
      const seconds = readTimestamp(object[key], notes, `${path}.${key}`);
      if (seconds !== undefined) span[key] = seconds + shift;
    }
    spans.push(span);
  });
  return spans;
}
