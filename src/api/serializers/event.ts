// Events as Sentry's API serves them: list items, tags, and the full event (its `entries` are built in
// event-entries.ts). The stored payload is the normalized event (snake case, Sentry's event schema).
// Pure functions that read the payload defensively: anything missing or malformed is left out.
import type { EventTableRow } from "../../db/rows.ts";
import { describeEvent } from "../../grouping/title.ts";
import type { NormalizedEvent } from "../../protocol/types.ts";
import { eventEntries, framesOf } from "./event-entries.ts";
import { eventMeta } from "./event-meta.ts";
import { isoDate } from "./issue.ts";
import { bool, isRecord, type JsonRecord, list, num, rec, str } from "./payload-read.ts";
import { transactionFields } from "./transaction.ts";

/** An `events` row as the API selects it (without the trace id and the payload). */
export type EventRecord = Omit<EventTableRow, "trace_id" | "payload" | "payload_key">;

function contextValue(payload: JsonRecord, context: string, field: string): string | null {
  return str(rec(rec(payload.contexts)?.[context])?.[field]);
}

/** Tags as Sentry lists them: the event's own tags plus the ones Sentry derives, sorted by key. */
export function eventTags(row: EventRecord, payload: JsonRecord | null): { key: string; value: string }[] {
  const tags = new Map<string, string>();
  const set = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== "" && !tags.has(key)) tags.set(key, value);
  };
  for (const pair of list(payload?.tags)) {
    if (Array.isArray(pair) && typeof pair[0] === "string" && pair[1] !== undefined && pair[1] !== null)
      set(pair[0], typeof pair[1] === "string" ? pair[1] : String(pair[1]));
  }
  if (isRecord(payload?.tags))
    for (const [k, v] of Object.entries(payload.tags)) set(k, typeof v === "string" ? v : null);
  set("level", row.level);
  set("release", row.release);
  set("environment", row.environment);
  set("transaction", row.transaction_name);
  set("user", row.user_key);
  if (payload) {
    set("dist", str(payload.dist));
    set("logger", str(payload.logger));
    set("server_name", str(payload.server_name));
    set("url", str(rec(payload.request)?.url));
    // Sentry tags the mechanism of the last exception: the one raised, after the causes before it.
    const mechanism = rec(list(rec(payload.exception)?.values).filter(isRecord).at(-1)?.mechanism);
    set("mechanism", str(mechanism?.type));
    const handled = bool(mechanism?.handled);
    if (handled !== null) set("handled", handled ? "yes" : "no");
    for (const [ctx, tag] of [
      ["os", "os"],
      ["runtime", "runtime"],
      ["browser", "browser"],
    ] as const) {
      const name = contextValue(payload, ctx, "name");
      const version = contextValue(payload, ctx, "version");
      set(`${tag}.name`, name);
      if (name) set(tag, version ? `${name} ${version}` : name);
    }
    set("device", contextValue(payload, "device", "model"));
  }
  return [...tags.entries()]
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function userJson(payload: JsonRecord | null) {
  const user = rec(payload?.user);
  if (!user) return null;
  return {
    id: str(user.id) ?? (typeof user.id === "number" ? String(user.id) : null),
    email: str(user.email),
    username: str(user.username),
    ip_address: str(user.ip_address),
    name: str(user.name),
    geo: rec(user.geo),
    data: rec(user.data),
  };
}

/** `file:line` of the frame that caused the event (the last in-app frame, else the last frame). */
function locationOf(payload: JsonRecord | null): string | null {
  if (!payload) return null;
  const values = list(rec(payload.exception)?.values).filter(isRecord);
  const frames = framesOf(values[values.length - 1]?.stacktrace);
  const frame = [...frames].reverse().find((f) => f.in_app === true) ?? frames[frames.length - 1];
  if (!frame) return null;
  const file = str(frame.filename) ?? str(frame.abs_path) ?? str(frame.module);
  if (!file) return null;
  const line = num(frame.lineno);
  return line === null ? file : `${file}:${line}`;
}

