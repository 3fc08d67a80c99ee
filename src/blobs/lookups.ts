// Symbol lookups in R2: next to their debug file (`projects/{id}/debug-files/{sha1}.lookup`), content-
// addressed by the same SHA-1, read with plain ranged GETs (lookup pages are read whole, once, and
// cached by the lookup itself; see src/symbolication/lookup-query.ts).
import { FaultlineError } from "../errors.ts";
import { type ByteSource, checkRange } from "../symbolication/byte-source.ts";
import type { BlobBucket } from "./bucket.ts";
import { debugFileCfiKey } from "./cfi-tables.ts";

export const debugFileLookupKey = (projectId: number, checksum: string): string =>
  `projects/${projectId}/debug-files/${checksum}.lookup`;

/** Deletes the lookups (and unwind tables) of these debug files of a project. */
export async function deleteLookupBlobs(
  bucket: BlobBucket,
  projectId: number,
  checksums: readonly string[],
): Promise<void> {
  if (checksums.length === 0) return;
  await bucket.delete(checksums.map((c) => debugFileLookupKey(projectId, c)));
  await bucket.delete(checksums.map((c) => debugFileCfiKey(projectId, c)));
}

/**
 * A lookup blob as a ByteSource. The bucket is read through a holder so a lookup kept open across
 * requests reads with the binding of the latest one.
 */
export function lookupByteSource(bucket: { current: BlobBucket }, key: string, size: number): ByteSource {
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, "read");
      if (length === 0) return new Uint8Array(0);
      const object = await bucket.current.get(key, { range: { offset, length } });
      if (!object) throw new FaultlineError(503, "symbol lookup disappeared from storage");
      const bytes = new Uint8Array(await object.arrayBuffer());
      if (bytes.byteLength !== length) throw new FaultlineError(503, "short read of a symbol lookup");
      return bytes;
    },
  };
}
