// Limits of what a project tells about its data and its traffic: data scrubbing settings, the live tail,
// and the event ids kept for receipts. Part of src/limits.ts (re-exported there; import them from it).

/** Entries of a project's `sensitiveFields` / `safeFields` lists (and inbound filter lists), and the longest entry. */
export const MAX_SCRUB_FIELDS = 100;
export const MAX_SCRUB_FIELD_CHARS = 200;

/** Live tail: records sent per second to a project's watchers; the rest of the second is counted. */
export const TAIL_ITEMS_PER_SECOND = 50;

/**
 * How long one live-tail socket is served before it is closed (code 4401) for the watcher to connect
 * again, and so to be authorized again: a revoked token, a removed member or a logout stops the
 * stream within this time. Ours: a reconnect a minute costs nothing; a stream outliving its access does.
 */
export const TAIL_SOCKET_SECONDS = 60;

/** Ids of events refused with a full spool kept until the next flush, for their receipts. */
export const MAX_REFUSED_EVENT_IDS = 500;
