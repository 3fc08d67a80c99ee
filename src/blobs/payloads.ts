// Ingested bytes (event payloads too large for D1, attachments, raw items) as the ingest Worker writes
// them to R2: staged while an envelope is read, then written together once every item has been read,
// so an envelope refused as invalid stores nothing. Each staged blob has a fresh key (keys.ts).

/** The bucket ingested bytes go to, as services hold it: they pass it on, never call R2 themselves. */
export type BlobStore = R2Bucket;

/** One R2 object to write once the whole envelope has been read. */
export interface StagedBlob {
  key: string;
  body: Uint8Array | string;
  contentType: string | undefined;
}

/**
 * Writes every staged blob. When one write fails, removes the others again (fresh keys no row
 * references yet) and answers false: the envelope is then to be retried as a whole.
 */
export async function writeStagedBlobs(bucket: BlobStore, staged: readonly StagedBlob[]): Promise<boolean> {
  const results = await Promise.allSettled(
    staged.map((b) =>
      bucket.put(b.key, b.body, b.contentType ? { httpMetadata: { contentType: b.contentType } } : {}),
    ),
  );
  if (results.every((r) => r.status === "fulfilled")) return true;
  const written = staged.filter((_, i) => results[i]?.status === "fulfilled").map((b) => b.key);
  if (written.length > 0) await bucket.delete(written).catch(() => undefined);
  console.error(
    "R2 write failed",
    results.find((r) => r.status === "rejected"),
  );
  return false;
}
