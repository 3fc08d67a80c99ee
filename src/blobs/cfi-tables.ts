// Unwind (CFI) tables in R2, next to their debug file (`projects/{id}/debug-files/{sha1}.cfi`),
// content-addressed by the file's SHA-1 like its lookup: JSON written once at upload, read whole by
// the minidump stack walker for each module a dump references.
import type { BlobBucket } from "./bucket.ts";

export const debugFileCfiKey = (projectId: number, checksum: string): string =>
  `projects/${projectId}/debug-files/${checksum}.cfi`;

export async function putCfiTable(bucket: BlobBucket, key: string, json: string): Promise<number> {
  const bytes = new TextEncoder().encode(json);
  await bucket.put(key, bytes, { httpMetadata: { contentType: "application/json" } });
  return bytes.byteLength;
}

/** The table's JSON text, or undefined when the file has none. */
export async function getCfiTable(bucket: BlobBucket, key: string): Promise<string | undefined> {
  const object = await bucket.get(key);
  return object ? await object.text() : undefined;
}
