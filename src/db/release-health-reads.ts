// Reads of the release health counters (release_health_hours / release_health_users) over a time
// range: the rows the sessions API and the releases' healthData sum. Hours are unix seconds of the
// hour; [start, end) in seconds.
import type { HealthCountRow, HealthDurationRow, HealthUserRow } from "../protocol/health/sessions-query.ts";

export interface HealthFilter {
  projectIds: readonly number[];
  start: number;
  end: number;
  /** Empty: any release / environment. */
  releases: readonly string[];
  environments: readonly string[];
}

const WHERE = `project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3
  AND (?4 = '[]' OR release IN (SELECT value FROM json_each(?4)))
  AND (?5 = '[]' OR environment IN (SELECT value FROM json_each(?5)))`;

function bindFilter(
  statement: D1PreparedStatement,
  f: HealthFilter,
  ...extra: number[]
): D1PreparedStatement {
  return statement.bind(
    JSON.stringify(f.projectIds),
    f.start,
    f.end,
    JSON.stringify(f.releases),
    JSON.stringify(f.environments),
    ...extra,
  );
}

export async function healthCountRows(db: D1Database, f: HealthFilter): Promise<HealthCountRow[]> {
  if (f.projectIds.length === 0) return [];
  const { results } = await bindFilter(
    db.prepare(
      `SELECT project_id AS projectId, hour, release, environment, healthy, errored, abnormal, unhandled, crashed
       FROM release_health_hours WHERE ${WHERE}`,
    ),
    f,
  ).all<HealthCountRow>();
  return results;
}

export async function healthUserRows(db: D1Database, f: HealthFilter): Promise<HealthUserRow[]> {
  if (f.projectIds.length === 0) return [];
  const { results } = await bindFilter(
    db.prepare(
      `SELECT project_id AS projectId, hour, release, environment, user_hash AS userHash, status
       FROM release_health_users WHERE ${WHERE}`,
    ),
    f,
  ).all<HealthUserRow>();
  return results;
}

/** Sessions (and crashed ones) in [start, end) per project and release, or per project (release ''). */
export interface SessionTotals {
  projectId: number;
  release: string;
  sessions: number;
  crashed: number;
  errored: number;
}

export async function sessionTotals(
  db: D1Database,
  f: HealthFilter,
  by: "release" | "project",
): Promise<SessionTotals[]> {
  if (f.projectIds.length === 0) return [];
  const release = by === "release" ? "release" : "''";
  const { results } = await bindFilter(
    db.prepare(
      `SELECT project_id AS projectId, ${release} AS release,
         SUM(healthy + errored + abnormal + unhandled + crashed) AS sessions, SUM(crashed) AS crashed,
         SUM(errored + abnormal + unhandled) AS errored
       FROM release_health_hours WHERE ${WHERE} GROUP BY project_id, ${release}`,
    ),
    f,
  ).all<SessionTotals>();
  return results;
}

/** Distinct users (and users with a crashed session) in [start, end), per project and release or per project. */
export interface UserTotals {
  projectId: number;
  release: string;
  users: number;
  crashedUsers: number;
}

export async function userTotals(
  db: D1Database,
  f: HealthFilter,
  by: "release" | "project",
  crashedRank: number,
): Promise<UserTotals[]> {
  if (f.projectIds.length === 0) return [];
  const release = by === "release" ? "release" : "''";
  const { results } = await bindFilter(
    db.prepare(
      `SELECT projectId, release, COUNT(*) AS users, SUM(worst >= ?6) AS crashedUsers FROM (
         SELECT project_id AS projectId, ${release} AS release, user_hash, MAX(status) AS worst
         FROM release_health_users WHERE ${WHERE} GROUP BY project_id, ${release}, user_hash)
       GROUP BY projectId, release`,
    ),
    f,
    crashedRank,
  ).all<UserTotals>();
  return results;
}

/** Sessions per project, release and hour in [start, end). */
export async function sessionHours(
  db: D1Database,
  f: HealthFilter,
): Promise<{ projectId: number; release: string; hour: number; sessions: number }[]> {
  if (f.projectIds.length === 0) return [];
  const { results } = await bindFilter(
    db.prepare(
      `SELECT project_id AS projectId, release, hour, SUM(healthy + errored + abnormal + unhandled + crashed) AS sessions
       FROM release_health_hours WHERE ${WHERE} GROUP BY project_id, release, hour`,
    ),
    f,
  ).all<{ projectId: number; release: string; hour: number; sessions: number }>();
  return results;
}

/** Which (project, release) pairs have any counted session in [start, end): Sentry's `hasHealthData`. */
export async function releasesWithHealth(db: D1Database, f: HealthFilter): Promise<Set<string>> {
  if (f.projectIds.length === 0 || f.releases.length === 0) return new Set();
  const { results } = await bindFilter(
    db.prepare(`SELECT DISTINCT project_id AS projectId, release FROM release_health_hours WHERE ${WHERE}`),
    f,
  ).all<{ projectId: number; release: string }>();
  return new Set(results.map((r) => `${r.projectId}\u0000${r.release}`));
}

/** Releases with sessions since `since` per project, the most recently active first. */
export async function recentHealthReleases(
  db: D1Database,
  projectIds: readonly number[],
  since: number,
): Promise<{ projectId: number; release: string; lastHour: number }[]> {
  if (projectIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT project_id AS projectId, release, MAX(hour) AS lastHour FROM release_health_hours
       WHERE project_id IN (SELECT value FROM json_each(?)) AND hour >= ?
       GROUP BY project_id, release ORDER BY lastHour DESC, release DESC LIMIT 500`,
    )
    .bind(JSON.stringify(projectIds), since)
    .all<{ projectId: number; release: string; lastHour: number }>();
  return results;
}

export async function healthDurationRows(db: D1Database, f: HealthFilter): Promise<HealthDurationRow[]> {
  if (f.projectIds.length === 0) return [];
  const { results } = await bindFilter(
    db.prepare(
      `SELECT project_id AS projectId, hour, release, environment, bucket, n FROM release_health_durations WHERE ${WHERE}`,
    ),
    f,
  ).all<HealthDurationRow>();
  return results;
}
