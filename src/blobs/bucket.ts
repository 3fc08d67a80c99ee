// The handle services hold for the blob store (the R2 binding, `env.BLOBS`). Services pass it to the
// functions of src/blobs/ and never call it themselves; only src/blobs/ knows it is an R2 bucket.
export type BlobBucket = R2Bucket;
