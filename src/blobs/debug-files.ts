// Assembled debug files in R2 (`projects/{id}/debug-files/{sha1}`, content-addressed by the file's
// SHA-1): the single PUT of a small file, the multipart upload a large one is assembled through, the
// download, and deletes.
import type { BlobBucket } from "./bucket.ts";

export const debugFileKey = (projectId: number, checksum: string): string =>
  `projects/${projectId}/debug-files/${checksum}`;

/** One uploaded part of a multipart upload, as R2 needs it back to complete the upload. */
export interface UploadedPartRef {
  partNumber: number;
  etag: string;
}

export interface DebugFileUpload {
  uploadId: string;
  uploadPart(partNumber: number, bytes: Uint8Array): Promise<UploadedPartRef>;
  /** Completes the upload; a run that died right after completing it finds the object there (`size`). */
  complete(parts: UploadedPartRef[], size: number): Promise<void>;
}

/** Writes a debug file in one PUT (it fits one part). */
export async function putDebugFile(bucket: BlobBucket, key: string, bytes: Uint8Array): Promise<void> {
  await bucket.put(key, bytes);
}

/** Starts a multipart upload of a debug file, or resumes the one with `uploadId`. */
export async function debugFileUpload(
  bucket: BlobBucket,
  key: string,
  uploadId: string | null,
): Promise<DebugFileUpload> {
  const upload = uploadId
    ? bucket.resumeMultipartUpload(key, uploadId)
    : await bucket.createMultipartUpload(key);
  return {
    uploadId: upload.uploadId,
    async uploadPart(partNumber, bytes) {
      const uploaded = await upload.uploadPart(partNumber, bytes);
      return { partNumber: uploaded.partNumber, etag: uploaded.etag };
    },
    async complete(parts, size) {
      try {
        await upload.complete(parts);
      } catch (error) {
        const existing = await bucket.head(key);
        if (existing?.size !== size) throw error;
      }
    },
  };
}

/** Drops a started multipart upload; failures are ignored (R2 expires abandoned uploads itself). */
export async function abortDebugFileUpload(bucket: BlobBucket, key: string, uploadId: string): Promise<void> {
  await bucket
    .resumeMultipartUpload(key, uploadId)
    .abort()
    .catch(() => undefined);
}

/** A debug file's bytes as a stream with its size; null when it is not in storage. */
export async function readDebugFile(
  bucket: BlobBucket,
  key: string,
): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null> {
  const object = await bucket.get(key);
  return object ? { body: object.body, size: object.size } : null;
}

/** Deletes debug files (or one) by key. */
export async function deleteDebugFileBlobs(bucket: BlobBucket, keys: string | string[]): Promise<void> {
  await bucket.delete(keys);
}
