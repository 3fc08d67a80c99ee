// The retention sweep's deletion of expired events (docs/retention.md): error events are found through
// their issues (issues first seen before the cutoff, by issues_project_first_seen) and
// events_issue_timestamp (issue_id, timestamp); events without an issue (transactions) afterwards
// through events_unissued_project_timestamp, the partial index only they enter. A round reads
// its events in index order and deletes them, their attachment and debug-image rows and their stored
// bytes in one batch, naming index ranges instead of binding every event id. The caller holds the commit
// lock, so no commit adds rows to those ranges between the read and the deletes.
import { all, marks, type SqlParam } from "./sql.ts";
import { EVENT_BYTES_SQL, subtractStoredBytesStatement } from "./storage-usage.ts";

/** The project whose data is swept, and its organization (whose stored-bytes sum the quota reads). */
export interface SweptProject {
  projectId: number;
  organizationId: number;
}

/** What one deletion freed: rows deleted (the budget's unit), stored bytes, R2 keys to delete. */
export interface Freed {
  rows: number;
  events: number;
  bytes: number;
  blobKeys: string[];
}

/** Where the walk over a project's old issues stands: the last issue whose expired events are all gone. */
export interface IssueCursor {
  firstSeen: number;
  id: number;
}

/** Issue ids one round may name (D1 binds at most 100 parameters a statement; a round's statements add 6). */
export const ISSUES_PER_ROUND = 80;

/** A WHERE clause over `events` with its parameters. */
interface Predicate {
  sql: string;
  params: SqlParam[];
}

const changes = (results: D1Result[]): number => results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);

/** The SQL of the walk over issues: those first seen before a bound (the cutoff), in index order. */
export function oldIssuesSql(after: boolean): string {
  return `SELECT id, first_seen AS firstSeen FROM issues
    WHERE project_id = ? AND first_seen < ?${after ? " AND (first_seen, id) > (?, ?)" : ""}
    ORDER BY first_seen, id LIMIT ?`;
}

/** Up to `limit` of the project's issues first seen before `bound`, after `after` in (first_seen, id) order. */
export async function oldIssues(
  db: D1Database,
  projectId: number,
  bound: number,
  after: IssueCursor | null,
  limit: number,
): Promise<IssueCursor[]> {
  const params = after ? [projectId, bound, after.firstSeen, after.id, limit] : [projectId, bound, limit];
  return all<IssueCursor>(db, oldIssuesSql(after !== null), params);
}

interface ExpiredEvent {
  event_id: string;
  issue_id: number | null;
  timestamp: number;
  payload_key: string | null;
  bytes: number;
}

/** The SQL reading a round's expired events of `issueCount` issues, in events_issue_timestamp order. */
export function issueEventsSql(issueCount: number): string {
  return `SELECT event_id, issue_id, timestamp, payload_key, ${EVENT_BYTES_SQL} AS bytes FROM events
    WHERE issue_id IN (${marks(issueCount)}) AND timestamp < ?
    ORDER BY issue_id, timestamp, project_id, event_id LIMIT ?`;
}

/** The range of one issue's events up to (and with) the last one a round read. */
export const ISSUE_PREFIX_SQL = "issue_id = ? AND (timestamp, project_id, event_id) <= (?, ?, ?)";

/**
 * Deletes up to `limit` expired events (older than `cutoff`, unix seconds) of the given issues of the
 * project, with their attachments, debug-image rows and stored bytes; `complete` when every expired
 * event of those issues is gone. The events are read in index order (issue, timestamp, key): the
 * issues before the last one read lose all their expired events, the last one those up to its last
 * event read.
 */
