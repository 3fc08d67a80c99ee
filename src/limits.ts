// Every size and count limit Faultline enforces, in one place, each with its unit and source.
// "Relay" = getsentry/relay's `relay-config` defaults; "CF" = Cloudflare's published platform limits.

const KiB = 1024;
const MiB = 1024 * KiB;

/** Bytes of a request body as received (compressed). CF caps request bodies at 100 MB on Free/Pro. */
export const MAX_REQUEST_BODY_BYTES = 100 * MiB;

/**
 * Bytes of a whole envelope after decompression. Relay's `max_envelope_size` is 100 MiB (newer: 200 MiB);
 * we keep 100 MiB because a Worker isolate has 128 MB of memory.
 */
export const MAX_ENVELOPE_BYTES = 100 * MiB;

/** Bytes of one event/transaction/feedback item, decompressed. Relay `max_event_size` (1 MiB). */
export const MAX_EVENT_BYTES = 1 * MiB;

/** Bytes of a legacy `/store/` body, decompressed. Same as one event (Relay `max_event_size`). */
export const MAX_STORE_BODY_BYTES = 1 * MiB;

/** Bytes of one standalone span item or span container entry. Relay `max_span_size` (1 MiB). */
export const MAX_SPAN_BYTES = 1 * MiB;

/** Bytes of one log container item. Relay `max_container_size` (default 12 MiB in the versions read). */
export const MAX_CONTAINER_BYTES = 12 * MiB;

/** Bytes of one check-in item. Relay `max_check_in_size` (100 KiB). */
export const MAX_CHECK_IN_BYTES = 100 * KiB;

/** Bytes of one client report item. Relay `max_client_report_size` (4 KiB). */
export const MAX_CLIENT_REPORT_BYTES = 4 * KiB;

/** Bytes of one session/sessions item. Relay `max_session_size`-style bound (Sentry docs: small JSON). */
export const MAX_SESSION_BYTES = 100 * KiB;

/** Bytes of one profile item. Relay `max_profile_size` (50 MiB). */
export const MAX_PROFILE_BYTES = 50 * MiB;

/** Bytes of one replay item. Relay `max_replay_uncompressed_size` (100 MiB). */
export const MAX_REPLAY_BYTES = 100 * MiB;

/** Bytes of one attachment, and of all attachments of an envelope. Relay `max_attachment(s)_size` (100 MiB). */
export const MAX_ATTACHMENT_BYTES = 100 * MiB;
export const MAX_ATTACHMENTS_BYTES = 100 * MiB;

/** Session updates per envelope and buckets per `sessions` item. Relay `max_session_count` (100). */
export const MAX_SESSIONS_PER_ENVELOPE = 100;
export const MAX_SESSION_BUCKETS = 100;

/** Items per envelope. Not a Relay limit: bounds the per-item work of one request (10,000 tiny items). */
export const MAX_ITEMS_PER_ENVELOPE = 1000;

/** Bytes of one header line (envelope or item). Headers are small JSON objects; this bounds the parse. */
export const MAX_HEADER_LINE_BYTES = 64 * KiB;

/** Breadcrumbs kept per event. Sentry keeps the most recent 100 (SDK `max_breadcrumbs` default). */
export const MAX_BREADCRUMBS = 100;

/** Frames kept per stack trace: Relay trims to 250, keeping both ends. */
export const MAX_FRAMES = 250;

/** Exceptions kept in one chain (Relay trims exception groups similarly). */
export const MAX_EXCEPTIONS = 25;

/** Tags per event and characters per tag key/value. Relay: key 200, value 200 chars. */
export const MAX_TAGS = 200;
export const MAX_TAG_KEY_CHARS = 200;
export const MAX_TAG_VALUE_CHARS = 200;

/** Characters of a message / exception value. Relay trims `logentry.formatted` and values to 8192. */
export const MAX_MESSAGE_CHARS = 8192;

/** Characters of any other string field (e.g. release 200, environment 64, culprit 200 in Relay). */
export const MAX_RELEASE_CHARS = 200;
export const MAX_ENVIRONMENT_CHARS = 64;
export const MAX_SHORT_STRING_CHARS = 512;

/** Nesting depth of JSON objects kept in free-form data (extra, contexts, vars). Relay: 5-7 levels. */
export const MAX_DATABAG_DEPTH = 7;

/** Clock drift tolerated between `sent_at` and receive time before timestamps are corrected. Relay: 55 min. */
export const MIN_CLOCK_DRIFT_SECONDS = 55 * 60;

/** Events dated further in the future are clamped to receive time. Relay: 60 s. */
export const MAX_FUTURE_SECONDS = 60;

/** Sessions older than this are dropped. Relay: 5 days. */
export const MAX_SESSION_AGE_SECONDS = 5 * 24 * 3600;

/** Payloads larger than this go to R2 with a pointer in D1 (D1 rows are capped at 1 MB by CF). */
export const MAX_INLINE_PAYLOAD_BYTES = 256 * KiB;

/** Default rate limit for a new DSN key: events per minute (0 = unlimited). */
export const DEFAULT_KEY_RATE_LIMIT_COUNT = 0;
export const DEFAULT_KEY_RATE_LIMIT_WINDOW_SECONDS = 60;

