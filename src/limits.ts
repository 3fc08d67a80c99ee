// Every size and count limit Faultline enforces, in one place, each with its unit and source.
// "Relay" = getsentry/relay's `relay-config` defaults; "CF" = Cloudflare's published platform limits.

const KiB = 1024;
const MiB = 1024 * KiB;

export * from "./limits/costs.ts";
export * from "./limits/escalation.ts";
export * from "./limits/health.ts";
export * from "./limits/minidump.ts";
export * from "./limits/privacy.ts";
export * from "./limits/retention.ts";
export * from "./limits/storage.ts";
export * from "./limits/telemetry.ts";

// Request bodies and decoding. Memory math for one 128 MB isolate (CF), which may serve other requests
// at the same time: a request holds its wire body (≤ 20 MiB) while decoding it into the decoded body
// (≤ 20 MiB); the decoder may hold one more transient copy of its output (≤ 20 MiB), and a stacked
// encoding one intermediate layer (≤ 20 MiB), so decoding peaks at 60 MiB (80 MiB stacked). The wire
// body is released once decoded; envelope items are views into the decoded bytes, not copies, and only
// items of at most 1 MiB (events) or MAX_OPAQUE_SUMMARY_BYTES are parsed as JSON, which leaves 48 MiB or
// more for parsed copies and the rest of the isolate. Credentials are checked before any of this: from
// headers/query without decoding anything, or (tunnel) from the envelope header line alone.
// Anything larger than the envelope cap, including an attachment, replay or profile that Relay would
// take up to 100 MiB, is refused whole with 413 like Relay's `envelope_too_large`; it is not streamed.

/** Bytes of a request body as received (compressed). Sentry's envelope spec: 20 MB compressed request. */
export const MAX_REQUEST_BODY_BYTES = 20 * MiB;

/**
 * Bytes of a whole envelope after decompression. Relay's `max_envelope_size` is 100 MiB, which does not fit
 * a 128 MB isolate next to its wire body (see the memory math above); 20 MiB does with room to spare.
 */
export const MAX_ENVELOPE_BYTES = 20 * MiB;

/**
 * Bytes one inner layer of a stacked `Content-Encoding` may yield while only the envelope header line of
 * an unauthenticated (tunnel) request is decoded. The header line is at most MAX_HEADER_LINE_BYTES, so its
 * compressed form is far smaller than this; the bound keeps an unauthenticated request from costing more.
 */
export const MAX_HEADER_SCAN_BYTES = 1 * MiB;

/** Bytes of one event/transaction/feedback item, decompressed. Relay `max_event_size` (1 MiB). */
export const MAX_EVENT_BYTES = 1 * MiB;

/** Bytes of a legacy `/store/` body, decompressed. Same as one event (Relay `max_event_size`). */
export const MAX_STORE_BODY_BYTES = 1 * MiB;

/** Bytes of one standalone span item, or of a span container per entry. Relay `max_span_size` (1 MiB). */
export const MAX_SPAN_BYTES = 1 * MiB;

/** Bytes of one container item (logs, spans, trace metrics). Relay `max_container_size` (default 12 MiB). */
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
/** Fields outside the breadcrumb schema kept per crumb (each trimmed like a databag). */
export const MAX_BREADCRUMB_EXTRA_FIELDS = 20;

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
/** Latest timestamp accepted anywhere (seconds): 9999-12-31T23:59:59Z, the last instant an ISO 8601
 * date (and JavaScript's `toISOString`) writes with four year digits, as Relay's range. Earliest: 0 (1970). */
export const MAX_TIMESTAMP_SECONDS = 253402300799;

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

/** Characters of user feedback / `user_report` comments (Sentry's feedback message limit, 4096), and
 *  of a note on an issue (ours: a long comment, well within a D1 row). */
export const MAX_FEEDBACK_CHARS = 4096;
export const MAX_NOTE_CHARS = 10_000;

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

/**
 * Web sign-in attempts within one LOGIN_WINDOW_SECONDS window: per (email, client IP) pair — the tight
 * limit against guessing —, per email from any IP (loose, so a stranger elsewhere cannot lock a user
 * out with a handful of wrong passwords) and per client IP. Not Sentry's numbers (Sentry throttles
 * sign-in per username and per IP through its ratelimiter); chosen for a small self-hosted install.
 */
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const MAX_LOGIN_ATTEMPTS_PER_EMAIL_AND_IP = 10;
export const MAX_LOGIN_ATTEMPTS_PER_EMAIL = 100;
export const MAX_LOGIN_ATTEMPTS_PER_IP = 50;

