// What a group commit tells about an envelope: the R2 keys its stored rows point to (the rest of what
// was written for it are orphans), and, when D1 refused it, how it is counted. Pure: no storage here.
import type { DataCategory } from "../protocol/categories.ts";
import type { IngestBatch } from "./ingest-batch.ts";

/** R2 keys that rows written by this commit point to, for one envelope (the rest are orphans). */
export function storedBlobKeys(
  batch: IngestBatch,
  insertedEvents: ReadonlySet<unknown>,
  insertedTransactions: ReadonlySet<unknown>,
): string[] {
  const keys: string[] = [];
  if (batch.event && insertedEvents.has(batch.event)) {
    if (batch.event.row.payloadKey) keys.push(batch.event.row.payloadKey);
    for (const a of batch.event.attachments) keys.push(a.blobKey);
  }
  if (batch.transaction?.row.payloadKey && insertedTransactions.has(batch.transaction))
    keys.push(batch.transaction.row.payloadKey);
  for (const a of batch.looseAttachments?.rows ?? []) keys.push(a.blobKey);
  for (const r of batch.rawItems) keys.push(r.blobKey);
  return keys;
}

/** Every R2 key the envelope's rows would point to (its bytes, written before the object was called). */
export function writtenBlobKeys(batch: IngestBatch): string[] {
  return storedBlobKeys(batch, new Set([batch.event]), new Set([batch.transaction]));
}

/** The data category an envelope refused at commit is counted under. */
export function refusedCategory(batch: IngestBatch): DataCategory {
  if (batch.event) return batch.event.row.type === "default" ? "default" : "error";
  if (batch.transaction) return "transaction";
  if (batch.logs.length > 0) return "log_item";
  if (batch.spans.length > 0) return "span";
  return "default";
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
}

/** A D1 error caused by the data itself (it fails on every retry), not by D1's state. */
export function isDataError(error: unknown): boolean {
  return /TOOBIG|too big|CONSTRAINT|MISMATCH|datatype mismatch|string or blob/i.test(errorText(error));
}
