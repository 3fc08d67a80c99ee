// Limits of what the project's Durable Object holds and writes: one prepared envelope, one group commit,
// the spool, the caches, payload segments and the sweep of unreferenced bytes. Part of src/limits.ts (re-exported there;
// import them from it). "CF" = Cloudflare's published platform limits.

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Size of one prepared envelope sent to the project's Durable Object in one RPC, in UTF-16 code units
 * of its JSON form. Records (logs, spans…) that would go past it are dropped as `too_large`; bytes
 * (attachments, large payloads, raw items) are in R2 already and only their keys travel. Math: the DO
 * RPC message limit is 32 MiB (CF); V8's structured clone stores a string in 1 (Latin-1) or 2 (UTF-16)
 * bytes per code unit, and object framing is no larger than the JSON's own punctuation, so 4 Mi units
 * are at most ~8 MiB on the wire. The envelope's one event and one transaction come on top (each at
 * most ~1.3 Mi units: an inline payload ≤ MAX_INLINE_PAYLOAD_BYTES plus index columns and, for a
 * transaction, spans from a ≤ 1 MiB item), so one RPC stays under ~14 MiB, more than 2× below the
 * limit. It also bounds what one envelope adds to a D1 commit.
 */
export const MAX_PREPARED_BATCH_UNITS = 4 * MiB;

/**
 * Prepared data of one group commit of the Durable Object (same unit): the commit stops gathering
 * envelopes past it, so one D1 transaction and the object's memory stay bounded (128 MB isolate, CF).
 */
export const MAX_COMMIT_BATCH_UNITS = 2 * MAX_PREPARED_BATCH_UNITS;

/**
 * Envelopes written by one group commit at most (count), to bound the size of one D1 transaction. A
 * busy project's commit (SPOOL_FLUSH_BUSY_LINGER_MS) carries about 65 at 450 envelopes/s.
 */
export const MAX_BATCHES_PER_COMMIT = 128;

/**
 * Envelopes one project's spool holds at most (count) before ingest answers 429 (spool full). The spool
 * is the project Durable Object's own SQLite storage (10 GB per object, CF); at the bench's ~1,000
 * envelopes/s this is over a minute and a half of D1 outage for one project.
 */
export const SPOOL_MAX_ENVELOPES = 100_000;

/**
 * Bytes (UTF-8 of the prepared batches' JSON) one project's spool holds at most before 429. A 30-frame
 * panic is ~5–10 KB prepared, so this holds about the count above; well under the object's 10 GB (CF).
 */
export const SPOOL_MAX_BYTES = 1024 * MiB;

/**
 * Code units of one stored part of a spooled batch. Durable Object SQLite refuses a value over 2 MB
 * (CF); a UTF-16 code unit is at most 3 bytes of UTF-8, so 512 Ki units are at most 1.5 MiB.
 */
export const SPOOL_PART_UNITS = 512 * KiB;

/**
 * Milliseconds between flush attempts after D1 failures in a row: doubling from the first, up to the
 * last. Short enough that a spool drains within seconds of D1's recovery, long enough that a down D1
 * is not hammered (one attempt per project per few seconds).
 */
export const SPOOL_RETRY_FIRST_MS = 200;
export const SPOOL_RETRY_MAX_MS = 3_000;

/**
 * Projects whose spools an organization-wide event-by-id lookup asks when D1 does not have the event
 * (one Durable Object call each, all at once; CF allows 1,000 subrequests per request on Paid).
 */
export const MAX_SPOOL_LOOKUP_PROJECTS = 100;

/**
 * Milliseconds a flush waits for more envelopes when the spool holds less than one full group commit.
 * Under load a commit then carries tens of envelopes instead of a handful: fewer D1 transactions, and
 * one issue-counter update per issue per commit instead of per few events. Far below the 2 s within
 * which a spooled event must be visible in the issue stream.
 */
export const SPOOL_FLUSH_LINGER_MS = 50;

/**
 * The linger after a commit that carried at least SPOOL_BUSY_COMMIT_ENVELOPES: a busy project's
 * commits then carry twice the envelopes, and its issues' counters are updated half as often (D1
 * rows per event in the bench: 4.68 → 4.38). A quiet project keeps the shorter linger.
 */
export const SPOOL_FLUSH_BUSY_LINGER_MS = 100;
export const SPOOL_BUSY_COMMIT_ENVELOPES = 16;

/** Retry-After (seconds) of the 429 a full spool answers: a few flushes' time. */
export const SPOOL_FULL_RETRY_AFTER_SECONDS = 5;

/**
 * How long the spool's backstop alarm waits: if the object is evicted with envelopes still spooled,
 * the alarm wakes it to flush them. The flush normally runs at once, long before.
 */
export const SPOOL_BACKSTOP_ALARM_MS = 5_000;

/**
 * Grouping hash → issue entries (count) the project's Durable Object keeps in memory, and releases it
 * remembers as recorded; past it the cache is cleared between commits and misses are read from D1.
 * Bounds the object's memory (128 MB isolate, CF) at a few MB of short strings.
 */
export const MAX_CACHED_ISSUE_HASHES = 20_000;

/**
 * Age after which an R2 object of ingested bytes that no D1 row references is deleted by the sweep.
 * Far longer than any request takes to commit (CF caps a request's wall time at minutes), so an object
 * whose request is still running is never taken.
 */
export const BLOB_SWEEP_MIN_AGE_MS = 24 * 3600 * 1000;

/**
 * R2 objects one sweep run looks at (a cron run has 15 min of wall time and 1,000 subrequests on
 * Paid, CF): 10 list pages of 1,000, about 350 D1 reads of 90 keys, deletes of 1,000 keys per call.
 */
export const MAX_BLOB_SWEEP_OBJECTS_PER_RUN = 10_000;

/**
 * A payload segment (src/project/payload-segments.ts; one R2 PUT each) closes after this many events
 * (≤ 1 Class A per 1,000 events; the target is 2), this many compressed bytes, or this long after it
 * opened (how long a quiet project's payloads wait in its object's storage; retention adds it to a
 * segment's opening time to know all of it is older). A failed PUT is retried after _SEAL_RETRY_MS.
 */
export const PAYLOAD_SEGMENT_MAX_EVENTS = 1000;
export const PAYLOAD_SEGMENT_MAX_BYTES = 8 * MiB;
export const PAYLOAD_SEGMENT_MAX_AGE_SECONDS = 600;
export const PAYLOAD_SEAL_RETRY_MS = 30_000;