export async function deleteExpiredIssueEvents(
  db: D1Database,
  owner: SweptProject,
  issueIds: number[],
  cutoff: number,
  limit: number,
): Promise<Freed & { complete: boolean }> {
  const none = { rows: 0, events: 0, bytes: 0, blobKeys: [], complete: true };
  if (issueIds.length === 0) return none;
  const events = await all<ExpiredEvent>(db, issueEventsSql(issueIds.length), [...issueIds, cutoff, limit]);
  const last = events[events.length - 1];
  if (!last) return none;
  const complete = events.length < limit;
  const touched = [...new Set(events.map((e) => e.issue_id as number))];
  // A full round ends inside its last issue: that one is deleted up to its last event read.
  const whole = complete ? touched : touched.filter((id) => id !== last.issue_id);
  const ranges: Predicate[] = [];
  if (whole.length > 0)
    ranges.push({
      sql: `issue_id IN (${marks(whole.length)}) AND timestamp < ?`,
      params: [...whole, cutoff],
    });
  if (!complete)
    ranges.push({
      sql: ISSUE_PREFIX_SQL,
      params: [last.issue_id, last.timestamp, owner.projectId, last.event_id],
    });
  return { ...(await deleteRound(db, owner, events, ranges)), complete };
}

/** The SQL reading a round's expired events without an issue, in events_unissued_project_timestamp order. */
export const UNISSUED_EVENTS_SQL = `SELECT event_id, issue_id, timestamp, payload_key, ${EVENT_BYTES_SQL} AS bytes
  FROM events WHERE project_id = ? AND issue_id IS NULL AND timestamp < ?
  ORDER BY timestamp, event_id LIMIT ?`;

/** The range of the project's events without an issue up to (and with) the last one a round read. */
export const UNISSUED_PREFIX_SQL = "project_id = ? AND issue_id IS NULL AND (timestamp, event_id) <= (?, ?)";

/**
 * Deletes up to `limit` of the project's expired events without an issue (transactions), oldest first,
 * with their attachments, debug-image rows and stored bytes; null when none is left.
 */
export async function deleteExpiredUnissuedEvents(
  db: D1Database,
  owner: SweptProject,
  cutoff: number,
  limit: number,
): Promise<Freed | null> {
  const events = await all<ExpiredEvent>(db, UNISSUED_EVENTS_SQL, [owner.projectId, cutoff, limit]);
  const last = events[events.length - 1];
  if (!last) return null;
  const range = { sql: UNISSUED_PREFIX_SQL, params: [owner.projectId, last.timestamp, last.event_id] };
  return deleteRound(db, owner, events, [range]);
}

/** The project's events of the round's ranges, as a subquery of event ids (for attachments and debug images). */
function eventIdsIn(ranges: Predicate[]): Predicate {
  return {
    sql: ranges.map((r) => `SELECT event_id FROM events WHERE ${r.sql}`).join(" UNION ALL "),
    params: ranges.flatMap((r) => r.params),
  };
}

/** Deletes the round's events (exactly the rows of `ranges`) with their side rows and bytes. */
async function deleteRound(
  db: D1Database,
  owner: SweptProject,
  events: ExpiredEvent[],
  ranges: Predicate[],
): Promise<Freed> {
  const { projectId } = owner;
  const freed: Freed = { rows: 0, events: events.length, bytes: 0, blobKeys: [] };
  for (const e of events) {
    freed.bytes += e.bytes;
    if (e.payload_key) freed.blobKeys.push(e.payload_key);
  }
  const ids = eventIdsIn(ranges);
  const inRound = `project_id = ? AND event_id IN (${ids.sql})`;
  const inRoundParams = [projectId, ...ids.params];
  const attachments = await all<{ blob_key: string; size: number }>(
    db,
    `SELECT blob_key, size FROM attachments WHERE ${inRound}`,
    inRoundParams,
  );
  for (const a of attachments) {
    freed.bytes += a.size;
    freed.blobKeys.push(a.blob_key);
  }
  const results = await db.batch([
    subtractStoredBytesStatement(db, projectId, freed.bytes),
    db.prepare(`DELETE FROM attachments WHERE ${inRound}`).bind(...inRoundParams),
    db.prepare(`DELETE FROM event_debug_images WHERE ${inRound}`).bind(...inRoundParams),
    ...ranges.map((r) => db.prepare(`DELETE FROM events WHERE ${r.sql}`).bind(...r.params)),
  ]);
  // The counter's own row is not a deleted one.
  freed.rows = changes(results.slice(1));
  return freed;
}
