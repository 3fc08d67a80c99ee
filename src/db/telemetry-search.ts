// Reads behind the logs explorer and trace search: newest-first log records and trace roots of a set of
// projects, filtered, paged by a (timestamp, id) cursor, and the log volume by level for the histogram.
// Every query starts from an index on (project_id, …) — see migrations/0022 — or from the full-text
// prefilter of migrations/0030 and 0031 (log-prefilter.ts), whose candidates are then checked exactly
// (but for exact attribute pairs: those candidates are the matches).
import { LOG_VOLUME_SLOT_SECONDS } from "../limits.ts";
import type { TraceSearch } from "../protocol/telemetry-query.ts";
import { traceIdMatchesText } from "./hex-ids.ts";
import { PREFILTER_CAP, pageReadsCandidates } from "./log-prefilter.ts";
import { type LogFilters, withPrefilter } from "./log-probe.ts";
import { all, marks, type SqlParam } from "./sql.ts";

export { type LogFilters, withPrefilter };

export interface LogRow {
  id: number;
  project_id: number;
  timestamp: number;
  trace_id: string | null;
  span_id: string | null;
  level: string;
  severity_number: number | null;
  body: string;
  release: string | null;
  environment: string | null;
  attributes: string;
}

/** Position after the last row of a page: older rows only. */
export interface LogCursor {
  timestamp: number;
  id: number;
}

function attributePath(key: string): string {
  return `$."${key.replaceAll('"', "")}"`;
}

/** Where a query reads records from, with the parameters of that part (they come first). */
interface Source {
  from: string;
  where: string[];
  params: SqlParam[];
  /** The source holds only records with the filters' attributes (an exact pair prefilter drives). */
  pairsMatched?: boolean;
}

/**
 * The trace's records are few: read them through the trace index and sort them, rather than let the
 * planner walk the whole time range on the timestamp index (which it prefers for the ORDER BY). A
 * prefilter's candidates are read by id (CROSS JOIN keeps that order: the FTS table drives); when they
 * are exactly the attribute matches and nothing else is checked on the record, the histogram reads
 * their (project, time, level) from the narrow id index, not the records. Both environment and
 * release: their index, newest first.
 */
function logsSource(f: LogFilters, use: { page: number } | "volume"): Source {
  if (f.traceId) return { from: "logs INDEXED BY logs_project_trace", where: [], params: [] };
  const p = f.prefilter;
  if (p && (use === "volume" ? p.estimate < PREFILTER_CAP : pageReadsCandidates(p, use.page))) {
    const pairsMatched = p.table === "logs_attrs" && p.exact === true;
    const narrow = pairsMatched && use === "volume" && !f.text && !f.environment && !f.release;
    return {
      from: `${p.table} CROSS JOIN logs${narrow ? " INDEXED BY logs_id_time_level" : ""} ON logs.id = ${p.table}.rowid`,
      where: [`${p.table} MATCH (${p.match})`],
      params: p.params,
      pairsMatched,
    };
  }
  if (f.environment && f.release)
    return { from: "logs INDEXED BY logs_project_env_release", where: [], params: [] };
  return { from: "logs", where: [], params: [] };
}

/**
 * `toInclusive`: the range ends at `to` itself (a cursor's own timestamp may hold more records).
 * `pairsMatched`: the source already holds only records with the attributes (no check on the record).
 */
function logConditions(
  f: LogFilters,
  toInclusive = false,
  pairsMatched = false,
): { where: string; params: SqlParam[] } {
  const parts = [
    `project_id IN (${marks(f.projectIds.length)})`,
    "timestamp >= ?",
    toInclusive ? "timestamp <= ?" : "timestamp < ?",
  ];
  const params: SqlParam[] = [...f.projectIds, f.from, f.to];
  if (f.levels.length > 0) {
    parts.push(`level IN (${marks(f.levels.length)})`);
    params.push(...f.levels);
  }
  if (f.environment) {
    parts.push("environment = ?");
    params.push(f.environment);
  }
  if (f.release) {
    parts.push("release = ?");
    params.push(f.release);
  }
  if (f.traceId) {
    parts.push("trace_id = ?");
    params.push(f.traceId);
  }
  if (f.text) {
    parts.push("instr(lower(body), lower(?)) > 0");
    params.push(f.text);
  }
  for (const [key, value] of pairsMatched ? [] : f.attributes) {
    parts.push("CAST(json_extract(attributes, ?) AS TEXT) = ?");
    params.push(attributePath(key), value);
  }
  return { where: parts.join(" AND "), params };
}

