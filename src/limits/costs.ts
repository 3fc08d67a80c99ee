// Limits of the cost meter and the monthly budgets (docs/costs.md). Part of src/limits.ts (re-exported
// there; import them from it).

/**
 * How long a Worker isolate gathers the usage of its requests before writing it (one upsert per project
 * and hour per flush): bounds the meter's own D1 writes, at the price of losing at most this much
 * counting when an isolate is evicted.
 */
export const USAGE_FLUSH_INTERVAL_MS = 10_000;

/**
 * The project object writes the usage no group commit carried (from its next alarm) once no commit took
 * it for this long and nothing is spooled: long enough that under load only commits write it.
 */
export const IDLE_USAGE_WRITE_AFTER_MS = 2_000;

/** Projects and hours one isolate keeps unflushed at most (a flush is forced past it). */
export const MAX_PENDING_USAGE_KEYS = 200;

/**
 * After its last request, how long a Durable Object counts as active (billed for duration). Cloudflare
 * bills wall-clock time while an object runs or is idle and cannot hibernate; an idle object hibernates
 * after 10 s (the DO pricing page). Each request counts from its arrival to 10 s later, overlaps once.
 */
export const DO_ACTIVE_TAIL_MS = 10_000;

/**
 * How often a project's Durable Object re-reads the month-to-date spend of its project and organization
 * from D1 (seconds). Between reads it adds what it meters itself, so shedding never waits for a read.
 */
export const BUDGET_REFRESH_SECONDS = 60;

/**
 * Shedding starts when the month-to-date spend reaches the budget less this fraction of it, so the
 * spend still unflushed (other isolates, the last seconds) stays under the budget itself.
 */
export const BUDGET_SHED_MARGIN = 0.05;

/** `Retry-After` of an envelope refused for the budget (seconds): a raised budget applies this soon. */
export const BUDGET_RETRY_AFTER_SECONDS = 300;

/** The largest monthly budget accepted (dollars): a sanity bound on input, not a platform limit. */
export const MAX_MONTHLY_BUDGET_USD = 1_000_000;
