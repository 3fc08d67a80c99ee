// An R2 binding that counts its billed operations for the cost meter: Class A (put, list, multipart
// create / upload part / complete), Class B (get, head), and the bytes put. Deletes are free on R2 and
// not counted. Wrapped once per Worker request or Durable Object, like the D1 binding (db/metered-d1.ts).
import type { PlatformUsage } from "../limits/prices.ts";
import type { BlobBucket } from "./bucket.ts";

/** Receives the R2 usage of each call. */
export type R2UsageCounter = (usage: Partial<PlatformUsage>) => void;

function meteredUpload(upload: R2MultipartUpload, count: R2UsageCounter): R2MultipartUpload {
  return {
    key: upload.key,
    uploadId: upload.uploadId,
    uploadPart: (...args: Parameters<R2MultipartUpload["uploadPart"]>) => {
      count({ r2ClassA: 1 });
      return upload.uploadPart(...args);
    },
    abort: () => upload.abort(),
    complete: async (parts: R2UploadedPart[]) => {
      const object = await upload.complete(parts);
      count({ r2ClassA: 1, r2BytesPut: object.size });
      return object;
    },
  };
}

/** `bucket` with every billed call reported to `count`. */
export function meteredBucket(bucket: BlobBucket, count: R2UsageCounter): BlobBucket {
  const metered = {
    head: (key: string) => {
      count({ r2ClassB: 1 });
      return bucket.head(key);
    },
    get: (key: string, options?: R2GetOptions) => {
      count({ r2ClassB: 1 });
      return bucket.get(key, options);
    },
    put: async (...args: Parameters<R2Bucket["put"]>) => {
      const object = await bucket.put(...args);
      count({ r2ClassA: 1, r2BytesPut: object?.size ?? 0 });
      return object;
    },
    list: (options?: R2ListOptions) => {
      count({ r2ClassA: 1 });
      return bucket.list(options);
    },
    delete: (keys: string | string[]) => bucket.delete(keys),
    createMultipartUpload: async (key: string, options?: R2MultipartOptions) => {
      count({ r2ClassA: 1 });
      return meteredUpload(await bucket.createMultipartUpload(key, options), count);
    },
    resumeMultipartUpload: (key: string, uploadId: string) =>
      meteredUpload(bucket.resumeMultipartUpload(key, uploadId), count),
  };
  return metered as unknown as BlobBucket;
}
