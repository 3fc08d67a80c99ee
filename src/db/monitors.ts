// Cron monitors in D1: the monitors (per organization by slug), their state per environment, and their
// runs (check-ins, missed runs and timeouts). Written by the project Durable Object (check-ins, alarms)
// and the monitor API.
import type { EnvironmentState } from "../protocol/monitors/monitor-state.ts";
import type { monitorCheckIns, monitorEnvironments, monitors } from "./schema.ts";

export type MonitorRow = typeof monitors.$inferSelect;
export type MonitorEnvironmentRow = typeof monitorEnvironments.$inferSelect;
export type MonitorCheckInRow = typeof monitorCheckIns.$inferSelect;

const MONITOR_COLUMNS = `id, organization_id AS organizationId, project_id AS projectId, slug, name, status, config,
  created_at AS createdAt`;
const ENV_COLUMNS = `id, monitor_id AS monitorId, project_id AS projectId, environment, status,
  last_check_in AS lastCheckIn, next_check_in AS nextCheckIn, next_check_in_latest AS nextCheckInLatest,
  failures, successes, issue_open AS issueOpen, created_at AS createdAt`;
const CHECK_IN_COLUMNS = `id, project_id AS projectId, monitor_id AS monitorId, environment, check_in_id AS checkInId,
  status, duration, date_added AS dateAdded, date_updated AS dateUpdated, expected_time AS expectedTime,
  timeout_at AS timeoutAt, trace_id AS traceId`;

export async function findMonitor(
  db: D1Database,
  organizationId: number,
  slug: string,
): Promise<MonitorRow | null> {
  return db
    .prepare(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE organization_id = ? AND slug = ?`)
    .bind(organizationId, slug)
    .first<MonitorRow>();
}

export async function monitorById(db: D1Database, id: number): Promise<MonitorRow | null> {
  return db.prepare(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE id = ?`).bind(id).first<MonitorRow>();
}

/** The organization's monitors (of these projects), by name. */
export async function listMonitors(
  db: D1Database,
  organizationId: number,
  projectIds: readonly number[],
): Promise<MonitorRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${MONITOR_COLUMNS} FROM monitors WHERE organization_id = ?
       AND project_id IN (SELECT value FROM json_each(?)) ORDER BY name, id`,
    )
    .bind(organizationId, JSON.stringify(projectIds))
    .all<MonitorRow>();
  return results;
}

/** Creates the monitor unless its slug is taken in the organization; answers the stored row either way. */
export async function insertMonitor(
  db: D1Database,
  m: Pick<MonitorRow, "organizationId" | "projectId" | "slug" | "name" | "config" | "status">,
  now: number,
): Promise<{ row: MonitorRow; created: boolean }> {
  const created = await db
    .prepare(
      `INSERT INTO monitors (organization_id, project_id, slug, name, status, config, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (organization_id, slug) DO NOTHING RETURNING ${MONITOR_COLUMNS}`,
    )
    .bind(m.organizationId, m.projectId, m.slug, m.name, m.status, m.config, now)
    .first<MonitorRow>();
  if (created) return { row: created, created: true };
  const found = await findMonitor(db, m.organizationId, m.slug);
  if (!found) throw new Error("monitor vanished while being created");
  return { row: found, created: false };
}

export async function updateMonitor(
  db: D1Database,
  id: number,
  fields: Partial<Pick<MonitorRow, "slug" | "name" | "config" | "status">>,
): Promise<void> {
  const sets: string[] = [];
  const values: (string | number)[] = [];
  for (const [column, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    values.push(value);
  }
  if (sets.length === 0) return;
  await db
    .prepare(`UPDATE monitors SET ${sets.join(", ")} WHERE id = ?`)
    .bind(...values, id)
    .run();
}

export async function deleteMonitor(db: D1Database, id: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM monitor_check_ins WHERE monitor_id = ?").bind(id),
    db.prepare("DELETE FROM monitor_environments WHERE monitor_id = ?").bind(id),
    db.prepare("DELETE FROM monitors WHERE id = ?").bind(id),
  ]);
}

export async function environmentsOf(
  db: D1Database,
  monitorIds: readonly number[],
): Promise<MonitorEnvironmentRow[]> {
  if (monitorIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT ${ENV_COLUMNS} FROM monitor_environments WHERE monitor_id IN (SELECT value FROM json_each(?))
       ORDER BY environment`,
    )
    .bind(JSON.stringify(monitorIds))
    .all<MonitorEnvironmentRow>();
  return results;
}

