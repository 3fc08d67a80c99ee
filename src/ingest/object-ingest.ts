// How the ingest Worker hands a prepared batch to its project's Durable Object. Payloads travel packed
// (db/packed-payload.ts) only to an object that knows them, through its ingestPacked(). During a deploy
// an object can still run the code before for seconds to minutes: Cloudflare updates objects
// eventually, and a busy one defers its update up to five minutes. That object has no ingestPacked(),
// so it refuses the call before doing anything, and it is then sent the batch with its payloads as text,
// which it stores as it always did. Sent packed, it would have stored those events without a payload.
import { type IngestBatch, type IngestResult, withPayloadText } from "../project/index.ts";

/** The two ways into a project's object, as the ingest Worker calls them (its stub, or a test's stand-in). */
export interface ProjectIngest {
  ingestPacked(batch: IngestBatch): Promise<IngestResult>;
  ingest(batch: IngestBatch): Promise<IngestResult>;
}

export async function ingestPrepared(object: ProjectIngest, batch: IngestBatch): Promise<IngestResult> {
  if (!batch.event?.row.packed && !batch.transaction?.row.packed) return object.ingest(batch);
  try {
    return await object.ingestPacked(batch);
  } catch (error) {
    if (!isMissingRpcMethod(error, "ingestPacked")) throw error;
    return object.ingest(withPayloadTexts(batch));
  }
}

/**
 * Whether calling `method` failed because the object's code has no such method (workerd refuses the
 * call before it reaches the object's code), as opposed to the method running and failing.
 */
export function isMissingRpcMethod(error: unknown, method: string): boolean {
  if (!(error instanceof Error)) return false;
  // workerd: `The RPC receiver does not implement "ingestPacked".`
  return error.message.includes(`does not implement "${method}"`);
}

/** The batch with each packed payload back in its row as JSON text (what objects before packing read). */
export function withPayloadTexts(batch: IngestBatch): IngestBatch {
  const { event, transaction } = batch;
  return {
    ...batch,
    event: event ? { ...event, row: withPayloadText(event.row) } : null,
    transaction: transaction ? { ...transaction, row: withPayloadText(transaction.row) } : null,
  };
}