/**
 * One page of log records, newest first. Queried per project and merged: each query then walks its
 * project's (project_id, timestamp, level) index backwards and stops at the page size, where an
 * `IN (…)` over several projects would have to sort every row of the range.
 */
export async function searchLogs(
  db: D1Database,
  filters: LogFilters,
  cursor: LogCursor | null,
  limit: number,
): Promise<LogRow[]> {
  const planned = await withPrefilter(db, filters);
  const pages = await Promise.all(
    planned.projectIds.map((projectId) =>
      searchProjectLogs(db, { ...planned, projectIds: [projectId] }, cursor, limit),
    ),
  );
  return pages
    .flat()
    .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id)
    .slice(0, limit);
}

function searchProjectLogs(
  db: D1Database,
  filters: LogFilters,
  cursor: LogCursor | null,
  limit: number,
): Promise<LogRow[]> {
  // After a cursor the range ends at the cursor's timestamp (one upper bound, so the index walk starts
  // there: a second bound or an OR would make it start at the newest record and skip forward).
  const source = logsSource(filters, { page: limit });
  const { where, params } = logConditions(
    cursor ? { ...filters, to: Math.min(filters.to, cursor.timestamp) } : filters,
    cursor !== null && cursor.timestamp <= filters.to,
    source.pairsMatched,
  );
  const after = cursor ? " AND (timestamp < ? OR id < ?)" : "";
  const afterParams = cursor ? [cursor.timestamp, cursor.id] : [];
  return all<LogRow>(
    db,
    `SELECT id, project_id, timestamp, trace_id, span_id, level, severity_number, body, release, environment,
       attributes FROM ${source.from} WHERE ${[...source.where, where].join(" AND ")}${after}
     ORDER BY timestamp DESC, id DESC LIMIT ?`,
    [...source.params, ...params, ...afterParams, limit],
  );
}

/**
 * Log counts per (bucket start, level) over the filters' time range, buckets of `bucketSeconds`. With
 * no filter but level, and buckets made of whole counter slots, they come from the `log_volume`
 * counters (slots that start in the range, whole); otherwise every matching record is counted.
 */
export async function logVolume(
  db: D1Database,
  filters: LogFilters,
  bucketSeconds: number,
): Promise<{ at: number; level: string; n: number }[]> {
  if (filters.projectIds.length === 0) return [];
  if (countersServe(filters, bucketSeconds)) return countedVolume(db, filters, bucketSeconds);
  const planned = await withPrefilter(db, filters);
  const source = logsSource(planned, "volume");
  const { where, params } = logConditions(planned, false, source.pairsMatched);
  return all(
    db,
    `SELECT CAST(timestamp / ? AS INTEGER) * ? AS at, level, COUNT(*) AS n FROM ${source.from}
     WHERE ${[...source.where, where].join(" AND ")} GROUP BY at, level`,
    [bucketSeconds, bucketSeconds, ...source.params, ...params],
  );
}

function countersServe(f: LogFilters, bucketSeconds: number): boolean {
  const narrowed = f.text || f.traceId || f.environment || f.release || f.attributes.length > 0;
  return !narrowed && bucketSeconds % LOG_VOLUME_SLOT_SECONDS === 0;
}

function countedVolume(
  db: D1Database,
  f: LogFilters,
  bucketSeconds: number,
): Promise<{ at: number; level: string; n: number }[]> {
  const parts = [`project_id IN (${marks(f.projectIds.length)})`, "slot >= ?", "slot < ?"];
  const firstSlot = Math.ceil(f.from / LOG_VOLUME_SLOT_SECONDS) * LOG_VOLUME_SLOT_SECONDS;
  const params: SqlParam[] = [...f.projectIds, firstSlot, f.to];
  if (f.levels.length > 0) {
    parts.push(`level IN (${marks(f.levels.length)})`);
    params.push(...f.levels);
  }
  return all(
    db,
    `SELECT CAST(slot / ? AS INTEGER) * ? AS at, level, SUM(n) AS n FROM log_volume WHERE ${parts.join(" AND ")}
     GROUP BY at, level`,
    [bucketSeconds, bucketSeconds, ...params],
  );
}

