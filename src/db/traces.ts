// One trace across an organization's projects: its spans (keyed by project then trace, so each lookup
// is an index range), the error events that carry its trace id and its logs, bounded by time and count.

import { traceIdMatch, traceIdMatchBinds } from "./hex-ids.ts";
import { projectionPath } from "./payload-shape-sql.ts";
import type { TraceErrorRow, TraceSpanRow } from "./rows.ts";
import { projectsRelation } from "./sql.ts";

export type { TraceErrorRow, TraceSpanRow };

const ids = (projectIds: number[]) => projectIds.map((id) => Math.trunc(id)).join(",");

export async function traceSpans(
  db: D1Database,
  projects: readonly { id: number; slug: string }[],
  traceId: string,
  limit: number,
): Promise<TraceSpanRow[]> {
  if (projects.length === 0) return [];
  const projectIds = projects.map((p) => p.id);
  return (
    await db
      .prepare(
        `SELECT s.project_id, p.slug AS project_slug, s.span_id, s.parent_span_id, s.segment_id, s.event_id,
           s.is_segment, s.name, s.op, s.description, s.status, s.start_timestamp, s.end_timestamp,
           s.duration_ms, s.transaction_name, s.release, s.environment, s.attributes
         FROM spans s JOIN ${projectsRelation(projects)} p ON p.id = s.project_id
         WHERE s.project_id IN (${ids(projectIds)}) AND s.trace_id = ?
         ORDER BY s.start_timestamp, s.span_id LIMIT ?`,
      )
      .bind(traceId, limit)
      .all<TraceSpanRow>()
  ).results;
}

/**
 * The statement of a trace's error events within [start, end), through events_project_trace, named:
 * left to itself SQLite walks the projects' events by time or by key, which reads every event of the
 * range rather than the few of the trace (hundreds of ms at a million events).
 */
export function traceErrorsSql(projects: readonly { id: number; slug: string }[]): string {
  return `SELECT e.project_id, p.slug AS project_slug, e.event_id, e.issue_id, i.short_id, e.title,
           COALESCE(json_extract(e.payload, '$.culprit'), i.culprit) AS culprit, e.level, e.timestamp,
           e.transaction_name, ${projectionPath("e", "$.contexts.trace.span_id")} AS span_id
         FROM events e INDEXED BY events_project_trace JOIN ${projectsRelation(projects)} p ON p.id = e.project_id LEFT JOIN issues i ON i.id = e.issue_id
         WHERE e.project_id IN (${ids(projects.map((p) => p.id))}) AND e.type <> 'transaction' AND ${traceIdMatch("e")}
           AND e.timestamp >= ? AND e.timestamp < ?
         ORDER BY e.timestamp LIMIT ?`;
}

/** Error events of the trace within [start, end). */
export async function traceErrors(
  db: D1Database,
  projects: readonly { id: number; slug: string }[],
  traceId: string,
  range: { start: number; end: number },
  limit: number,
): Promise<TraceErrorRow[]> {
  if (projects.length === 0) return [];
  return (
    await db
      .prepare(traceErrorsSql(projects))
      .bind(...traceIdMatchBinds(traceId), range.start, range.end, limit)
      .all<TraceErrorRow>()
  ).results;
}

/** The statement counting a trace's logs within [start, end), through logs_project_trace, named (as above). */
export function traceLogCountSql(projectIds: readonly number[]): string {
  return `SELECT COUNT(*) AS n FROM logs INDEXED BY logs_project_trace WHERE project_id IN (${ids([...projectIds])}) AND trace_id = ?
         AND timestamp >= ? AND timestamp < ?`;
}

export async function traceLogCount(
  db: D1Database,
  projectIds: number[],
  traceId: string,
  range: { start: number; end: number },
): Promise<number> {
  if (projectIds.length === 0) return 0;
  const row = await db
    .prepare(traceLogCountSql(projectIds))
    .bind(traceId, range.start, range.end)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
