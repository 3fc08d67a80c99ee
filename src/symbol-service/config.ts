// Timings of debug-file assembly (sizes and counts are in src/limits.ts).

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
