// `event` and `transaction` items: at most one of each per envelope (another is dropped as a duplicate
// item). An error event is symbolicated, then grouped for its issue; a transaction brings its spans.

import { issueGroupingOf } from "../../project/index.ts";
import { inboundFilterReason } from "../../protocol/filters/index.ts";
import { boundSpan } from "../../protocol/items/bounds.ts";
import { spansFromTransaction } from "../../protocol/items/index.ts";
import { normalizeEvent, searchableTagValues } from "../../protocol/normalize/index.ts";
import { scrubEvent } from "../../protocol/scrub/index.ts";
import type { EnvelopeItem, NormalizedEvent } from "../../protocol/types.ts";
import { symbolicateNativeEvent } from "../../symbol-service/index.ts";
import { type EnvelopeDraft, parseJsonPayload } from "./draft.ts";
import { eventRow } from "./event-row.ts";

export async function prepareEventItem(item: EnvelopeItem, draft: EnvelopeDraft): Promise<void> {
  const batch = draft.batch;
  if (batch.event) {
    draft.drop(item, "invalid", "duplicate_item");
    return;
  }
  const normalized = normalizeEvent(parseJsonPayload(item), draft.normalizeContext("event"));
  if (filteredOut(item, normalized, draft)) return;
  // Scrub before anything else sees the data; symbolicate next: grouping must see the function names of
  // native frames.
  const { event, missingImages } = await symbolicateNativeEvent(scrubEvent(normalized, draft.ctx.scrubbing), {
    db: draft.ctx.db,
    bucket: draft.ctx.blobs,
    projectId: draft.projectId,
    cachedCandidates: { background: draft.ctx.background },
  });
  const grouping = issueGroupingOf(event);
  batch.event = {
    row: eventRow(event, grouping.title, draft),
    grouping,
    attachments: draft.attachments,
    missingImages,
    tagValues: searchableTagValues(event),
  };
  draft.addPreparedUnits(batch.event);
}

export function prepareTransactionItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const batch = draft.batch;
  if (batch.transaction) {
    draft.drop(item, "invalid", "duplicate_item");
    return;
  }
  const normalized = normalizeEvent(parseJsonPayload(item), draft.normalizeContext("transaction"));
  if (filteredOut(item, normalized, draft)) return;
  const tx = scrubEvent(normalized, draft.ctx.scrubbing);
  batch.transaction = {
    row: eventRow(tx, tx.transaction ?? "<unlabeled transaction>", draft),
    spans: spansFromTransaction(tx).map(boundSpan),
  };
  draft.addPreparedUnits(batch.transaction);
}

/**
 * The project's inbound filters, on the event as sent (its IP and User-Agent not yet scrubbed): a match
 * is dropped with the filter's id as the `filtered` outcome's reason, and never stored.
 */
function filteredOut(item: EnvelopeItem, event: NormalizedEvent, draft: EnvelopeDraft): boolean {
  const reason = inboundFilterReason(event, draft.ctx.filters, draft.ctx.clientIp);
  if (reason === null) return false;
  draft.drop(item, "filtered", reason, event.event_id, event.type === "default" ? "default" : undefined);
  return true;
}