/** The monitor's state in `environment`, created (status active) the first time. */
export async function environmentOf(
  db: D1Database,
  monitor: MonitorRow,
  environment: string,
  now: number,
): Promise<MonitorEnvironmentRow> {
  await db
    .prepare(
      `INSERT INTO monitor_environments (monitor_id, project_id, environment, status, created_at)
       VALUES (?, ?, ?, 'active', ?) ON CONFLICT (monitor_id, environment) DO NOTHING`,
    )
    .bind(monitor.id, monitor.projectId, environment, now)
    .run();
  const row = await db
    .prepare(`SELECT ${ENV_COLUMNS} FROM monitor_environments WHERE monitor_id = ? AND environment = ?`)
    .bind(monitor.id, environment)
    .first<MonitorEnvironmentRow>();
  if (!row) throw new Error("monitor environment vanished");
  return row;
}

export function stateOf(row: MonitorEnvironmentRow): EnvironmentState {
  return {
    status: row.status as EnvironmentState["status"],
    lastCheckIn: row.lastCheckIn,
    nextCheckIn: row.nextCheckIn,
    nextCheckInLatest: row.nextCheckInLatest,
    failures: row.failures,
    successes: row.successes,
    issueOpen: row.issueOpen === 1,
  };
}

export function writeEnvironmentState(db: D1Database, id: number, s: EnvironmentState): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE monitor_environments SET status = ?, last_check_in = ?, next_check_in = ?, next_check_in_latest = ?,
         failures = ?, successes = ?, issue_open = ? WHERE id = ?`,
    )
    .bind(
      s.status,
      s.lastCheckIn,
      s.nextCheckIn,
      s.nextCheckInLatest,
      s.failures,
      s.successes,
      s.issueOpen ? 1 : 0,
      id,
    );
}

export async function findCheckIn(
  db: D1Database,
  monitorId: number,
  checkInId: string,
): Promise<MonitorCheckInRow | null> {
  return db
    .prepare(`SELECT ${CHECK_IN_COLUMNS} FROM monitor_check_ins WHERE monitor_id = ? AND check_in_id = ?`)
    .bind(monitorId, checkInId)
    .first<MonitorCheckInRow>();
}

export function insertMonitorCheckIn(db: D1Database, c: Omit<MonitorCheckInRow, "id">): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO monitor_check_ins (project_id, monitor_id, environment, check_in_id, status, duration, date_added,
         date_updated, expected_time, timeout_at, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (monitor_id, check_in_id) DO NOTHING`,
    )
    .bind(
      c.projectId,
      c.monitorId,
      c.environment,
      c.checkInId,
      c.status,
      c.duration,
      c.dateAdded,
      c.dateUpdated,
      c.expectedTime,
      c.timeoutAt,
      c.traceId,
    );
}

/** The newest run of a monitor's environment still in progress: what a check-in with the nil id ends. */
export function latestRunInProgress(
  db: D1Database,
  monitorId: number,
  environment: string,
): Promise<MonitorCheckInRow | null> {
  return db
    .prepare(
      `SELECT ${CHECK_IN_COLUMNS} FROM monitor_check_ins WHERE monitor_id = ? AND environment = ? AND status = 'in_progress'
       ORDER BY date_added DESC, id DESC LIMIT 1`,
    )
    .bind(monitorId, environment)
    .first<MonitorCheckInRow>();
}

/** Ends a run in progress (ok, error or timeout); it no longer has a timeout deadline. */
export function finishCheckIn(
  db: D1Database,
  id: number,
  status: string,
  duration: number | null,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE monitor_check_ins SET status = ?, duration = ?, date_updated = ?, timeout_at = NULL WHERE id = ?",
    )
    .bind(status, duration, now, id);
}

/** Environments of the project whose next run's deadline passed, with their monitor's config. */
export async function overdueEnvironments(
  db: D1Database,
  projectId: number,
  now: number,
): Promise<(MonitorEnvironmentRow & { config: string; slug: string; name: string })[]> {
  const { results } = await db
    .prepare(
      `SELECT e.id, e.monitor_id AS monitorId, e.project_id AS projectId, e.environment, e.status,
         e.last_check_in AS lastCheckIn, e.next_check_in AS nextCheckIn, e.next_check_in_latest AS nextCheckInLatest,
         e.failures, e.successes, e.issue_open AS issueOpen, e.created_at AS createdAt, m.config, m.slug, m.name
       FROM monitor_environments e JOIN monitors m ON m.id = e.monitor_id
       WHERE e.project_id = ? AND e.next_check_in_latest <= ? AND m.status = 'active'`,
    )
    .bind(projectId, now)
    .all<MonitorEnvironmentRow & { config: string; slug: string; name: string }>();
  return results;
}

