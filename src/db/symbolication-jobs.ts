// Late-file jobs (`symbolication_jobs`): one per (project, debug id or `code:<code id>`), worked through
// by src/symbol-service/late-jobs.ts under a lease token; every write of a run is conditional on it.
import type { symbolicationJobs } from "./schema.ts";

type JobRow = typeof symbolicationJobs.$inferSelect;
/** What a run needs of a job it holds. */
export type HeldJob = Pick<JobRow, "debugId" | "cursor" | "done" | "recheckAt">;

/**
 * Starts (or restarts from the beginning) the jobs for these keys: a restart takes the job from a run
 * still holding it and moves its last pass to `recheckAt` again. Times in seconds.
 */
export async function enqueueJobs(
  db: D1Database,
  projectId: number,
  keys: readonly string[],
  now: number,
  recheckAt: number,
): Promise<void> {
  if (keys.length === 0) return;
  await db.batch(
    keys.map((key) =>
      db
        .prepare(
          `INSERT INTO symbolication_jobs (project_id, debug_id, state, cursor, done, created_at, updated_at, recheck_at)
           VALUES (?, ?, 'pending', '', 0, ?, ?, ?)
           ON CONFLICT (project_id, debug_id) DO UPDATE SET state = 'pending', cursor = '', lease_token = NULL,
             lease_until = NULL, updated_at = excluded.updated_at, recheck_at = excluded.recheck_at`,
        )
        .bind(projectId, key, now, now, recheckAt),
    ),
  );
}

/** Takes a pending job nobody holds (or whose lease lapsed) until `leaseUntil`; null otherwise. */
export async function acquireJob(
  db: D1Database,
  projectId: number,
  key: string,
  token: string,
  now: number,
  leaseUntil: number,
): Promise<HeldJob | null> {
  return db
    .prepare(
      `UPDATE symbolication_jobs SET lease_token = ?, lease_until = ?, updated_at = ?
       WHERE project_id = ? AND debug_id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
       RETURNING debug_id AS debugId, cursor, done, recheck_at AS recheckAt`,
    )
    .bind(token, leaseUntil, now, projectId, key, now)
    .first<HeldJob>();
}

/** Keys of pending jobs a run may take now (at most `limit`). */
export async function runnableJobKeys(
  db: D1Database,
  projectId: number,
  now: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT debug_id FROM symbolication_jobs
       WHERE project_id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?) LIMIT ?`,
    )
    .bind(projectId, now, limit)
    .all<{ debug_id: string }>();
  return results.map((r) => r.debug_id);
}

/** Pending jobs of the project and the earliest lease end among them (0 for an unheld one). */
export async function pendingJobs(
  db: D1Database,
  projectId: number,
): Promise<{ count: number; leaseEnd: number }> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS n, MIN(COALESCE(lease_until, 0)) AS at FROM symbolication_jobs
       WHERE project_id = ? AND state = 'pending'`,
    )
    .bind(projectId)
    .first<{ n: number; at: number | null }>();
  return { count: row?.n ?? 0, leaseEnd: row?.at ?? 0 };
}

/** Saves a held job's progress and extends its lease; false when the job was taken or restarted. */
export async function saveJobProgress(
  db: D1Database,
  projectId: number,
  key: string,
  token: string,
  progress: Pick<JobRow, "cursor" | "done" | "recheckAt" | "leaseUntil" | "updatedAt">,
): Promise<boolean> {
  const kept = await db
    .prepare(
      `UPDATE symbolication_jobs SET cursor = ?, done = ?, recheck_at = ?, lease_until = ?, updated_at = ?
       WHERE project_id = ? AND debug_id = ? AND lease_token = ? RETURNING debug_id`,
    )
    .bind(
      progress.cursor,
      progress.done,
      progress.recheckAt,
      progress.leaseUntil,
      progress.updatedAt,
      projectId,
      key,
      token,
    )
    .first();
  return kept !== null;
}

/** Ends a run's hold on a job: `done`, or `pending` (held until `leaseUntil` while it waits for its last pass). */
export async function releaseJob(
  db: D1Database,
  projectId: number,
  key: string,
  token: string,
  end: Pick<JobRow, "state" | "cursor" | "done" | "recheckAt" | "leaseUntil" | "updatedAt">,
): Promise<void> {
  await db
    .prepare(
      `UPDATE symbolication_jobs SET state = ?, cursor = ?, done = ?, recheck_at = ?, lease_token = NULL,
         lease_until = ?, updated_at = ?
       WHERE project_id = ? AND debug_id = ? AND lease_token = ?`,
    )
    .bind(
      end.state,
      end.cursor,
      end.done,
      end.recheckAt,
      end.leaseUntil,
      end.updatedAt,
      projectId,
      key,
      token,
    )
    .run();
}
