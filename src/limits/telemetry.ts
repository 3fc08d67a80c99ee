// Bounds of OTLP ingest and of the logs explorer / trace search reads.

/**
 * Spans or log records in one OTLP/HTTP export request. Not an OTLP limit (the spec sets none): ten
 * envelope containers' worth (MAX_CONTAINER_ENTRIES is 1000), so a batch exporter's largest flush (`maxExportBatchSize`, 512 by default)
 * fits many times over; records past it are answered as rejected in the partial success.
 */
export const MAX_OTLP_RECORDS_PER_REQUEST = 10_000;

/** Traces one trace search answers (newest first); narrow the query or the time range for older ones. */
export const MAX_TRACE_SEARCH_RESULTS = 100;

/**
 * Projects one trace search or logs explorer query covers: its project ids are bound three times per
 * statement and D1 binds at most 100 parameters (CF), with room left for the filters.
 */
export const MAX_TRACE_SEARCH_PROJECTS = 25;

/** Log rows per page of the logs explorer. */
export const LOGS_PAGE_SIZE = 50;

/**
 * OTLP `exception` span events turned into error events per export request. Each is one more commit of
 * the project's Durable Object; past this many the rest stay on their spans (`otel.events`) only.
 */
export const MAX_OTLP_EXCEPTIONS_PER_REQUEST = 20;

/**
 * Seconds of one slot of the log volume counters (`log_volume`): the histogram's finest grain when it
 * reads counters. Every bucket the explorer draws for 24 h or more is a multiple of it.
 */
export const LOG_VOLUME_SLOT_SECONDS = 600;

/**
 * How long the project's object remembers the digest of a log item or OTLP logs request it spooled,
 * so that an SDK's or exporter's retry of the same bytes is stored once (retries come within minutes).
 */
export const LOG_RETRY_WINDOW_SECONDS = 24 * 3600;

/** Digests remembered at most (the oldest are forgotten first), about 60 bytes each. */
export const MAX_LOG_RETRY_DIGESTS = 200_000;