export interface TraceFilters extends TraceSearch {
  projectIds: number[];
  from: number;
  to: number;
}

export interface TraceRootRow {
  project_id: number;
  trace_id: string;
  span_id: string;
  name: string;
  op: string | null;
  status: string | null;
  start_timestamp: number;
  duration_ms: number;
  release: string | null;
  environment: string | null;
  origin: string | null;
  span_count: number;
  error_count: number;
}

/** Position after the last trace of a page: roots that started earlier (or at once, lower trace id). */
export interface TraceCursor {
  startTimestamp: number;
  traceId: string;
}

/**
 * A segment `b` that is a better root of its trace than `s`: parentless before parented, then the
 * earliest, then the lowest span id (and project id), so each trace has exactly one root.
 */
const BETTER_ROOT = `(b.parent_span_id IS NULL) > (s.parent_span_id IS NULL)
  OR ((b.parent_span_id IS NULL) = (s.parent_span_id IS NULL) AND (b.start_timestamp < s.start_timestamp
    OR (b.start_timestamp = s.start_timestamp AND (b.span_id < s.span_id
      OR (b.span_id = s.span_id AND b.project_id < s.project_id)))))`;

/**
 * One row per trace, newest first: the trace's root segment (transactions and OTLP root spans are both
 * segments; the parentless one is the root, else the earliest) with the whole trace's span and error
 * counts. The filters and the time range apply to the root; paged by (root start, trace id).
 */
export async function searchTraceRoots(
  db: D1Database,
  f: TraceFilters,
  limit: number,
  cursor: TraceCursor | null = null,
): Promise<TraceRootRow[]> {
  if (f.projectIds.length === 0) return [];
  const m = marks(f.projectIds.length);
  const parts = [
    `s.project_id IN (${m})`,
    "s.is_segment = 1",
    "s.start_timestamp >= ?",
    "s.start_timestamp < ?",
  ];
  const params: SqlParam[] = [...f.projectIds, f.from, f.to];
  const add = (sql: string, ...values: (SqlParam | undefined)[]) => {
    if (values.some((v) => v === undefined || v === "")) return;
    parts.push(sql);
    params.push(...(values as SqlParam[]));
  };
  add("s.trace_id = ?", f.traceId);
  add("instr(lower(s.name), lower(?)) > 0", f.name);
  add("s.op = ?", f.op);
  add("s.status = ?", f.status);
  add("s.release = ?", f.release);
  add("s.environment = ?", f.environment);
  add("s.duration_ms >= ?", f.minDurationMs);
  add("s.duration_ms <= ?", f.maxDurationMs);
  if (cursor) {
    add(
      "s.start_timestamp <= ? AND (s.start_timestamp < ? OR s.trace_id < ?)",
      cursor.startTimestamp,
      cursor.startTimestamp,
      cursor.traceId,
    );
  }
  return all<TraceRootRow>(
    db,
    `SELECT s.project_id, s.trace_id, s.span_id, s.name, s.op, s.status, s.start_timestamp, s.duration_ms,
       s.release, s.environment, json_extract(s.attributes, '$."sentry.origin"') AS origin,
       (SELECT COUNT(*) FROM spans c WHERE c.project_id IN (${m}) AND c.trace_id = s.trace_id) AS span_count,
       (SELECT COUNT(*) FROM events e WHERE e.project_id IN (${m}) AND ${traceIdMatchesText("e", "s.trace_id")}
          AND e.type <> 'transaction') AS error_count
     FROM spans s WHERE ${parts.join(" AND ")}
       AND NOT EXISTS (SELECT 1 FROM spans b WHERE b.project_id IN (${m}) AND b.trace_id = s.trace_id
         AND b.is_segment = 1 AND (${BETTER_ROOT}))
     ORDER BY s.start_timestamp DESC, s.trace_id DESC LIMIT ?`,
    [...f.projectIds, ...f.projectIds, ...params, ...f.projectIds, limit],
  );
}
