// D1 statements of a group commit for release health: the hourly counters by status (added to, so
// concurrent hours and releases never read-modify-write), and users per hour with their worst status
// (only ever raised; an unchanged user writes no row).
import type { CounterDelta, DurationDelta, UserStatus } from "../protocol/health/session-counting.ts";

export function addHealthCounters(db: D1Database, projectId: number, d: CounterDelta): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO release_health_hours (project_id, hour, release, environment, healthy, errored, abnormal,
         unhandled, crashed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, hour, release, environment) DO UPDATE SET
         healthy = healthy + excluded.healthy, errored = errored + excluded.errored,
         abnormal = abnormal + excluded.abnormal, unhandled = unhandled + excluded.unhandled,
         crashed = crashed + excluded.crashed`,
    )
    .bind(
      projectId,
      d.hour,
      d.release,
      d.environment,
      d.healthy,
      d.errored,
      d.abnormal,
      d.unhandled,
      d.crashed,
    );
}

export function raiseHealthUser(db: D1Database, projectId: number, u: UserStatus): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO release_health_users (project_id, hour, release, environment, user_hash, status)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, hour, release, environment, user_hash) DO UPDATE SET status = excluded.status
       WHERE excluded.status > status`,
    )
    .bind(projectId, u.hour, u.release, u.environment, u.userHash, u.rank);
}

export function addHealthDurations(db: D1Database, projectId: number, d: DurationDelta): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO release_health_durations (project_id, hour, release, environment, bucket, n) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, hour, release, environment, bucket) DO UPDATE SET n = n + excluded.n`,
    )
    .bind(projectId, d.hour, d.release, d.environment, d.bucket, d.n);
}
