// The R2 side of retention (docs/retention.md): the objects of the rows the sweep deleted (event
// payloads under payload_key, attachments, raw items) go, and this is the one place where payload
// storage that outlives single rows (sealed segments holding many events) deletes what is entirely
// older than the cutoff. An object left behind by a failed delete has no row pointing at it any more:
// the sweep of unreferenced objects (sweep.ts) removes it later.
import type { BlobBucket } from "./bucket.ts";
import { deleteBlobs } from "./event-blobs.ts";

export interface ExpiredBytes {
  /**
   * Deletes the bytes of expired rows: `keys` are the R2 objects the deleted rows pointed to;
   * `cutoffSeconds` is the project's retention cutoff, for storage that is not addressed by one row.
   * Called after each round that deleted rows, and once with no keys when a sweep has deleted every
   * expired row (the moment everything older than the cutoff may go).
   */
  deleteExpired(projectId: number, cutoffSeconds: number, keys: readonly string[]): Promise<void>;
}

/** Today's payload storage: one object per row that references it. */
export function rowObjects(bucket: BlobBucket): ExpiredBytes {
  return {
    async deleteExpired(_projectId, _cutoffSeconds, keys) {
      await deleteBlobs(bucket, keys);
    },
  };
}
