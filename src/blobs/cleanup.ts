// Deletes R2 objects a request wrote that no D1 row references because its rows were not inserted (a
// duplicate event, a rate-limited one). Keys are unique per write, and the D1 check guards the case
// where a commit landed although its answer was lost: an object a row points to is never deleted. A
// request whose call to its project's object failed is not cleaned up here: the object may have
// spooled it (the sweep, which asks the spools, removes what nothing refers to).
import { referencedBlobKeys } from "../db/blob-refs.ts";

export async function deleteUnreferencedBlobs(
  db: D1Database,
  bucket: R2Bucket,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  try {
    const referenced = await referencedBlobKeys(db, keys);
    const orphans = keys.filter((k) => !referenced.has(k));
    // R2 deletes at most 1000 keys per call.
    for (let i = 0; i < orphans.length; i += 1000) await bucket.delete(orphans.slice(i, i + 1000));
  } catch (error) {
    // Left for the sweep of unreferenced objects older than a day.
    console.error("blob clean-up failed", error);
  }
}
