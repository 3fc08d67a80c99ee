// Trace ids kept as the 16 bytes they spell in events rows (and in events_project_trace's entries):
// 32 lowercase hex digits, as SDKs send them, are stored as a blob; any other text stays text, so it
// reads back as it came. Rows written before hold text, so a lookup matches either form; the blob form
// is only tried for a lowercase value, which keeps matching exact (an uppercase id never met a
// lowercase one before, and does not now).

/** The value to store as a blob (through `unhex`), or null when it is to stay text. */
export function traceIdAsBlobHex(traceId: string | null | undefined): string | null {
  return typeof traceId === "string" && /^[0-9a-f]{32}$/.test(traceId) ? traceId : null;
}

/** The two binds of an events trace_id column: (blob hex, text), exactly one of them non-null. */
export function traceIdBinds(traceId: string | null | undefined): [string | null, string | null] {
  const hex = traceIdAsBlobHex(traceId);
  return [hex, hex === null ? (traceId ?? null) : null];
}

/** The VALUES expression for an events trace_id taking the two binds of traceIdBinds. */
export const TRACE_ID_VALUE = "COALESCE(unhex(?), ?)";

/** An events trace_id column (`alias.trace_id`) as text: a blob spelled in lowercase hex, else as stored. */
export const traceIdSql = (alias: string): string =>
  `CASE WHEN typeof(${alias}.trace_id) = 'blob' THEN lower(hex(${alias}.trace_id)) ELSE ${alias}.trace_id END`;

/**
 * The condition "`alias.trace_id` is this id" taking the binds of traceIdMatchBinds: an IN list over the
 * indexed column, so events_project_trace still serves it.
 */
export const traceIdMatch = (alias: string): string => `${alias}.trace_id IN (?, unhex(?))`;

/** The binds of traceIdMatch: the id as text, and as a blob when it is one stored that way. */
export function traceIdMatchBinds(traceId: string): [string, string | null] {
  return [traceId, traceIdAsBlobHex(traceId)];
}

/**
 * The condition "`alias.trace_id` is the trace id held by the SQL text expression `other`" (a spans
 * column, always text): the blob form only for a lowercase value, as traceIdMatch.
 */
export const traceIdMatchesText = (alias: string, other: string): string =>
  `${alias}.trace_id IN (${other}, unhex(CASE WHEN length(${other}) = 32 AND lower(${other}) = ${other} THEN ${other} END))`;
