// Writes a symbol lookup to R2 as the builder produces it: bytes are gathered into parts of one
// fixed size (R2 wants every part but the last to have the same size, at least 5 MiB) and each full
// part is uploaded at once, so a build holds one part, not the whole lookup. A lookup smaller than
// one part is a single put.
import { LOOKUP_PART_BYTES } from "../limits.ts";
import type { ChunkSink } from "../symbolication/lookup-format.ts";
import type { BlobBucket } from "./bucket.ts";

export interface LookupUpload {
  write: ChunkSink;
  /** Uploads what is left and completes the object; returns its size. */
  finish(): Promise<number>;
  /** Drops a started multipart upload (after a failed build). */
  abort(): Promise<void>;
}

export function lookupUpload(bucket: BlobBucket, key: string, partBytes = LOOKUP_PART_BYTES): LookupUpload {
  let part = new Uint8Array(partBytes);
  let filled = 0;
  let total = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  const options: R2PutOptions = { httpMetadata: { contentType: "application/octet-stream" } };

  const flush = async () => {
    upload ??= await bucket.createMultipartUpload(key, options);
    parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    part = new Uint8Array(partBytes);
    filled = 0;
  };

  return {
    async write(chunk: Uint8Array): Promise<void> {
      let at = 0;
      while (at < chunk.byteLength) {
        const take = Math.min(chunk.byteLength - at, partBytes - filled);
        part.set(chunk.subarray(at, at + take), filled);
        filled += take;
        at += take;
        total += take;
        if (filled === partBytes) await flush();
      }
    },
    async finish(): Promise<number> {
      if (!upload) {
        await bucket.put(key, part.subarray(0, filled), options);
        return total;
      }
      if (filled > 0) await flush();
      await upload.complete(parts);
      return total;
    },
    async abort(): Promise<void> {
      await upload?.abort().catch(() => undefined);
    },
  };
}