/** Entries per container item (span v2, log, trace_metric). Sentry's span v2 protocol: "up to 1000". */
export const MAX_CONTAINER_ENTRIES = 1000;

/** Characters of a monitor slug; longer slugs are cut. Relay `relay-monitors` `SLUG_LENGTH` (50). */
export const MAX_MONITOR_SLUG_CHARS = 50;

/** Characters of user feedback / `user_report` comments. Sentry's feedback message limit (4096). */
export const MAX_FEEDBACK_CHARS = 4096;

/** Client reports dated further back than this are dropped. Relay `max_secs_in_past` (30 days). */
export const MAX_PAST_SECONDS = 30 * 24 * 3600;

/**
 * Bytes of an opaque item (profile, replay) whose JSON is still read for metadata; larger ones are
 * stored without it, because parsing a 50 MiB profile takes a large share of a 128 MB isolate.
 */
export const MAX_OPAQUE_SUMMARY_BYTES = 10 * MiB;

/** Ids/URLs kept per list in the metadata of an opaque item (replay `error_ids`, `urls`…), for one D1 row. */
export const MAX_SUMMARY_LIST_ENTRIES = 100;

/**
 * Bytes of one section a symbol lookup build holds whole: a decompressed DWARF section, a small
 * uncompressed one (.debug_str, .debug_abbrev, range lists…) or the symbol or string table.
 * Uncompressed .debug_info and .debug_line are read a unit at a time and are not bounded by this.
 * The build runs in one 128 MB isolate (CF); larger files are refused with 413.
 */
export const MAX_DEBUG_SECTION_BYTES = 32 * MiB;

/** Bytes of all DWARF sections of one debug file held whole at once while building its lookup (same reason). */
export const MAX_DEBUG_SECTIONS_TOTAL_BYTES = 32 * MiB;

/**
 * Target bytes of one page of a symbol lookup: a frame lookup reads the header and one page (one R2
 * ranged GET), as suggested for Workers (protocol-api §4.4, "pages of ~64 KiB").
 */
export const SYMBOL_LOOKUP_PAGE_BYTES = 64 * KiB;

/**
 * Notes kept in a normalized event's `errors` list about trimmed or dropped fields. Not a Relay limit:
 * Relay's `_meta` has no count cap, but a hostile payload could otherwise produce one note per field.
 */
export const MAX_NORMALIZATION_NOTES = 50;

/** Characters of one string inside free-form data (extra, contexts, frame vars). Same bound as a message. */
export const MAX_DATABAG_STRING_CHARS = MAX_MESSAGE_CHARS;

/** Entries of one array or object inside free-form data; the rest is cut. Relay trims bags by size. */
export const MAX_DATABAG_ENTRIES = 500;

/** Characters of a request URL, query string, header or cookie value in an event. CF caps URLs at 16 KB. */
export const MAX_REQUEST_VALUE_CHARS = 16 * KiB;

/** Seconds of the events API's default time range without `statsPeriod`/`start`/`end`: Sentry's 14 days. */
export const DEFAULT_QUERY_PERIOD_SECONDS = 14 * 86400;

/** Seconds of the longest time range the events/stats APIs accept: 90 days, Sentry's event retention. */
export const MAX_QUERY_PERIOD_SECONDS = 90 * 86400;

/** Buckets of one time series (events-stats, stats_v2, project stats). Sentry caps at 10,000 points. */
export const MAX_SERIES_BUCKETS = 10_000;

/** Bound parameters of one D1 statement: D1 allows 100; a few are kept for the scope's own. */
export const MAX_SQL_PARAMS = 90;

/** Groups read to sort by a percentile (computed outside SQL). A Faultline bound, not Sentry's. */
export const MAX_DISCOVER_GROUPS_SORTED = 10_000;

/** `field` parameters of one events query. Sentry allows 20 in the Explore UI; the API is looser. */
export const MAX_QUERY_FIELDS = 50;

/** Spans of one trace the trace endpoints return. Sentry's trace view pages past 10,000 spans. */
export const MAX_TRACE_SPANS = 10_000;

/** Error events of one trace the trace endpoints return. A Faultline bound. */
export const MAX_TRACE_ERRORS = 1000;

/** Environments listed per organization or project. Sentry has no cap; a Faultline bound on the scan. */
export const MAX_ENVIRONMENTS_LISTED = 1000;

/** Bytes of a user-feedback API request body. Its fields are capped far lower (Sentry: name 128, email 75). */
export const MAX_USER_REPORT_BODY_BYTES = 64 * KiB;

/** Characters of a user report's name / email. Sentry's UserReport model (128 / 75). */
export const MAX_USER_REPORT_NAME_CHARS = 128;
export const MAX_USER_REPORT_EMAIL_CHARS = 75;

/** Groups of a `topEvents` time series. Sentry's events-stats allows at most 10. */
export const MAX_TOP_EVENTS = 10;

/** Rows (interval × group) of one stats_v2 answer. A Faultline bound on the outcome read. */
export const MAX_OUTCOME_ROWS = 50_000;
