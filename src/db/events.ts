// The events read model shared by the REST API and the web UI: event pages, an issue's or project's
// event, neighbours in time, attachments, hashes, traces (spans and their errors) and event volume.
// The payload is `events.payload`, in R2 under `events.payload_key`, or in a payload segment named by
// `events.payload_ref` (then `payload` is its projection; see src/blobs/event-blobs.ts).

import { eventWindows, readThroughWindows, type TimeBounds } from "./event-windows.ts";
import { traceIdMatch, traceIdMatchBinds, traceIdSql } from "./hex-ids.ts";
import { projectionPath } from "./payload-shape-sql.ts";
import type { AttachmentRow, EventListRow, EventTableRow, SpanRow, TraceError } from "./rows.ts";
import { all, first, marks } from "./sql.ts";

/** Every column of `events` (alias `ev`). */
const EVENT_COLUMNS = `ev.project_id, ev.event_id, ev.issue_id, ev.type, ev.timestamp, ev.received, ev.level,
  ev.platform, ev.release, ev.environment, ev.user_key, ev.title, ev.message, ev.transaction_name,
  ${traceIdSql("ev")} AS trace_id, ev.payload, ev.payload_key, ev.payload_ref`;

const LIGHT_COLUMNS = `ev.project_id, ev.event_id, ev.issue_id, ev.type, ev.timestamp, ev.received, ev.level,
  ev.platform, ev.release, ev.environment, ev.user_key, ev.title, ev.message, ev.transaction_name,
  ${traceIdSql("ev")} AS trace_id`;

const p = (path: string): string => projectionPath("ev", path);

/**
 * The fields of the payload a list item shows, extracted in SQL so a page of events does not read
 * whole payloads (object fields through json() so they stay JSON inside json_object); the paths a
 * row's shape holds from its shape (payload-shape.ts). A list item reads no exception's value. Its
 * culprit is the one the SDK sent, else its issue's: the projection keeps no function names to derive
 * the event's own from.
 */
const SUMMARY_COLUMN = `CASE WHEN ev.payload IS NULL THEN NULL ELSE json_object(
  'tags', json(${p("$.tags")}),
  'user', json(${p("$.user")}),
  'logentry', json(${p("$.logentry")}),
  'message', ${p("$.message")},
  'culprit', COALESCE(${p("$.culprit")}, (SELECT i.culprit FROM issues i WHERE i.id = ev.issue_id)),
  'dist', ${p("$.dist")},
  'logger', ${p("$.logger")},
  'server_name', ${p("$.server_name")},
  'request', json_object('url', ${p("$.request.url")}),
  'contexts', json_object(
    'os', json(${p("$.contexts.os")}),
    'runtime', json(${p("$.contexts.runtime")}),
    'browser', json(${p("$.contexts.browser")})),
  'exception', json(${p("$.exception")})
) END AS summary`;

/** Whose events a page lists: an issue's, or a project's error events (no transactions). */
export type EventScope = { issueId: number } | { projectErrors: number };

/** What else a page of events is narrowed by: a time range, a search condition on `events t`, the order. */
export interface EventPageFilter {
  /** Unix seconds, inclusive start and exclusive end (either may be open). */
  range?: TimeBounds;
  condition?: { sql: string; params: (string | number | null)[] } | null;
  oldestFirst?: boolean;
}