/** Seconds an organization invitation stays valid. Sentry's `INVITE_DAYS_VALID` (30 days). */
export const INVITE_VALID_SECONDS = 30 * 24 * 3600;

/** Characters of a password chosen when accepting an invitation: Django's minimum length validator (8). */
export const MIN_PASSWORD_CHARS = 8;
/** Characters of a password at most, so PBKDF2 is not fed megabytes. Django's bcrypt-era bound is 4096; 256 is plenty. */
export const MAX_PASSWORD_CHARS = 256;

/**
 * Characters of one attribute value of a log or span (string values are cut, larger arrays/objects are
 * dropped). Not a Relay number: the same bound as a message, so one attribute can never approach D1's
 * 1 MB row limit (CF).
 */
export const MAX_ATTRIBUTE_VALUE_CHARS = MAX_MESSAGE_CHARS;

/** Characters of an attribute key; longer keys are dropped. Relay trims keys like tag keys (200). */
export const MAX_ATTRIBUTE_KEY_CHARS = MAX_TAG_KEY_CHARS;

/**
 * Characters of the JSON of all attributes of one log or span (the `attributes` column): attributes
 * past it are dropped and noted. 64 Ki chars ≤ 192 KiB of UTF-8, well under D1's 1 MB row limit (CF).
 */
export const MAX_ATTRIBUTES_JSON_CHARS = 64 * KiB;

/** Characters of a check-in's `monitor_config` JSON; a larger one is not kept (CF D1 row limit, with margin). */
export const MAX_MONITOR_CONFIG_JSON_CHARS = 16 * KiB;

/** Characters of a raw item's metadata JSON; past it only the summary's scalar fields are kept. */
export const MAX_RAW_METADATA_JSON_CHARS = 16 * KiB;

/**
 * Characters of one feedback row's `payload` JSON (the normalized feedback event). Same bound as an
 * event payload kept inline in D1; a larger payload keeps only the feedback context.
 */
export const MAX_FEEDBACK_PAYLOAD_CHARS = MAX_INLINE_PAYLOAD_BYTES;

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

// Debug-file upload (chunk upload + assemble) and symbol lookups. Memory drives the numbers: a chunk
// request is parsed one part at a time, so one request holds at most one compressed part plus its
// decompressed chunk (~2 × CHUNK_SIZE); CHUNK_UPLOAD_CONCURRENCY such requests in one 128 MB isolate (CF)
// stay under half of it. Assembly holds one R2 part (ASSEMBLY_PART_BYTES) at a time.

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
 * Bytes of one R2 multipart part of an assembled debug file. R2 wants every part but the last to have
 * the same size, at least 5 MiB (CF R2 limits); chunks of any size are regrouped into parts of exactly this size.
 */
export const ASSEMBLY_PART_BYTES = 8 * MiB;

/** Bytes of the JSON body of an assemble, release or deploy request. Relay `max_api_payload_size` is 20 MiB. */
export const MAX_API_JSON_BYTES = 20 * MiB;

/** Debug files per page of `GET …/files/dsyms/` (Sentry's page size). */
export const DEBUG_FILES_PAGE_SIZE = 20;

/** Bytes of one multipart part of a symbol lookup upload: R2's minimum (5 MiB, CF), the least memory held. */
export const LOOKUP_PART_BYTES = 5 * MiB;

/**
 * What a lookup build inside a Worker may take on. The build keeps its memory bounded: it reads
 * .debug_info and .debug_line a unit at a time, .debug_str, .debug_line_str and range lists through
 * block caches (~11 MiB at most), and holds one address window's tables, so memory grows with what
 * it must hold whole and with the largest unit, not with the file (bench/symbolication.mjs: a Rust
 * release build with 50 MiB of DWARF, 19 MiB of it strings, builds with ~46 MB live; one with a
 * single 17.7 MiB unit, as codegen-units = 1 or fat LTO make, with ~105 MB live):
 *   - HELD: bytes of sections read whole (compressed ones decompressed: they cannot be read in pieces;
 *     abbreviations, address and string-offset tables) plus the block caches and the symbol and
 *     string tables;
 *   - UNIT: bytes of the largest compilation unit's .debug_info (held with its function records in
 *     columns, ~3.5x its size in all);
 *   - DWARF: bytes of all DWARF, which bounds CPU time instead (~0.11-0.16 s per MiB in the bench, so
 *     ~14-20 s at the limit, under the 30 s a request's background work gets by default, CF).
 * Files beyond these get a lookup `error` instead of taking the 128 MB isolate (CF) down mid-build.
 */
