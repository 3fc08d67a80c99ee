// The retention sweep's D1 statements (docs/retention.md): a project's expired events with their
// attachments (and the R2 keys and stored bytes they free), issues whose last event expired, and the
// time-bounded telemetry tables. Each call deletes a bounded number of rows and answers how many, so the
// sweep (src/project/retention.ts) can keep within its hourly row budget.
import { all, chunks, first, marks } from "./sql.ts";
import { EVENT_BYTES_SQL, subtractStoredBytesStatement } from "./storage-usage.ts";

/** The project whose data is swept, and its organization (whose stored-bytes sum the quota reads). */
export interface SweptProject {
  projectId: number;
  organizationId: number;
}

/** The project's retention setting (null: the default) and its organization; null when it is gone. */
export async function readProjectRetention(
  db: D1Database,
  projectId: number,
): Promise<{ organizationId: number; retentionDays: number | null } | null> {
  return first(
    db,
    "SELECT organization_id AS organizationId, retention_days AS retentionDays FROM projects WHERE id = ?",
    [projectId],
  );
}

/** What one deletion freed: rows deleted (the budget's unit), stored bytes, R2 keys to delete. */
export interface Freed {
  rows: number;
  events: number;
  bytes: number;
  blobKeys: string[];
}

const changes = (results: D1Result[]): number => results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);

/**
 * Deletes up to `limit` of the project's events older than `cutoff` (unix seconds) with their
 * attachment and debug-image rows, and subtracts their bytes from the project's counter in the same
 * transaction; null when none is left. The events are taken oldest first through the (project,
 * timestamp) index, whose entries end with the event id: the round's events are exactly those up to the
 * last one read, so the deletes name a range instead of binding every id. The caller holds the commit
 * lock, so no commit adds rows to that range between the read and the deletes.
 */
export async function deleteExpiredEvents(
  db: D1Database,
  owner: SweptProject,
  cutoff: number,
  limit: number,
): Promise<Freed | null> {
  const { projectId } = owner;
  const events = await all<{
    event_id: string;
    timestamp: number;
    payload_key: string | null;
    bytes: number;
  }>(
    db,
    `SELECT event_id, timestamp, payload_key, ${EVENT_BYTES_SQL} AS bytes
     FROM events WHERE project_id = ? AND timestamp < ? ORDER BY timestamp, event_id LIMIT ?`,
    [projectId, cutoff, limit],
  );
  const last = events[events.length - 1];
  if (!last) return null;
  const freed: Freed = { rows: 0, events: events.length, bytes: 0, blobKeys: [] };
  for (const e of events) {
    freed.bytes += e.bytes;
    if (e.payload_key) freed.blobKeys.push(e.payload_key);
  }
  // A row-value range: the index scan stops at the last event read (ties on the timestamp included).
  const range = "project_id = ?1 AND (timestamp, event_id) <= (?2, ?3)";
  const inRange = `project_id = ?1 AND event_id IN (SELECT event_id FROM events WHERE ${range})`;
  const params = [projectId, last.timestamp, last.event_id];
  const attachments = await all<{ blob_key: string; size: number }>(
    db,
    `SELECT blob_key, size FROM attachments WHERE ${inRange}`,
    params,
  );
  for (const a of attachments) {
    freed.bytes += a.size;
    freed.blobKeys.push(a.blob_key);
  }
  const results = await db.batch([
    subtractStoredBytesStatement(db, projectId, freed.bytes),
    db.prepare(`DELETE FROM attachments WHERE ${inRange}`).bind(...params),
    db.prepare(`DELETE FROM event_debug_images WHERE ${inRange}`).bind(...params),
    db.prepare(`DELETE FROM events WHERE ${range}`).bind(...params),
  ]);
  // The counter's own row is not a deleted one.
  freed.rows = changes(results.slice(1));
  return freed;
}

/** Up to `limit` (≤ 90) issues of the project whose last event is older than `cutoff` and that have no event left. */
export async function expiredIssueIds(
  db: D1Database,
  projectId: number,
  cutoff: number,
  limit: number,
): Promise<number[]> {
  const rows = await all<{ id: number }>(
    db,
    `SELECT id FROM issues WHERE project_id = ? AND last_seen < ?
       AND NOT EXISTS (SELECT 1 FROM events WHERE events.issue_id = issues.id) LIMIT ?`,
    [projectId, cutoff, Math.min(limit, 90)],
  );
  return rows.map((r) => r.id);
}

/** Deletes the issues (≤ 90) with their hashes, users, tag values and alert deliveries; answers the rows deleted. */
export async function deleteIssuesWithRows(
  db: D1Database,
  projectId: number,
  issueIds: number[],
): Promise<number> {
  if (issueIds.length === 0) return 0;
  const m = marks(issueIds.length);
  const results = await db.batch([
    db.prepare(`DELETE FROM issue_hashes WHERE issue_id IN (${m})`).bind(...issueIds),
    db.prepare(`DELETE FROM issue_users WHERE issue_id IN (${m})`).bind(...issueIds),
    db.prepare(`DELETE FROM issue_tag_values WHERE issue_id IN (${m})`).bind(...issueIds),
    db
      .prepare(`DELETE FROM alert_deliveries WHERE project_id = ? AND issue_id IN (${m})`)
      .bind(projectId, ...issueIds),
    db.prepare(`DELETE FROM issues WHERE project_id = ? AND id IN (${m})`).bind(projectId, ...issueIds),
  ]);
  return changes(results);
}