function messageOf(row: EventRecord, payload: JsonRecord | null): string {
  if (payload) {
    const logentry = rec(payload.logentry);
    const text = str(logentry?.formatted) ?? str(payload.message) ?? str(logentry?.message);
    if (text !== null) return text;
  }
  return row.message ?? "";
}

/** List item of `…/events/` (Sentry's simple event shape). `payload` may be partial or absent. */
export function serializeEventListItem(row: EventRecord, payload: JsonRecord | null) {
  return {
    id: row.event_id,
    eventID: row.event_id,
    groupID: row.issue_id === null ? null : String(row.issue_id),
    projectID: String(row.project_id),
    title: row.title,
    message: messageOf(row, payload),
    dateCreated: isoDate(row.timestamp),
    platform: row.platform,
    "event.type": row.type,
    location: locationOf(payload),
    culprit: str(payload?.culprit) ?? row.transaction_name ?? null,
    user: userJson(payload),
    crashFile: null,
    tags: eventTags(row, payload),
  };
}

export interface FullEventContext {
  projectSlug: string;
  /** The issue's grouping hashes (Sentry's `fingerprints`). */
  fingerprints: string[];
  /** The issue's metadata (type, value, filename, function); the event's title otherwise. */
  metadata: Record<string, unknown> | null;
  culprit: string | null;
  /** Release JSON of the event's release, when it is a known release. */
  release: unknown;
  previousEventID: string | null;
  nextEventID: string | null;
  /** Byte size of the stored payload. */
  size: number;
}

function ownDescription(payload: JsonRecord): ReturnType<typeof describeEvent> | null {
  try {
    // The stored payload is a normalized event (see the header); a malformed one is described by its issue.
    return describeEvent(payload as unknown as NormalizedEvent);
  } catch {
    return null;
  }
}

/** The full event of `…/events/{id}/`. */
export function serializeEvent(row: EventRecord, payload: JsonRecord | null, ctx: FullEventContext) {
  const p: JsonRecord = payload ?? {};
  const errors = list(p.errors)
    .filter(isRecord)
    .map((e) => ({
      type: str(e.type) ?? "unknown_error",
      message: str(e.message) ?? str(e.type) ?? "",
      data: {
        ...(e.name !== undefined ? { name: e.name } : {}),
        ...(e.value !== undefined ? { value: e.value } : {}),
      },
    }));
  const sdk = rec(p.sdk);
  // The event's own culprit and metadata, derived from its payload as its issue's were: the issue
  // follows its latest event, so an older event must not show the issue's.
  const own = payload ? ownDescription(payload) : null;
  const item = serializeEventListItem(row, payload);
  const entries = eventEntries(p);
  return {
    ...item,
    projectSlug: ctx.projectSlug,
    type: row.type,
    dateReceived: isoDate(row.received),
    size: ctx.size,
    culprit: own ? own.culprit : (ctx.culprit ?? row.transaction_name ?? null),
    metadata: own ? { ...own.metadata, title: row.title } : (ctx.metadata ?? { title: row.title }),
    dist: str(p.dist),
    sdk: sdk ? { name: str(sdk.name), version: str(sdk.version) } : null,
    contexts: rec(p.contexts) ?? {},
    context: rec(p.extra) ?? {},
    packages: rec(p.modules) ?? {},
    fingerprints: ctx.fingerprints,
    groupingConfig: { id: "faultline", enhancements: null },
    errors,
    entries,
    release: ctx.release ?? null,
    userReport: null,
    sdkUpdates: [],
    resolvedWith: [],
    occurrence: null,
    nextEventID: ctx.nextEventID,
    previousEventID: ctx.previousEventID,
    ...transactionFields(p),
    // What data scrubbing removed, where the API shows it.
    _meta: eventMeta(p, entries, item.tags),
  };
}
