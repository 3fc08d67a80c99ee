// Sentry's JSON as the API serves it → the flat views tests assert on (types.ts). Reads defensively:
// a field that is missing or of another type is null, never an exception in a test's helper.
import type {
  SinkBreadcrumb,
  SinkEvent,
  SinkException,
  SinkIssue,
  SinkLog,
  SinkOutcome,
  SinkTransaction,
  SinkUser,
} from "./types.js";

export type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const rec = (v: unknown): Json | null => (isRecord(v) ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
/** A discover cell or tag value as text (numbers and booleans too). */
const text = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;

function entry(raw: Json, type: string): Json | null {
  const found = list(raw.entries).find((e) => rec(e)?.type === type);
  return rec(rec(found)?.data);
}

function tagsOf(raw: Json): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list(raw.tags)) {
    const key = str(rec(tag)?.key);
    const value = text(rec(tag)?.value);
    if (key !== null && value !== null) tags[key] = value;
  }
  return tags;
}

function userOf(raw: Json): SinkUser | null {
  const user = rec(raw.user);
  if (!user) return null;
  return {
    id: text(user.id),
    email: str(user.email),
    username: str(user.username),
    ip_address: str(user.ip_address),
    name: str(user.name),
  };
}

function breadcrumbOf(value: unknown): SinkBreadcrumb {
  const b = rec(value) ?? {};
  const ts = b.timestamp;
  return {
    type: str(b.type),
    category: str(b.category),
    message: str(b.message),
    level: str(b.level),
    data: rec(b.data),
    timestamp: typeof ts === "number" ? new Date(ts * 1000).toISOString() : str(ts),
  };
}

function exceptionOf(value: unknown): SinkException {
  const e = rec(value) ?? {};
  const mechanism = rec(e.mechanism);
  return {
    type: str(e.type),
    value: str(e.value),
    mechanism: str(mechanism?.type),
    handled: typeof mechanism?.handled === "boolean" ? mechanism.handled : null,
  };
}

/** Sentry's full event JSON (`…/events/?full=true`, `…/events/{id}/`) as a SinkEvent. */
export function eventView(raw: Json): SinkEvent {
  const tags = tagsOf(raw);
  const trace = rec(rec(raw.contexts)?.trace);
  return {
    id: str(raw.eventID) ?? str(raw.id) ?? "",
    issueId: text(raw.groupID),
    level: tags.level ?? null,
    title: str(raw.title) ?? "",
    message: str(raw.message) ?? "",
    exceptions: list(entry(raw, "exception")?.values).map(exceptionOf),
    tags,
    release: tags.release ?? null,
    environment: tags.environment ?? null,
    traceId: str(trace?.trace_id),
    spanId: str(trace?.span_id),
    transaction: tags.transaction ?? null,
    user: userOf(raw),
    breadcrumbs: list(entry(raw, "breadcrumbs")?.values).map(breadcrumbOf),
    contexts: rec(raw.contexts) ?? {},
    platform: str(raw.platform),
    timestamp: str(raw.dateCreated),
    raw,
  };
}

export function issueView(raw: Json): SinkIssue {
  return {
    id: text(raw.id) ?? "",
    shortId: str(raw.shortId) ?? "",
    title: str(raw.title) ?? "",
    culprit: str(raw.culprit),
    level: str(raw.level) ?? "",
    status: str(raw.status) ?? "",
    count: Number(raw.count ?? 0),
    userCount: num(raw.userCount) ?? 0,
    firstSeen: str(raw.firstSeen),
    lastSeen: str(raw.lastSeen),
    metadata: rec(raw.metadata) ?? {},
    raw,
  };
}

/**
 * Columns of the events API (`dataset=spans`, `is_transaction:true`) the transaction view is made of:
 * the root spans of traces, whether they came as transaction events or as span v2 containers
 * (@sentry/node 11 sends the latter).
 */
export const TRANSACTION_FIELDS = [
  "id",
  "transaction.event_id",
  "transaction",
  "trace",
  "span.op",
  "span.status",
  "span.duration",
  "release",
  "environment",
  "timestamp",
  "url.full",
];

export function transactionView(row: Json): SinkTransaction {
  return {
    id: text(row["transaction.event_id"]) ?? text(row.id) ?? "",
    name: text(row.transaction),
    traceId: text(row.trace),
    spanId: text(row.id),
    op: text(row["span.op"]),
    status: text(row["span.status"]),
    durationMs: num(row["span.duration"]),
    url: text(row["url.full"]),
    release: text(row.release),
    environment: text(row.environment),
    timestamp: text(row.timestamp),
    raw: row,
  };
}

/** Columns of the events API (`dataset=logs`) the log view is made of. */
export const LOG_FIELDS = ["id", "message", "severity", "trace", "release", "environment", "timestamp"];

export function logView(row: Json): SinkLog {
  return {
    id: text(row.id) ?? "",
    message: text(row.message),
    level: text(row.severity),
    traceId: text(row.trace),
    release: text(row.release),
    environment: text(row.environment),
    timestamp: text(row.timestamp),
    raw: row,
  };
}

/** `stats_v2` grouped by outcome, reason and category → one row per group with its total. */
export function outcomeViews(body: Json): SinkOutcome[] {
  return list(body.groups).flatMap((g) => {
    const by = rec(rec(g)?.by) ?? {};
    const quantity = num(rec(rec(g)?.totals)?.["sum(quantity)"]) ?? 0;
    if (quantity === 0) return [];
    return [
      {
        outcome: text(by.outcome) ?? "",
        reason: text(by.reason) ?? "",
        category: text(by.category) ?? "",
        quantity,
      },
    ];
  });
}
