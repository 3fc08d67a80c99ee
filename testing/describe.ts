// One line per thing that arrived, for the errors of the wait helpers ("what arrived instead" is a test
// author's first question) and for the summary printed on close.
import type { SinkEvent, SinkIssue, SinkLog, SinkOutcome, SinkTransaction } from "./types.js";

/** Lines listed at most in one message. */
const MAX_LINES = 10;

const clip = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Tags Faultline derives from the event itself: shown as fields, or noise in a one-line summary. */
const DERIVED_TAGS = new Set([
  "level",
  "release",
  "environment",
  "transaction",
  "user",
  "dist",
  "logger",
  "server_name",
  "url",
  "mechanism",
  "handled",
  "os",
  "os.name",
  "runtime",
  "runtime.name",
  "browser",
  "browser.name",
  "device",
]);
const shortTrace = (traceId: string | null) => (traceId ? traceId.slice(0, 8) : null);

function details(parts: [string, string | null][]): string {
  const shown = parts.filter(([, v]) => v !== null && v !== "").map(([k, v]) => `${k} ${v}`);
  return shown.length > 0 ? ` (${shown.join(", ")})` : "";
}

export function eventLine(e: SinkEvent): string {
  const tags = Object.entries(e.tags)
    .filter(([k]) => !DERIVED_TAGS.has(k))
    .slice(0, 3)
    .map(([k, v]) => `${k}=${clip(v, 40)}`)
    .join(" ");
  return `[${e.level ?? "?"}] ${JSON.stringify(clip(e.title || e.message))}${details([
    ["release", e.release],
    ["environment", e.environment],
    ["trace", shortTrace(e.traceId)],
    ["tags", tags || null],
  ])}`;
}

export function issueLine(i: SinkIssue): string {
  return `${i.shortId} [${i.level}] ${JSON.stringify(clip(i.title))} ×${i.count}${details([["status", i.status]])}`;
}

export function transactionLine(t: SinkTransaction): string {
  return `${JSON.stringify(t.name ?? "")}${details([
    ["op", t.op],
    ["url", t.url],
    ["status", t.status],
    ["trace", shortTrace(t.traceId)],
    ["release", t.release],
  ])}`;
}

export function logLine(l: SinkLog): string {
  return `[${l.level ?? "?"}] ${JSON.stringify(clip(l.message ?? ""))}${details([["trace", shortTrace(l.traceId)]])}`;
}

export function outcomeLine(o: SinkOutcome): string {
  return `${o.outcome}${o.reason ? ` (${o.reason})` : ""} ×${o.quantity} ${o.category}`;
}

export const isDrop = (o: SinkOutcome) => o.outcome !== "accepted";

/** `2 events arrived: a; b` — or `no events arrived`. */
export function arrived<T>(noun: string, items: readonly T[], line: (item: T) => string): string {
  if (items.length === 0) return `no ${noun}s arrived`;
  const shown = items.slice(0, MAX_LINES).map(line);
  const more = items.length > MAX_LINES ? `; …and ${items.length - MAX_LINES} more` : "";
  return `${items.length} ${noun}${items.length === 1 ? "" : "s"} arrived: ${shown.join("; ")}${more}`;
}

/** `; dropped: rate_limited (key_quota) ×3 error` when anything was dropped. */
export function dropsNote(outcomes: readonly SinkOutcome[]): string {
  const drops = outcomes.filter(isDrop);
  return drops.length > 0 ? `; dropped: ${drops.map(outcomeLine).join(", ")}` : "";
}
