// Event payloads too large for their D1 row live in R2 (keys: eventPayloadKey in keys.ts). A rewrite
// always goes to a new key; the stored object is never replaced in place.
import type { BlobBucket } from "./bucket.ts";

/** The payload JSON text under `key`; null when the object is gone. */
export async function readEventPayload(bucket: BlobBucket, key: string): Promise<string | null> {
  const object = await bucket.get(key);
  return object ? object.text() : null;
}

/** Stores a payload JSON under a fresh key. */
export async function putEventPayload(bucket: BlobBucket, key: string, json: string): Promise<void> {
  await bucket.put(key, json, { httpMetadata: { contentType: "application/json" } });
}
