// Limits of release health and cron monitors. Part of src/limits.ts (re-exported there; import them
// from it).

/** How often (seconds) a group commit also deletes the session states that can no longer change. */
export const SESSION_STATE_EXPIRY_INTERVAL_SECONDS = 3600;

/** The sessions API's bucket size (seconds): the counters are hourly, so no finer interval exists. */
export const HEALTH_INTERVAL_SECONDS = 3600;

/** At most this many intervals in one sessions API answer (Sentry's MAX_POINTS is 1000 as well). */
export const MAX_HEALTH_INTERVALS = 1000;

/** Groups (release × environment × …) of one sessions API answer, as Sentry's `per_page` cap. */
export const MAX_HEALTH_GROUPS = 1000;

/** Minutes a check-in may be late before its run is missed, when the monitor names none (Sentry: 1). */
export const DEFAULT_CHECKIN_MARGIN_MINUTES = 1;

/** Minutes a run may stay in progress before it times out, when the monitor names none (Sentry: 30). */
export const DEFAULT_MAX_RUNTIME_MINUTES = 30;

/** Largest margin/runtime accepted (minutes): Sentry's MAX_MARGIN / MAX_TIMEOUT (40 days). */
export const MAX_MONITOR_MINUTES = 40 * 24 * 60;

/** Missed runs recorded for one monitor in one alarm run (a monitor down for long is not replayed run by run). */
export const MAX_MISSED_PER_ALARM = 20;

/** Runs shown in the monitors list's timeline, and check-ins per page of the check-in API. */
export const MONITOR_TIMELINE_RUNS = 30;
export const MONITOR_CHECKINS_PAGE = 100;

/** Buckets of one monitor stats answer (a day by the minute is 1,440). Ours: bounds the answer's size. */
export const MAX_MONITOR_STATS_BUCKETS = 2000;

/** Characters of a monitor's name. Sentry's Monitor.name max_length (128). */
export const MAX_MONITOR_NAME_CHARS = 128;

/**
 * A recovery whose failure's event was still in the spool retries its issue's resolution from the
 * alarm this often (ms), for at most this long (seconds) — a spool flush takes well under a minute.
 */
export const MONITOR_RESOLVE_RETRY_MS = 5_000;
export const MONITOR_RESOLVE_PENDING_SECONDS = 3600;