/**
 * A time-bounded table: its rows older than the cutoff, found through `key` (the columns that name a
 * row: rowid, or a WITHOUT ROWID table's primary key after project_id), `time` (unix seconds).
 */
interface TimedTable {
  table: string;
  key: string;
  time: string;
}

/** Every project table retention bounds by time besides events and issues (spans: see expired spans). */
export const TIMED_TABLES: readonly TimedTable[] = [
  { table: "logs", key: "rowid", time: "timestamp" },
  { table: "log_volume", key: "slot, level", time: "slot" },
  { table: "session_updates", key: "rowid", time: "started" },
  { table: "session_aggregates", key: "rowid", time: "started" },
  { table: "release_health_hours", key: "hour, release, environment", time: "hour" },
  { table: "release_health_users", key: "hour, release, environment, user_hash", time: "hour" },
  { table: "release_health_durations", key: "hour, release, environment, bucket", time: "hour" },
  { table: "outcomes", key: "hour, category, outcome, reason", time: "hour" },
  { table: "dropped_events", key: "event_id, at", time: "at" },
  { table: "user_reports", key: "rowid", time: "created_at" },
  { table: "feedback", key: "rowid", time: "timestamp" },
  { table: "check_ins", key: "rowid", time: "timestamp" },
  { table: "monitor_check_ins", key: "rowid", time: "date_added" },
];

/** Deletes up to `limit` expired rows of one timed table; answers the rows deleted. */
export async function deleteExpiredRows(
  db: D1Database,
  spec: TimedTable,
  projectId: number,
  cutoff: number,
  limit: number,
): Promise<number> {
  const key = spec.key === "rowid" ? "rowid" : `(${spec.key})`;
  const projectKey = spec.key === "rowid" ? "" : "project_id = ? AND";
  const params = spec.key === "rowid" ? [projectId, cutoff, limit] : [projectId, projectId, cutoff, limit];
  const result = await db
    .prepare(
      `DELETE FROM ${spec.table} WHERE ${projectKey} ${key} IN
         (SELECT ${spec.key} FROM ${spec.table} WHERE project_id = ? AND ${spec.time} < ? LIMIT ?)`,
    )
    .bind(...params)
    .run();
  return result.meta.changes ?? 0;
}

/** Deletes up to `limit` expired raw items (their bytes off the counter); answers the rows, bytes and R2 keys. */
export async function deleteExpiredRawItems(
  db: D1Database,
  owner: SweptProject,
  cutoff: number,
  limit: number,
): Promise<Freed> {
  const { projectId } = owner;
  const rows = await all<{ id: number; size: number; blob_key: string }>(
    db,
    "SELECT id, size, blob_key FROM raw_items WHERE project_id = ? AND received < ? LIMIT ?",
    [projectId, cutoff, limit],
  );
  const freed: Freed = { rows: 0, events: 0, bytes: 0, blobKeys: [] };
  for (const part of chunks(rows)) {
    const bytes = part.reduce((n, r) => n + r.size, 0);
    const [, deleted] = await db.batch([
      subtractStoredBytesStatement(db, projectId, bytes),
      db.prepare(`DELETE FROM raw_items WHERE id IN (${marks(part.length)})`).bind(...part.map((r) => r.id)),
    ]);
    freed.rows += deleted?.meta.changes ?? 0;
    freed.bytes += bytes;
    freed.blobKeys.push(...part.map((r) => r.blob_key));
  }
  return freed;
}

/**
 * Deletes the expired spans of up to `limit` expired trace segments (found through the segment index;
 * the trace's spans older than the cutoff go with them); answers the rows deleted.
 */
export async function deleteExpiredSpans(
  db: D1Database,
  projectId: number,
  cutoff: number,
  limit: number,
): Promise<number> {
  const traces = await all<{ trace_id: string }>(
    db,
    `SELECT DISTINCT trace_id FROM spans WHERE project_id = ? AND is_segment = 1 AND start_timestamp < ? LIMIT ?`,
    [projectId, cutoff, Math.max(1, Math.floor(limit / 10))],
  );
  let rows = 0;
  for (const part of chunks(
    traces.map((t) => t.trace_id),
    80,
  )) {
    const result = await db
      .prepare(
        `DELETE FROM spans WHERE project_id = ? AND trace_id IN (${marks(part.length)}) AND start_timestamp < ?`,
      )
      .bind(projectId, ...part, cutoff)
      .run();
    rows += result.meta.changes ?? 0;
  }
  return rows;
}
