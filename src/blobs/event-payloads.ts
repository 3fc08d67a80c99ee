// Event payloads too large for their D1 row live in R2 (keys from keys.ts); this reads one back.

/** The stored payload JSON of an event row: inline, or from R2; null when neither holds it. */
export async function eventPayloadText(
  bucket: R2Bucket,
  row: { payload?: string | null; payload_key?: string | null },
): Promise<string | null> {
  if (row.payload) return row.payload;
  if (!row.payload_key) return null;
  const object = await bucket.get(row.payload_key);
  return object ? object.text() : null;
}
