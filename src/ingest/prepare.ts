// Turns a parsed envelope into the batch the project's Durable Object commits: every item is validated,
// normalized and (for errors) grouped here, in the stateless Worker, so the Durable Object only does
// what needs serializing. Bytes that do not belong in D1 are written to R2 first: a 2xx is only sent
// once the Durable Object has the envelope in its durable spool, so nothing acknowledged can be
// missing. They are written only once every item has been read, so an envelope refused as invalid
// stores nothing, and each write has its own key, so a retry never replaces what an earlier request
// stored. Each item type is prepared by its handler in ./items/.
import { writeStagedBlobs } from "../blobs/payloads.ts";
import { FaultlineError } from "../errors.ts";
import type { IngestBatch } from "../project/index.ts";
import { itemOverLimit } from "../protocol/categories.ts";
import type { Envelope } from "../protocol/types.ts";
import { EnvelopeDraft, itemHandler, type PrepareContext } from "./items/index.ts";
import { expandMinidump } from "./minidump.ts";

export type { PrepareContext };

export interface PreparedEnvelope {
  batch: IngestBatch;
  /** The id answered to the SDK: the error/transaction event's, else the envelope header's. */
  eventId: string | null;
  /** The envelope's event item was over its size limit (answered with 413). */
  eventTooLarge: boolean;
  /** R2 keys written while preparing; the ones no row ends up referencing are deleted again. */
  writtenBlobKeys: string[];
}

export async function prepareEnvelope(sent: Envelope, ctx: PrepareContext): Promise<PreparedEnvelope> {
  // A minidump becomes the event it describes before any item is read.
  const envelope = await expandMinidump(sent, ctx);
  const draft = new EnvelopeDraft(envelope, ctx);
  const headerEventId = draft.headerEventId;
  let invalidEvent: string | null = null;
  for (const item of envelope.items) {
    if (itemOverLimit(item)) {
      if (item.type === "event" || item.type === "transaction") draft.eventTooLarge = true;
      draft.drop(item, "too_large", `${item.type}_too_large`, headerEventId ?? undefined);
      continue;
    }
    try {
      await itemHandler(item.type)(item, draft);
    } catch (error) {
      // One item's bad data does not cost the envelope its other items: Relay drops such an item as
      // invalid and answers 200. An envelope of that item alone is answered with the error.
      if (!(error instanceof FaultlineError) || error.status >= 500 || envelope.items.length === 1)
        throw error;
      const reason = error.detail === "invalid JSON data" ? "invalid_json" : "invalid_item";
      draft.drop(item, "invalid", reason, headerEventId ?? undefined);
      if (item.type === "event" || item.type === "transaction") invalidEvent = reason;
    }
  }
  // As Relay drops an invalid event together with its attachments (sessions and the rest stay).
  if (invalidEvent) dropAttachments(draft, invalidEvent);

  const batch = draft.batch;
  if (draft.attachments.length > 0 && !batch.event) {
    batch.looseAttachments = { eventId: headerEventId ?? "", rows: draft.attachments };
  }
  const eventId = batch.event?.row.eventId ?? batch.transaction?.row.eventId ?? headerEventId;
  batch.units = draft.preparedUnits;
  if (!(await writeStagedBlobs(ctx.blobs, draft.staged))) {
    throw new FaultlineError(503, "event could not be stored, please retry", {
      headers: { "retry-after": "5" },
    });
  }
  return {
    batch,
    eventId,
    eventTooLarge: draft.eventTooLarge,
    writtenBlobKeys: draft.staged.map((b) => b.key),
  };
}

/** Drops the envelope's attachments (their event was invalid): counted, and their bytes never written. */
function dropAttachments(draft: EnvelopeDraft, reason: string): void {
  if (draft.attachments.length === 0) return;
  const keys = new Set(draft.attachments.map((a) => a.blobKey));
  const bytes = draft.attachments.reduce((n, a) => n + a.size, 0);
  draft.batch.outcomes.push(
    { category: "attachment", outcome: "invalid", reason, quantity: bytes },
    { category: "attachment_item", outcome: "invalid", reason, quantity: draft.attachments.length },
  );
  draft.attachments.length = 0;
  for (let i = draft.staged.length - 1; i >= 0; i--)
    if (keys.has(draft.staged[i]?.key ?? "")) draft.staged.splice(i, 1);
}
