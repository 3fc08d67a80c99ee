// Items that turn into records kept while the batch has room: spans, logs, sessions, check-ins and
// user reports (each bounded first), and client reports (the SDK's own discards, counted as outcomes).
import { MAX_SESSIONS_PER_ENVELOPE } from "../../limits.ts";
import type { DataCategory } from "../../protocol/categories.ts";
import { isHealthCheck } from "../../protocol/filters/index.ts";
import { boundCheckIn, boundLog, boundSpan } from "../../protocol/items/bounds.ts";
import {
  parseCheckIn,
  parseClientReport,
  parseLogItem,
  parseSessionItem,
  parseSessionsItem,
  parseSpanItem,
  parseUserReport,
} from "../../protocol/items/index.ts";
import type { LogRecord, SpanRecord } from "../../protocol/items/types.ts";
import { type ScrubbingSettings, scrubAttributes, scrubText } from "../../protocol/scrub/index.ts";
import { sha256OfBytes } from "../../protocol/sha256.ts";
import type { EnvelopeItem } from "../../protocol/types.ts";
import type { EnvelopeDraft } from "./draft.ts";

export function prepareSpanItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const parsed = parseSpanItem(item.headers, item.payload, draft.itemContext);
  if (draft.ctx.filters.healthChecks) {
    // Streamed spans of a health check (SDKs that no longer send transactions): the segment's name says.
    const kept = parsed.records.filter((span) => !(span.transaction && isHealthCheck(span.transaction)));
    const dropped = parsed.records.length - kept.length;
    if (dropped > 0) {
      draft.batch.outcomes.push({
        category: "span",
        outcome: "filtered",
        reason: "filtered-transaction",
        quantity: dropped,
      });
      parsed.records = kept;
    }
  }
  const scrubbing = draft.ctx.scrubbing;
  draft.collect(item, parsed, draft.batch.spans, (span) => boundSpan(scrubSpan(span, scrubbing)));
}

/** A log item's records, with the digest of its bytes (an SDK's retry of the item is stored once). */
export async function prepareLogItem(item: EnvelopeItem, draft: EnvelopeDraft): Promise<void> {
  const scrubbing = draft.ctx.scrubbing;
  const logs = draft.batch.logs;
  const before = logs.length;
  draft.collect(item, parseLogItem(item.headers, item.payload, draft.itemContext), logs, (log) =>
    boundLog(scrubLog(log, scrubbing)),
  );
  if (logs.length === before) return;
  const digest = await sha256OfBytes("log", item.payload);
  const sources = draft.batch.logSources ?? [];
  sources.push({ digest, count: logs.length - before });
  draft.batch.logSources = sources;
}

/** A span's attributes and description, scrubbed as the project asks (before anything is stored). */
export function scrubSpan(span: SpanRecord, scrubbing: ScrubbingSettings): SpanRecord {
  const scrubbed = { ...span, ...scrubAttributes(span.attributes, span.typedAttributes, scrubbing) };
  if (span.description !== undefined) scrubbed.description = scrubText(span.description, scrubbing);
  return scrubbed;
}

export function scrubLog(log: LogRecord, scrubbing: ScrubbingSettings): LogRecord {
  return {
    ...log,
    ...scrubAttributes(log.attributes, log.typedAttributes, scrubbing),
    body: scrubText(log.body, scrubbing),
  };
}

export function prepareSessionItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  // Relay's `max_session_count`: updates past it in one envelope are dropped, not stored.
  if (draft.batch.sessionUpdates.length >= MAX_SESSIONS_PER_ENVELOPE) {
    draft.drop(item, "invalid", "too_many_sessions");
    return;
  }
  const parsed = parseSessionItem(item.headers, item.payload, draft.itemContext);
  draft.collect(item, parsed, draft.batch.sessionUpdates);
}

export function prepareSessionsItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const parsed = parseSessionsItem(item.headers, item.payload, draft.itemContext);
  draft.collect(item, parsed, draft.batch.sessionAggregates);
}

export function prepareCheckInItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const parsed = parseCheckIn(item.headers, item.payload, draft.itemContext);
  draft.collect(item, parsed, draft.batch.checkIns, boundCheckIn);
}

export function prepareUserReportItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const parsed = parseUserReport(item.headers, item.payload, draft.itemContext);
  draft.collect(item, parsed, draft.batch.userReports);
}

export function prepareClientReportItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const result = parseClientReport(item.headers, item.payload, draft.itemContext);
  draft.batch.clientReports.push(...result.records);
  for (const report of result.records) {
    // Only `discarded` entries are the SDK's own drops; the other lists are what relays forward.
    for (const d of report.discarded.filter((entry) => entry.kind === "discarded")) {
      draft.batch.outcomes.push({
        category: d.category as DataCategory,
        outcome: "client_discard",
        reason: d.reason,
        quantity: d.quantity,
      });
    }
  }
}