export const MAX_WORKER_LOOKUP_HELD_BYTES = 32 * MiB;
export const MAX_WORKER_LOOKUP_UNIT_BYTES = 16 * MiB;
export const MAX_WORKER_LOOKUP_DWARF_BYTES = 128 * MiB;

/**
 * Images of one event recorded as missing their debug file (`event_debug_images` rows), for the
 * late-file job. A crash rarely spans more; a Faultline bound on the rows one event costs.
 */
export const MAX_RECORDED_IMAGES = 16;

// --- API, web UI and search: field sizes, pages and bulk operations ---

/** Characters; a DSN key's label. */
export const MAX_KEY_LABEL_CHARS = 64;

/** Characters; a project's platform. */
export const MAX_PLATFORM_CHARS = 64;

/** Minutes; the longest ignoreWindow/snooze window an issue update accepts (a week). */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;

/** Characters; an invited member's email (RFC 5321's path limit). */
export const MAX_EMAIL_CHARS = 254;

/** Characters; a deploy's name. */
export const MAX_DEPLOY_NAME_CHARS = 64;

/** Characters; a deploy's url. */
export const MAX_DEPLOY_URL_CHARS = 200;

/** Characters; an API token's name. */
export const MAX_TOKEN_NAME_CHARS = 255;

/** Seconds; the longest rate-limit window a key or project may set (a day). */
export const MAX_RATE_LIMIT_WINDOW = 86_400;

/** Characters; a release's url. */
export const MAX_RELEASE_URL_CHARS = 200;

/** Characters; a release's ref. */
export const MAX_REF_CHARS = 250;

/** Rows; a list page without per_page (Sentry's default is 100). */
export const DEFAULT_PAGE_SIZE = 100;

/** Rows; the largest per_page (Sentry caps at 100). */
export const MAX_PAGE_SIZE = 100;

/** Characters; an organization, team or project slug. */
export const MAX_SLUG_CHARS = 50;

/** Characters; an organization, team or project name. */
export const MAX_NAME_CHARS = 64;

/** Issues; one bulk update or delete without ids (Sentry's BULK_MUTATION_LIMIT is 1000). */
export const MAX_BULK_ISSUES = 1000;

/** Events; recent events read to find each listed hash's latest event. */
export const LATEST_EVENT_SCAN = 200;

/** Hashes; one unmerge request may name. */
export const MAX_UNMERGE_HASHES = 100;

/** Bytes; multipart framing allowed beyond the advertised chunk bytes in one chunk upload. */
export const MAX_FRAMING_BYTES = 1024 * 1024;

/** Seconds; a web UI session lives two weeks after its last use. */
export const SESSION_SECONDS = 14 * 24 * 3600;

/** Issues; one page of the web UI's issue stream. */
export const UI_ISSUES_PAGE_SIZE = 25;

/** Events; read and regrouped per step of an unmerge (one D1 transaction each). */
export const UNMERGE_PAGE_EVENTS = 100;

/** Characters; a Sentry search query (longer ones are refused with 400). */
export const MAX_QUERY_CHARS = 4096;

/** Bytes; the headers of one multipart part. */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

/** Events; an issue's tag counts (summary and per-key values) are taken over its most recent ones. */
export const TAG_SAMPLE_EVENTS = 1000;

/** Rules; issue alert rules per project (Sentry allows far more, but each is evaluated in memory per event). */
export const MAX_ALERT_RULES_PER_PROJECT = 100;

/** Entries; conditions, filters or actions in one alert rule. */
export const MAX_ALERT_RULE_NODES = 20;

/** Minutes; a rule's `frequency` (Sentry's RuleSerializer: 5 minutes to 30 days). */
export const ALERT_FREQUENCY_MIN_MINUTES = 5;
export const ALERT_FREQUENCY_MAX_MINUTES = 43_200;

/** Attempts; a delivery is dead-lettered after this many (the queue consumer's own count). */
export const ALERT_DELIVERY_MAX_ATTEMPTS = 5;

/** Milliseconds; one outbound delivery request (webhook, Slack, Discord) before it counts as a timeout. */
export const ALERT_DELIVERY_TIMEOUT_MS = 5_000;

/** Seconds; the first retry delay of a failed delivery, doubled per attempt up to the cap. */
export const ALERT_RETRY_FIRST_SECONDS = 1;
export const ALERT_RETRY_MAX_SECONDS = 300;

/** Entries; the delivery log keeps the newest ones per project. */
export const ALERT_DELIVERY_LOG_SIZE = 100;

/** Webhook URLs; per project in the legacy webhooks plugin (one per line). */
export const MAX_WEBHOOK_URLS = 10;

/** Frames; the top in-app frames an alert message shows. */
export const ALERT_MESSAGE_FRAMES = 5;
