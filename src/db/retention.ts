// The retention sweep's D1 statements (docs/retention.md): the project's retention, issues whose last
// event expired, raw items, spans and the time-bounded telemetry tables (expired events: see
// retention-events.ts). Each call deletes a bounded number of rows and answers how many, so the
// sweep (src/project/retention.ts) can keep within its hourly row budget.
import type { Freed, SweptProject } from "./retention-events.ts";
import { all, chunks, first, marks } from "./sql.ts";
import { subtractStoredBytesStatement } from "./storage-usage.ts";

export {
  deleteExpiredIssueEvents,
  deleteExpiredUnissuedEvents,
  type Freed,
  ISSUES_PER_ROUND,
  type IssueCursor,
  oldIssues,
  type SweptProject,
} from "./retention-events.ts";

const changes = (results: D1Result[]): number => results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);

/** The project's and its organization's retention settings (null: the default); null when the project is gone. */
export async function readProjectRetention(
  db: D1Database,
  projectId: number,
): Promise<{ organizationId: number; retentionDays: number | null; orgRetentionDays: number | null } | null> {
  return first(
    db,
    `SELECT p.organization_id AS organizationId, p.retention_days AS retentionDays,
       o.retention_days AS orgRetentionDays
     FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.id = ?`,
    [projectId],
  );
}

/** The SQL of expiredIssueIds: through issues_project_first_seen (an issue's first event is no later than its last). */
export const EXPIRED_ISSUES_SQL = `SELECT id FROM issues WHERE project_id = ?1 AND first_seen < ?2 AND last_seen < ?2
  AND NOT EXISTS (SELECT 1 FROM events WHERE events.issue_id = issues.id) LIMIT ?3`;

/** Up to `limit` (≤ 90) issues of the project whose last event is older than `cutoff` and that have no event left. */
export async function expiredIssueIds(
  db: D1Database,
  projectId: number,
  cutoff: number,
  limit: number,
): Promise<number[]> {
  const rows = await all<{ id: number }>(db, EXPIRED_ISSUES_SQL, [projectId, cutoff, Math.min(limit, 90)]);
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
