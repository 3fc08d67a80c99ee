// Upload chunks in R2: under the owning organization, content-addressed by SHA-1, so a chunk uploaded
// by org A is invisible to org B even when B names the same checksum.
import type { BlobBucket } from "./bucket.ts";
import { readRange } from "./r2-byte-source.ts";

export const chunkKey = (organizationId: number, sha1: string): string =>
  `orgs/${organizationId}/chunks/${sha1}`;

/** Stores one verified chunk's bytes. Content-addressed, so a repeated upload writes the same bytes. */
export async function putChunk(
  bucket: BlobBucket,
  organizationId: number,
  sha1: string,
  bytes: Uint8Array,
): Promise<void> {
  await bucket.put(chunkKey(organizationId, sha1), bytes, { sha1 });
}

/** A chunk's bytes, whole; null when it is not in storage. */
export async function readChunk(
  bucket: BlobBucket,
  organizationId: number,
  sha1: string,
): Promise<Uint8Array | null> {
  const object = await bucket.get(chunkKey(organizationId, sha1));
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** `length` bytes of a chunk from `offset` (503 when it is gone or comes back short). */
export function readChunkRange(
  bucket: BlobBucket,
  organizationId: number,
  sha1: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  return readRange(bucket, chunkKey(organizationId, sha1), offset, length);
}
