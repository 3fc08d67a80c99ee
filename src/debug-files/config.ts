// Sizes and counts of the debug-file upload (chunk upload + assemble). They belong with src/limits.ts;
// they live here until that shared file takes them (see the report of this change).
//
// Memory drives the numbers: a chunk request is parsed one part at a time, so one request holds at most
// one compressed part plus its decompressed chunk (~2 × CHUNK_SIZE); CONCURRENCY such requests in one
// 128 MB isolate (CF) stay under half of it. Assembly holds one R2 part (ASSEMBLY_PART_BYTES) at a time.

const MiB = 1024 * 1024;

/** Bytes of one uncompressed chunk. Sentry's value (8 MiB, a power of two as CLI ≤ 2.39.1 requires). */
export const CHUNK_SIZE = 8 * MiB;

/** Chunks per upload request. Sentry's value. */
export const CHUNKS_PER_REQUEST = 64;

/** Uncompressed bytes of all chunks of one request. Sentry's value (32 MiB). */
export const MAX_CHUNK_REQUEST_BYTES = 32 * MiB;

/**
 * Parallel chunk requests sentry-cli may run. Sentry says 8; 4 keeps 4 × ~16 MiB in flight per isolate.
 * sentry-cli parses it as a u8.
 */
export const CHUNK_UPLOAD_CONCURRENCY = 4;

/**
 * Bytes of one multipart part as received (gzip can make incompressible data slightly larger than the
 * chunk). Anything larger cannot be a valid chunk and is refused before it is buffered further.
 */
export const MAX_CHUNK_PART_BYTES = CHUNK_SIZE + MiB;

/** Bytes of one assembled debug file. Sentry's `maxFileSize` (2 GiB); assembly streams, so memory is not the bound. */
export const MAX_DEBUG_FILE_BYTES = 2 * 1024 * MiB;

/** Files in one assemble request. Bounds the D1 work of one call (sentry-cli sends all files at once). */
export const MAX_ASSEMBLE_FILES = 1000;

/** Chunks named by one file of an assemble request (2 GiB at 8 MiB chunks is 256; smaller chunks allowed). */
export const MAX_CHUNKS_PER_FILE = 4096;

/**
 * Bytes of one R2 multipart part. R2 wants every part but the last to have the same size, at least 5 MiB
 * (CF R2 limits); chunks of any size are regrouped into parts of exactly this size.
 */
export const ASSEMBLY_PART_BYTES = 8 * MiB;

/** Work one assembly run does before it saves its progress and lets a later poll continue it. */
export const ASSEMBLY_RUN_BUDGET_MS = 20_000;

/**
 * How long a run owns a job. Longer than the budget plus one part's I/O; `waitUntil` work is cancelled
 * ~30 s after the response (CF), after which the lease lapses and the next poll resumes the job.
 */
export const ASSEMBLY_LEASE_MS = 45_000;

/** How long an assemble request waits for a job it started before answering `created`. */
export const ASSEMBLY_INLINE_WAIT_MS = 3_000;

/** A failed job's `error` is reported for this long (Sentry caches assemble status for 10 minutes), then retried. */
export const ASSEMBLY_ERROR_TTL_MS = 10 * 60_000;

/** Bytes of the JSON body of an assemble, release or deploy request. Relay `max_api_payload_size` is 20 MiB. */
export const MAX_API_JSON_BYTES = 20 * MiB;

/** Debug files per page of `GET …/files/dsyms/` (Sentry's page size). */
export const DEBUG_FILES_PAGE_SIZE = 20;
