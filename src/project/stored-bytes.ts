// The bytes a group commit stores, as the storage quota counts them (docs/retention.md): an event's
// inline payload as UTF-8 bytes (a payload kept in R2 counts as R2_PAYLOAD_COUNTED_BYTES), the sizes of
// attachments and raw items. The retention sweep subtracts the same measure for what it deletes.
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

/** The stored bytes of one event row's payload. */
export function payloadBytes(row: Pick<EventRow, "payload" | "payloadKey">): number {
  if (row.payload !== null) return utf8Length(row.payload);
  return row.payloadKey ? R2_PAYLOAD_COUNTED_BYTES : 0;
}

/** Bytes the commit's rows store (events and transactions it inserts, attachments, raw items). */
export function committedBytes(admitted: readonly AdmittedBatch[], plan: CommitPlan): number {
  let bytes = 0;
  for (const { event } of plan.errorEvents) {
    bytes += payloadBytes(event.row);
    for (const a of event.attachments) bytes += a.size;
  }
  for (const tx of plan.transactions) if (tx) bytes += payloadBytes(tx.row);
  for (const { batch } of admitted) {
    for (const a of batch.looseAttachments?.rows ?? []) bytes += a.size;
    for (const r of batch.rawItems) bytes += r.size;
  }
  return bytes;
}
