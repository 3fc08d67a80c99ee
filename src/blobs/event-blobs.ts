// R2 reads and deletes of stored bytes: event payloads too large for a row, attachments, debug files.

export type { BlobBucket } from "./bucket.ts";

/** The text of a stored object, or null when it is gone. */
export async function readBlobText(bucket: R2Bucket, key: string): Promise<string | null> {
  const object = await bucket.get(key);
  return object ? object.text() : null;
}

/** An event's normalized payload text: the row's, else its R2 object's; null when neither is there. */
export async function eventPayloadText(
  bucket: R2Bucket,
  row: { payload?: string | null; payload_key?: string | null },
): Promise<string | null> {
  if (row.payload) return row.payload;
  return row.payload_key ? readBlobText(bucket, row.payload_key) : null;
}

/** A stored object's bytes and size for a download, or null when it is gone. */
export async function readBlobStream(
  bucket: R2Bucket,
  key: string,
): Promise<{ body: ReadableStream; size: number } | null> {
  const object = await bucket.get(key);
  return object ? { body: object.body, size: object.size } : null;
}

/** Deletes objects, at most 1000 keys per call (R2's limit). */
export async function deleteBlobs(bucket: R2Bucket, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const part = keys.slice(i, i + 1000);
    if (part.length > 0) await bucket.delete(part);
  }
}

/** A stored object's bytes, or null when it is gone. */
export async function readBlobBytes(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}
