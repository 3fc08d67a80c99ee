// A ByteSource over an R2 object: ranged GETs, with small reads served from a few cached 64 KiB blocks
// (identification asks for many tiny header ranges close together; one GET each would be wasteful).
import { FaultlineError } from "../errors.ts";
import { type ByteSource, checkRange } from "../symbolication/byte-source.ts";
import type { BlobBucket } from "./bucket.ts";

const BLOCK_BYTES = 64 * 1024;
const MAX_CACHED_BLOCKS = 32;
/** Reads at least this large go straight to R2 instead of through the block cache. */
const DIRECT_READ_BYTES = 4 * BLOCK_BYTES;

/** `length` bytes of an object from `offset`; 503 when the object is gone or the read comes back short. */
export async function readRange(
  bucket: BlobBucket,
  key: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const object = await bucket.get(key, { range: { offset, length } });
  if (!object) throw new FaultlineError(503, "debug file disappeared from storage while reading it");
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (bytes.byteLength !== length) {
    throw new FaultlineError(503, `short read from storage (${bytes.byteLength} of ${length} bytes)`);
  }
  return bytes;
}

export function r2ByteSource(bucket: BlobBucket, key: string, size: number): ByteSource {
  const blocks = new Map<number, Promise<Uint8Array>>();

  const block = (index: number): Promise<Uint8Array> => {
    const cached = blocks.get(index);
    if (cached) {
      // Re-insert to keep the map in least-recently-used order.
      blocks.delete(index);
      blocks.set(index, cached);
      return cached;
    }
    const start = index * BLOCK_BYTES;
    const loading = readRange(bucket, key, start, Math.min(BLOCK_BYTES, size - start));
    loading.catch(() => blocks.delete(index));
    blocks.set(index, loading);
    const oldest = blocks.keys().next();
    if (blocks.size > MAX_CACHED_BLOCKS && !oldest.done) blocks.delete(oldest.value);
    return loading;
  };

  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, "read");
      if (length >= DIRECT_READ_BYTES) return readRange(bucket, key, offset, length);
      const first = Math.floor(offset / BLOCK_BYTES);
      const last = Math.floor((offset + Math.max(length, 1) - 1) / BLOCK_BYTES);
      const out = new Uint8Array(length);
      for (let index = first; index <= last && length > 0; index++) {
        const bytes = await block(index);
        const blockStart = index * BLOCK_BYTES;
        const from = Math.max(offset, blockStart);
        const to = Math.min(offset + length, blockStart + bytes.byteLength);
        out.set(bytes.subarray(from - blockStart, to - blockStart), from - offset);
      }
      return out;
    },
  };
}