/** The statement of one page of a scope's events, newest first, optionally only of some environments. */
export function eventPageQuery(
  scope: EventScope,
  environments: readonly string[],
  full: boolean,
  page: { limit: number; offset: number },
  filter: EventPageFilter = {},
): { sql: string; params: (string | number | null)[] } {
  // A project's error events are its issues' events (migration 0042: no index by project and time);
  // transactions have no issue, so the issues' ranges hold none.
  let where =
    "issueId" in scope ? "ev.issue_id = ?" : "ev.issue_id IN (SELECT id FROM issues WHERE project_id = ?)";
  const params: (string | number | null)[] = ["issueId" in scope ? scope.issueId : scope.projectErrors];
  if (environments.length > 0) {
    where += ` AND ev.environment IN (${marks(environments.length)})`;
    params.push(...environments);
  }
  if (filter.range?.start !== undefined) {
    where += " AND ev.timestamp >= ?";
    params.push(filter.range.start);
  }
  if (filter.range?.end !== undefined) {
    where += " AND ev.timestamp < ?";
    params.push(filter.range.end);
  }
  // The search condition is written over `events t` (discover's columns): the same row, by its key.
  let from = "events ev INDEXED BY events_issue_timestamp";
  if (filter.condition) {
    from += " JOIN events t ON t.project_id = ev.project_id AND t.event_id = ev.event_id";
    where += ` AND (${filter.condition.sql})`;
    params.push(...filter.condition.params);
  }
  const columns = full ? EVENT_COLUMNS : `${LIGHT_COLUMNS}, ${SUMMARY_COLUMN}`;
  const order = filter.oldestFirst
    ? "ev.timestamp ASC, ev.event_id ASC"
    : "ev.timestamp DESC, ev.event_id DESC";
  if ("issueId" in scope)
    return {
      sql: `SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      params: [...params, page.limit, page.offset],
    };
  // A project's page sorts a window of its issues' ranges: the page's keys first, from the index
  // alone when nothing else filters, then the columns of those rows only. (SQLite computes a row's
  // columns before it sorts, and the summary's JSON for a day's events took ~10× the keys' time.)
  const keys = `SELECT ev.project_id, ev.event_id FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`;
  return {
    sql: `SELECT ${columns} FROM (${keys}) k CROSS JOIN events ev ON ev.project_id = k.project_id AND ev.event_id = k.event_id ORDER BY ${order}`,
    params: [...params, page.limit, page.offset],
  };
}

/**
 * One page of a scope's events, newest first, optionally only of some environments. A project's page
 * is read through widening windows (event-windows.ts): its issues' ranges are merged and sorted, so the
 * rows sorted are those of a short window rather than of the project's whole retention.
 */
export function eventPage(
  db: D1Database,
  scope: EventScope,
  environments: readonly string[],
  full: boolean,
  page: { limit: number; offset: number },
  filter: EventPageFilter = {},
  now = Date.now() / 1000,
): Promise<EventListRow[]> {
  const read = (range: TimeBounds) => {
    const { sql, params } = eventPageQuery(scope, environments, full, page, { ...filter, range });
    return all<EventListRow>(db, sql, params);
  };
  if ("issueId" in scope) return read(filter.range ?? {});
  const windows = eventWindows(filter.range ?? {}, filter.oldestFirst === true, now);
  return readThroughWindows(windows, page.limit, read);
}

/** Which event of an issue: its newest, its oldest, or one by (normalized) id. */
export type EventPick = "latest" | "oldest" | { eventId: string };

export function issueEvent(db: D1Database, issueId: number, pick: EventPick): Promise<EventTableRow | null> {
  const base = `SELECT ${EVENT_COLUMNS} FROM events ev WHERE ev.issue_id = ?`;
  if (pick === "latest")
    return first<EventTableRow>(db, `${base} ORDER BY ev.timestamp DESC, ev.event_id DESC LIMIT 1`, [
      issueId,
    ]);
  if (pick === "oldest")
    return first<EventTableRow>(db, `${base} ORDER BY ev.timestamp ASC, ev.event_id ASC LIMIT 1`, [issueId]);
  return first<EventTableRow>(db, `${base} AND ev.event_id = ?`, [issueId, pick.eventId]);
}

export function projectEvent(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<EventTableRow | null> {
  return first<EventTableRow>(
    db,
    `SELECT ${EVENT_COLUMNS} FROM events ev WHERE ev.project_id = ? AND ev.event_id = ?`,
    [projectId, eventId],
  );
}

export interface EventNeighbours {
  oldest: string | null;
  older: string | null;
  newer: string | null;
  latest: string | null;
}

/** The event's neighbours in its issue (or its project when it has none), by time then id. */
/**
 * The four statements of an event's neighbours: oldest, older, newer, latest in its issue (or among its
 * project's unissued events). The older/newer ones bound the timestamp (`<=` / `>=`) besides the tie-break
 * so the index range starts at the event instead of walking the issue's events from one end.
 */
export function eventNeighbourQueries(
  event: Pick<EventTableRow, "project_id" | "event_id" | "issue_id" | "timestamp">,
): { sql: string; params: (string | number)[] }[] {
  const scope = event.issue_id !== null ? "issue_id = ?" : "project_id = ? AND issue_id IS NULL";
  const scopeParam = event.issue_id ?? event.project_id;
  const q = (sql: string, ...params: (string | number)[]) => ({
    sql: `SELECT event_id FROM events WHERE ${scope}${sql} LIMIT 1`,
    params: [scopeParam, ...params],
  });
  const t = event.timestamp;
  return [
    q(" ORDER BY timestamp ASC, event_id ASC"),
    q(
      " AND timestamp <= ? AND (timestamp < ? OR (timestamp = ? AND event_id < ?)) ORDER BY timestamp DESC, event_id DESC",
      t,
      t,
      t,
      event.event_id,
    ),
    q(
      " AND timestamp >= ? AND (timestamp > ? OR (timestamp = ? AND event_id > ?)) ORDER BY timestamp ASC, event_id ASC",
      t,
      t,
      t,
      event.event_id,
    ),
    q(" ORDER BY timestamp DESC, event_id DESC"),
  ];
}

export async function eventNeighbours(
  db: D1Database,
  event: Pick<EventTableRow, "project_id" | "event_id" | "issue_id" | "timestamp">,
): Promise<EventNeighbours> {
  const results = await db.batch(
    eventNeighbourQueries(event).map(({ sql, params }) => db.prepare(sql).bind(...params)),
  );
  const id = (i: number) => (results[i]?.results?.[0] as { event_id: string } | undefined)?.event_id ?? null;
  return { oldest: id(0), older: id(1), newer: id(2), latest: id(3) };
}

/** The issue's fields an event's JSON shows, with its project's slug and organization. */
/** An issue's facts (from its shard `db`) with its project's slug and organization (control plane). */
export async function issueFactsOf(db: D1Database, control: D1Database, issueId: number) {
  const issue = await first<{
    id: number;
    metadata: string;
    culprit: string;
    primary_hash: string;
    project_id: number;
  }>(db, "SELECT i.id, i.metadata, i.culprit, i.primary_hash, i.project_id FROM issues i WHERE i.id = ?", [
    issueId,
  ]);
  if (!issue) return null;
  const project = await first<{ project_slug: string; organization_id: number }>(
    control,
    "SELECT slug AS project_slug, organization_id FROM projects WHERE id = ?",
    [issue.project_id],
  );
  return project ? { ...issue, ...project } : null;
}

/** The grouping hashes of an issue (an event's `fingerprints`). */
export async function issueHashes(db: D1Database, issueId: number): Promise<string[]> {
  const rows = await all<{ hash: string }>(db, "SELECT hash FROM issue_hashes WHERE issue_id = ?", [issueId]);
  return rows.map((r) => r.hash);
}

export function eventAttachments(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<AttachmentRow[]> {
  return all<AttachmentRow>(
    db,
    "SELECT id, name, content_type, attachment_type, size, blob_key FROM attachments WHERE project_id = ? AND event_id = ? ORDER BY id",
    [projectId, eventId],
  );
}

/** A trace's spans (first 2000 by start) and error events (first 200) among the projects. */
export async function traceOf(
  db: D1Database,
  projectIds: number[],
  traceId: string,
): Promise<{ spans: SpanRow[]; errors: TraceError[] }> {
  if (projectIds.length === 0) return { spans: [], errors: [] };
  const m = marks(projectIds.length);
  const [spans, errors] = await db.batch([
    db
      .prepare(
        `SELECT project_id, span_id, parent_span_id, event_id, is_segment, name, op, description, status,
           start_timestamp, end_timestamp, duration_ms, transaction_name, attributes
         FROM spans WHERE project_id IN (${m}) AND trace_id = ? ORDER BY start_timestamp LIMIT 2000`,
      )
      .bind(...projectIds, traceId),
    db
      .prepare(
        `SELECT project_id, event_id, issue_id, title, level, timestamp FROM events
         WHERE project_id IN (${m}) AND ${traceIdMatch("events")} AND type != 'transaction' ORDER BY timestamp LIMIT 200`,
      )
      .bind(...projectIds, ...traceIdMatchBinds(traceId)),
  ]);
  return { spans: (spans?.results ?? []) as SpanRow[], errors: (errors?.results ?? []) as TraceError[] };
}

/** Accepted error/default/transaction counts per project and hour since `sinceHour` (outcome counters). */
export function volumeByHour(
  db: D1Database,
  projectIds: number[],
  sinceHour: number,
): Promise<{ project_id: number; hour: number; n: number }[]> {
  if (projectIds.length === 0) return Promise.resolve([]);
  return all<{ project_id: number; hour: number; n: number }>(
    db,
    `SELECT project_id, hour, SUM(quantity) AS n FROM outcomes
     WHERE project_id IN (${marks(projectIds.length)}) AND hour >= ? AND outcome = 'accepted'
       AND category IN ('error', 'default', 'security', 'transaction')
     GROUP BY project_id, hour`,
    [...projectIds, sinceHour],
  );
}
