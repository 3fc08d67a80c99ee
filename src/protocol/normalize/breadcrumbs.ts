// `breadcrumbs`: `{values: [...]}` or a list, kept in the order sent; only the last MAX_BREADCRUMBS
// (the most recent) are kept. A breadcrumb without a readable timestamp takes the event's. Every field of
// Sentry's breadcrumb schema is kept, and so are fields outside it (trimmed like `data`), as Relay does.
import {
  MAX_BREADCRUMB_EXTRA_FIELDS,
  MAX_BREADCRUMBS,
  MAX_MESSAGE_CHARS,
  MAX_SHORT_STRING_CHARS,
} from "../../limits.ts";
import { normalizeEventId } from "../envelope.ts";
import type { Breadcrumb } from "../types.ts";
import { databagObject, trimDatabag } from "./databag.ts";
import { asObject, isAbsent, put, readString, readValues } from "./fields.ts";
import { normalizeLevel, readTimestamp } from "./ids-and-time.ts";
import type { Notes } from "./notes.ts";

export interface BreadcrumbTimes {
  /** The event's timestamp, for breadcrumbs that have none. */
  eventTimestamp: number;
  /** Seconds added to every client timestamp (clock drift correction). */
  drift: number;
}

export function normalizeBreadcrumbs(
  raw: unknown,
  times: BreadcrumbTimes,
  notes: Notes,
): { values: Breadcrumb[] } | undefined {
  const list = readValues(raw, notes, "breadcrumbs", false);
  if (!list) return undefined;
  const start = Math.max(0, list.length - MAX_BREADCRUMBS);
  if (start > 0) notes.add("too_many_values", "breadcrumbs.values", list.length);
  const values: Breadcrumb[] = [];
  for (let i = start; i < list.length; i++) {
    const crumb = normalizeBreadcrumb(list[i], times, notes, `breadcrumbs.values.${i}`);
    if (crumb) values.push(crumb);
  }
  return values.length > 0 ? { values } : undefined;
}

function normalizeBreadcrumb(
  raw: unknown,
  times: BreadcrumbTimes,
  notes: Notes,
  path: string,
): Breadcrumb | undefined {
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  const timestamp = readTimestamp(object.timestamp, notes, `${path}.timestamp`);
  // `ty` is an old Python SDK's spelling of `type`.
  const type = isAbsent(object.type) ? object.ty : object.type;
  const crumb: Breadcrumb = {
    timestamp: timestamp === undefined ? times.eventTimestamp : timestamp + times.drift,
    type: readString(type, MAX_SHORT_STRING_CHARS, notes, `${path}.type`) ?? "default",
    level: normalizeLevel(object.level, "info", notes, `${path}.level`),
  };
  put(crumb, "category", readString(object.category, MAX_SHORT_STRING_CHARS, notes, `${path}.category`));
  put(crumb, "message", readString(object.message, MAX_MESSAGE_CHARS, notes, `${path}.message`));
  put(crumb, "data", databagObject(object.data, notes, `${path}.data`));
  if (!isAbsent(object.event_id)) {
    const eventId = normalizeEventId(object.event_id);
    if (eventId === undefined) notes.add("invalid_data", `${path}.event_id`, object.event_id);
    put(crumb, "event_id", eventId);
  }
  let extra = 0;
  for (const [key, value] of Object.entries(object)) {
    if (SCHEMA_FIELDS.has(key) || key === "__proto__" || isAbsent(value)) continue;
    if (extra >= MAX_BREADCRUMB_EXTRA_FIELDS) {
      notes.add("too_many_values", path);
      break;
    }
    const kept = trimDatabag(value, notes, `${path}.${key}`);
    if (kept === undefined) continue;
    crumb[key] = kept;
    extra++;
  }
  return crumb;
}

const SCHEMA_FIELDS = new Set([
  "timestamp",
  "type",
  "ty",
  "category",
  "level",
  "message",
  "data",
  "event_id",
]);
