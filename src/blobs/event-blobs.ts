// R2 reads and deletes of stored bytes: event payloads (in payload segments, or objects of their own),
// attachments, debug files.
import { readPayloadRange } from "./payload-segments.ts";
import { decompressPayload, parseLocator } from "./segment-format.ts";

export type { BlobBucket } from "./bucket.ts";

/**
 * How a payload segment not yet sealed into R2 is read: asked of the project's object that keeps it
 * (src/project's face answers it by RPC; inside the object, from its storage). Null when the object no
 * longer has it (it was sealed meanwhile).
 */
export type OpenSegmentRead = (projectId: number, locator: string) => Promise<Uint8Array | null>;

/** Where event payloads are read from: the bucket, and the project objects for open segments. */
export interface PayloadReader {
  bucket: R2Bucket;
  openSegment: OpenSegmentRead;
}

/** The stored fields of an event row that say where its payload is. */
export interface PayloadPlace {
  project_id: number;
  payload?: string | null;
  payload_key?: string | null;
  payload_ref?: string | null;
}

/** The text of a stored object, or null when it is gone. */
export async function readBlobText(bucket: R2Bucket, key: string): Promise<string | null> {
  const object = await bucket.get(key);
  return object ? object.text() : null;
}

/**
 * An event's normalized payload text: from its payload segment when the row names one (the row's own
 * `payload` is then only its projection), else its R2 object's, else the row's; null when none is there.
 */
export async function eventPayloadText(reader: PayloadReader, row: PayloadPlace): Promise<string | null> {
  if (row.payload_ref) return segmentPayloadText(reader, row.project_id, row.payload_ref);
  if (row.payload_key) return readBlobText(reader.bucket, row.payload_key);
  return row.payload ?? null;
}

/**
 * A payload from its segment: R2 first (sealed), else the project's object (still open), else R2 again
 * (sealed between the two reads: the object drops a segment only after its R2 write).
 */
async function segmentPayloadText(
  reader: PayloadReader,
  projectId: number,
  ref: string,
): Promise<string | null> {
  const locator = parseLocator(ref);
  if (!locator) return null;
  const bytes =
    (await readPayloadRange(reader.bucket, projectId, locator)) ??
    (await reader.openSegment(projectId, ref)) ??
    (await readPayloadRange(reader.bucket, projectId, locator));
  if (!bytes) return null;
  try {
    return decompressPayload(bytes);
  } catch {
    return null;
  }
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
