// Retention and the storage quota (docs/retention.md). Part of src/limits.ts (re-exported there; import
// them from it).

const GiB = 1024 * 1024 * 1024;

/** Days an organization's events and telemetry are kept unless a project sets its own (Sentry's 90). */
export const DEFAULT_RETENTION_DAYS = 90;

/** The shortest and longest retention an organization or a project may set, in days. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = DEFAULT_RETENTION_DAYS;

/**
 * Days a project keeps data: its own retention, never more than its organization's (each null: the
 * default of DEFAULT_RETENTION_DAYS). A pure rule the sweep and the project JSON share.
 */
export function effectiveRetentionDays(project: number | null, organization: number | null): number {
  return Math.min(project ?? DEFAULT_RETENTION_DAYS, organization ?? DEFAULT_RETENTION_DAYS);
}

/**
 * D1 rows one project's retention may delete per clock hour (counted from D1's `changes`). A group
 * commit of 64 error events writes ~700 rows; at this budget retention uses about 55 rows/s on average
 * (a few percent of what one D1 database writes), so a sweep never starves ingest. A backlog larger
 * than the budget is worked off hour by hour: 200,000 rows is about 80,000 events an hour.
 */
export const RETENTION_ROW_BUDGET_PER_HOUR = 200_000;

/**
 * Rows one alarm run deletes at most before it hands the object back (the next run follows after
 * RETENTION_RUN_PAUSE_MS while the hour's budget lasts): one run stays a few seconds of D1 work.
 */
export const RETENTION_ROWS_PER_RUN = 20_000;
export const RETENTION_RUN_PAUSE_MS = 1_000;

/** Events taken per round (one round holds the commit lock: a group commit waits at most one round). */
export const RETENTION_EVENTS_PER_ROUND = 1_000;

/** Rows of the other tables deleted per statement. */
export const RETENTION_ROWS_PER_STATEMENT = 1_000;

/**
 * How often a sweep walks every issue of the project, not only those first seen before the cutoff
 * (ms): an event sent with a timestamp older than its issue's first_seen (a client clock far behind,
 * an offline cache replayed) is found then. One index probe per issue, reads only.
 */
export const RETENTION_FULL_WALK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** How often a project checks for expired data once nothing is left to delete (ms). */
export const RETENTION_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Bytes an organization stores before ingest answers 429 `storage_quota`, unless an admin sets its own
 * (`PUT /api/0/organizations/{org}/usage/` `storageQuotaBytes`). Stored bytes are counted as
 * docs/retention.md defines them (payloads, attachments, raw items).
 */
export const DEFAULT_STORAGE_QUOTA_BYTES = 5 * GiB;

/** The largest quota an admin may set (bytes). */
export const MAX_STORAGE_QUOTA_BYTES = 1024 * 1024 * GiB;

/**
 * Bytes counted for an event payload kept in R2 (over MAX_INLINE_PAYLOAD_BYTES): its size is not in
 * the row, so it counts as the inline limit, a lower bound of what it holds.
 */
export const R2_PAYLOAD_COUNTED_BYTES = 256 * 1024;

/** Seconds between reads of the organization's stored bytes by a project's object. */
export const STORAGE_QUOTA_REFRESH_SECONDS = 60;

/** Retry-After of a storage-quota refusal: retention or a raised quota frees room within the hour. */
export const STORAGE_QUOTA_RETRY_AFTER_SECONDS = 3600;
