// Attachment bytes in R2 (keys from keys.ts): read for a download, removed with their row.

/** The stored bytes and their size, or null when the object is gone. */
export async function readAttachment(
  bucket: R2Bucket,
  key: string,
): Promise<{ body: ReadableStream; size: number } | null> {
  const object = await bucket.get(key);
  return object ? { body: object.body, size: object.size } : null;
}

export async function deleteAttachmentBytes(bucket: R2Bucket, key: string): Promise<void> {
  await bucket.delete(key);
}