/** Runs of the project in progress past their timeout. */
export async function timedOutCheckIns(
  db: D1Database,
  projectId: number,
  now: number,
): Promise<MonitorCheckInRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${CHECK_IN_COLUMNS} FROM monitor_check_ins WHERE project_id = ? AND timeout_at IS NOT NULL AND timeout_at <= ?`,
    )
    .bind(projectId, now)
    .all<MonitorCheckInRow>();
  return results;
}

/** The project's next monitor deadline: a run's latest check-in time, or a run's timeout. */
export async function nextMonitorDeadline(db: D1Database, projectId: number): Promise<number | null> {
  const row = await db
    .prepare(
      `SELECT MIN(t) AS at FROM (
         SELECT MIN(e.next_check_in_latest) AS t FROM monitor_environments e JOIN monitors m ON m.id = e.monitor_id
           WHERE e.project_id = ?1 AND m.status = 'active'
         UNION ALL
         SELECT MIN(timeout_at) AS t FROM monitor_check_ins WHERE project_id = ?1 AND timeout_at IS NOT NULL)`,
    )
    .bind(projectId)
    .first<{ at: number | null }>();
  return row?.at ?? null;
}

/** The monitor's latest runs (of one environment, or all), newest first. */
export async function recentCheckIns(
  db: D1Database,
  monitorId: number,
  environment: string | null,
  limit: number,
  offset = 0,
): Promise<MonitorCheckInRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${CHECK_IN_COLUMNS} FROM monitor_check_ins WHERE monitor_id = ? AND (?2 IS NULL OR environment = ?2)
       ORDER BY date_added DESC, id DESC LIMIT ? OFFSET ?`,
    )
    .bind(monitorId, environment, limit, offset)
    .all<MonitorCheckInRow>();
  return results;
}

/** One bucket × status of a monitor's finished runs: how many, and their durations' sum and count. */
export interface CheckInBucketRow {
  bucket: number;
  status: string;
  n: number;
  durationSum: number | null;
  durations: number;
}

/**
 * A monitor's ok, error, missed and timed-out runs added in (since, until], counted per `rollup`-second
 * bucket (unix seconds, a multiple of the rollup) and status, of some environments or all.
 */
export async function checkInBuckets(
  db: D1Database,
  monitorId: number,
  environments: readonly string[],
  range: { since: number; until: number; rollup: number },
): Promise<CheckInBucketRow[]> {
  const { results } = await db
    .prepare(
      `SELECT CAST(date_added / ?1 AS INTEGER) * ?1 AS bucket, status, COUNT(*) AS n,
         SUM(duration) AS durationSum, COUNT(duration) AS durations
       FROM monitor_check_ins
       WHERE monitor_id = ?2 AND date_added > ?3 AND date_added <= ?4
         AND status IN ('ok', 'error', 'missed', 'timeout')
         AND (json_array_length(?5) = 0 OR environment IN (SELECT value FROM json_each(?5)))
       GROUP BY bucket, status`,
    )
    .bind(range.rollup, monitorId, range.since, range.until, JSON.stringify(environments))
    .all<CheckInBucketRow>();
  return results;
}

/** The issue a grouping hash belongs to, with its status (a monitor's issue is found by its hash). */
export async function issueOfHash(
  db: D1Database,
  projectId: number,
  hash: string,
): Promise<{ id: number; status: string; shortId: number | null } | null> {
  return db
    .prepare(
      `SELECT i.id, i.status, i.short_id AS shortId FROM issue_hashes h JOIN issues i ON i.id = h.issue_id
       WHERE h.project_id = ? AND h.hash = ?`,
    )
    .bind(projectId, hash)
    .first<{ id: number; status: string; shortId: number | null }>();
}

/** Writes a run's statements (its check-in row and the environment's new state) in one transaction. */
export async function writeMonitorRun(db: D1Database, statements: D1PreparedStatement[]): Promise<void> {
  if (statements.length > 0) await db.batch(statements);
}
