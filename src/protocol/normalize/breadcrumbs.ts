// `breadcrumbs`: `{values: [...]}` or a list, kept in the order sent; only the last MAX_BREADCRUMBS
// (the most recent) are kept. A breadcrumb without a readable timestamp takes the event's.
import { MAX_BREADCRUMBS, MAX_MESSAGE_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import type { Breadcrumb } from "../types.ts";
import { databagObject } from "./databag.ts";
import { asObject, put, readString, readValues } from "./fields.ts";
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
  const crumb: Breadcrumb = {
    timestamp: timestamp === undefined ? times.eventTimestamp : timestamp + times.drift,
    type: readString(object.type, MAX_SHORT_STRING_CHARS, notes, `${path}.type`) ?? "default",
    level: normalizeLevel(object.level, "info", notes, `${path}.level`),
  };
  put(crumb, "category", readString(object.category, MAX_SHORT_STRING_CHARS, notes, `${path}.category`));
  put(crumb, "message", readString(object.message, MAX_MESSAGE_CHARS, notes, `${path}.message`));
  put(crumb, "data", databagObject(object.data, notes, `${path}.data`));
  return crumb;
}
