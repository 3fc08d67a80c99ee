// The bytes a group commit stores, as the storage quota counts them (docs/retention.md): an event row's
// payload text as UTF-8 bytes (the whole payload, or the projection beside its segment locator) plus the
// compressed bytes in its payload segment (a payload kept in R2 under payload_key counts as
// R2_PAYLOAD_COUNTED_BYTES), the sizes of attachments and raw items. The retention sweep subtracts the same measure for what it deletes.
import { parseLocator } from "../blobs/segment-format.ts";
import { R2_PAYLOAD_COUNTED_BYTES } from "../limits.ts";
import type { AdmittedBatch, CommitPlan } from "./commit-plan.ts";
import type { EventRow } from "./ingest-batch.ts";

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        n += 4;
        i += 1;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * The stored bytes of one event row as committed: its payload text (whole, or the projection beside a
 * segment locator) plus the compressed bytes the locator names, or the inline limit for an R2 object.
 */
export function payloadBytes(row: Pick<EventRow, "payload" | "payloadKey" | "payloadRef">): number {
  const text = row.payload === null ? 0 : utf8Length(row.payload);
  if (row.payloadRef) return text + (parseLocator(row.payloadRef)?.length ?? 0);
  return text + (row.payloadKey ? R2_PAYLOAD_COUNTED_BYTES : 0);
}

/**
 * Bytes the commit's rows store (events and transactions it inserts, attachments, raw items); `placed`
 * maps an event row to the row written when its payload went to a segment.
 */
export function committedBytes(
  admitted: readonly AdmittedBatch[],
  plan: CommitPlan,
  placed: ReadonlyMap<EventRow, EventRow> = new Map(),
): number {
  const written = (row: EventRow) => placed.get(row) ?? row;
  let bytes = 0;
  for (const { event } of plan.errorEvents) {
    bytes += payloadBytes(written(event.row));
    for (const a of event.attachments) bytes += a.size;
  }
  for (const tx of plan.transactions) if (tx) bytes += payloadBytes(written(tx.row));
  for (const { batch } of admitted) {
    for (const a of batch.looseAttachments?.rows ?? []) bytes += a.size;
    for (const r of batch.rawItems) bytes += r.size;
  }
  return bytes;
}
