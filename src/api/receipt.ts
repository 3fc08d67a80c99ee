// Event receipts — "why didn't my event show up?": for one event id of a project, whether it is stored
// (its issue, when), still in the spool on its way to D1, dropped (the exact outcome and reason, when,
// and for a quota when it resets), possibly discarded by the SDK itself (client reports carry no ids,
// so that answer is a likelihood), or never seen. Every field is documented in docs/receipts.md.
import {
  clientDiscardsSince,
  type DroppedEventRow,
  droppedEventRows,
  issueShortId,
  rateLimitWindows,
} from "../db/receipts.ts";
import type { EventTableRow } from "../db/rows.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import { MAX_EVENT_BYTES } from "../limits.ts";
import { formatShortId } from "../protocol/issue-search.ts";
import { isoDate } from "./pagination.ts";

export type ReceiptStatus = "stored" | "spooled" | "dropped" | "client_discarded" | "unknown";

export interface Receipt {
  eventId: string;
  status: ReceiptStatus;
  /** The outcome Faultline counted: `accepted`, or the drop's (`filtered`, `rate_limited`, …). */
  outcome: string | null;
  /** The outcome's reason code (a filter id, `key_quota`, `event_too_large`, …). */
  reason: string | null;
  /** The same in words. */
  explanation: string;
  /** Error, default or transaction, when known. */
  type: string | null;
  /** The event's issue, when it has one. */
  issueId: string | null;
  shortId: string | null;
  /** When Faultline received it (stored or spooled) or dropped it. */
  receivedAt: string | null;
  /** The event's own timestamp. */
  dateCreated: string | null;
  /** For a quota: the latest time the limit resets (its window after the drop). */
  resetsAt: string | null;
  /** Earlier drops of the same id (a retried event may have been dropped more than once). */
  drops: { outcome: string; reason: string; category: string; at: string }[];
  /** For an id never seen: what the project's SDKs reported discarding in the last 24 h. */
  clientDiscards: { category: string; reason: string; quantity: number }[];
}

interface Found {
  /** The organization's event shard (drops, client reports and the issue are there). */
  shard: string;
  projectId: number;
  projectSlug: string;
  eventId: string;
  stored: EventTableRow | null;
  spooled: EventTableRow | null;
}

const DAY = 86_400;

export async function buildReceipt(env: Env, found: Found, now = Date.now() / 1000): Promise<Receipt> {
  const base: Receipt = {
    eventId: found.eventId,
    status: "unknown",
    outcome: null,
    reason: null,
    explanation: "",
    type: null,
    issueId: null,
    shortId: null,
    receivedAt: null,
    dateCreated: null,
    resetsAt: null,
    drops: [],
    clientDiscards: [],
  };
  const events = shardDb(env, found.shard);
  const drops = await droppedEventRows(events, found.projectId, found.eventId);
  base.drops = drops.map((d) => ({
    outcome: d.outcome,
    reason: d.reason,
    category: d.category,
    at: isoDate(d.at) ?? "",
  }));
  const row = found.stored ?? found.spooled;
  if (row) {
    const short = row.issue_id === null ? null : await issueShortId(events, row.issue_id);
    return {
      ...base,
      status: found.stored ? "stored" : "spooled",
      outcome: "accepted",
      reason: null,
      explanation: found.stored
        ? row.issue_id === null
          ? "Stored."
          : "Stored and grouped into its issue."
        : "Accepted and durable; on its way from the project's spool to the database (seconds).",
      type: row.type,
      issueId: row.issue_id === null ? null : String(row.issue_id),
      shortId: short === null ? null : formatShortId(found.projectSlug, short),
      receivedAt: isoDate(row.received),
      dateCreated: isoDate(row.timestamp),
    };
  }
  const latest = drops[0];
  if (latest) {
    const windows = await rateLimitWindows(env.DB, found.projectId);
    const window =
      latest.reason === "key_quota"
        ? windows.key
        : latest.reason === "project_quota"
          ? windows.project
          : null;
    return {
      ...base,
      status: "dropped",
      outcome: latest.outcome,
      reason: latest.reason,
      explanation: explainDrop(latest, window),
      type:
        latest.category === "transaction"
          ? "transaction"
          : latest.category === "default"
            ? "default"
            : "error",
      receivedAt: isoDate(latest.at),
      resetsAt: window === null ? null : isoDate(latest.at + window),
    };
  }
  const since = Math.floor((now - DAY) / 3600) * 3600;
  const discards = await clientDiscardsSince(events, found.projectId, since);
  if (discards.length > 0) {
    return {
      ...base,
      status: "client_discarded",
      explanation:
        "Faultline never received this id, and the project's SDKs reported discarding events before sending them (client reports carry no event ids, so this is the likely explanation, not a certainty).",
      clientDiscards: discards,
    };
  }
  return {
    ...base,
    explanation:
      "Faultline never received this id: check the DSN, that the SDK is enabled and flushed before the process exits, and its sample rate.",
  };
}

const FILTERS: Record<string, string> = {
  localhost: "the project's inbound filter for events from localhost",
  "web-crawlers": "the project's inbound filter for web crawlers",
  "legacy-browsers": "the project's inbound filter for legacy browsers",
  "browser-extensions": "the project's inbound filter for errors caused by browser extensions",
  "filtered-transaction": "the project's inbound filter for health-check transactions",
  "error-message": "the project's inbound filter on error messages",
  "release-version": "the project's inbound filter on releases",
  "ip-address": "the project's inbound filter on IP addresses",
};

export function explainDrop(
  drop: Pick<DroppedEventRow, "outcome" | "reason">,
  windowSeconds: number | null,
): string {
  const { outcome, reason } = drop;
  if (outcome === "filtered") return `Dropped by ${FILTERS[reason] ?? `a filter (${reason})`}.`;
  if (outcome === "rate_limited") {
    if (reason === "spool_full") {
      return "Refused with 429: the project's spool was full while the database caught up; the SDK was asked to retry later.";
    }
    if (reason === "cost_budget") {
      return "Refused with 429: the month-to-date cost of the project or its organization reached its monthly budget (less the shedding margin); the project's envelopes are refused until the budget is raised or the month ends (see the project's usage settings).";
    }
    const which =
      reason === "key_quota"
        ? "the DSN key's rate limit"
        : reason === "project_quota"
          ? "the project's rate limit"
          : "a rate limit";
    const window =
      windowSeconds === null
        ? ""
        : ` (a ${windowSeconds} s window: it resets at the latest ${windowSeconds} s after the drop)`;
    return `Dropped by ${which}${window}.`;
  }
  if (outcome === "too_large") {
    return `Dropped: the ${reason.replace(/_too_large$/, "")} item was over its size limit (events: ${MAX_EVENT_BYTES} bytes).`;
  }
  if (outcome === "invalid") return `Dropped as invalid: ${reason}.`;
  return `Dropped (${outcome}: ${reason}).`;
}
