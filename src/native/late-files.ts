// Late debug files: when a debug file's lookup is ready, the project's events of the last 30 days
// whose frames missed that debug id are re-symbolicated, regrouped and moved to the right issue.
// Jobs live in D1 (`symbolication_jobs`) and run in bounded steps from the project's Durable Object
// alarm: a run holds a job through a lease, works through the events in event-id order from the job's
// cursor, and stops at its time budget; the alarm is re-armed while jobs remain pending.
// An event symbolicated just before the file existed may be committed after the first pass passed
// its id, so a job ends with one more pass that starts LATE_SETTLE_MS after it was queued.
import { eventPayloadKey, newWriteId } from "../blobs/keys.ts";
import type { Env } from "../env.ts";
import { MAX_INLINE_PAYLOAD_BYTES } from "../limits.ts";
import { issueGroupingOf } from "../project/ingest-batch.ts";
import type { RegroupMove, RegroupResult } from "../project/regroup.ts";
import type { NormalizedEvent } from "../protocol/types.ts";
import { recordReferences, symbolicateStored, unsymbolicated } from "./symbolicate-event.ts";

/** Events re-symbolicated per step (one Durable Object call each). */
export const LATE_BATCH_EVENTS = 20;
/** Work one run (one alarm) does before the next alarm continues. */
export const LATE_RUN_BUDGET_MS = 15_000;
/** A run's hold on a job; a run cut off mid-job leaves it to the next run once this lapses. */
export const LATE_LEASE_MS = 30_000;
/**
 * How long after a job is queued its last pass starts: by then the ingest commits that were in flight
 * when the debug file appeared (symbolicated without it, committed after the first pass) have landed.
 */
export const LATE_SETTLE_MS = 120_000;
/** How far back stored events are re-symbolicated (issue 4: at least the last 30 days). */
export const LATE_WINDOW_SECONDS = 30 * 24 * 3600;
/** Retry delays after failed runs: doubling from the first, up to the last. */
const LATE_RETRY_FIRST_MS = 10_000;
const LATE_RETRY_MAX_MS = 3_600_000;

export interface LateDeps {
  db: D1Database;
  bucket: R2Bucket;
  /** The project's Durable Object: moves the events between issues, serialized with ingest. */
  regroup(projectId: number, moves: RegroupMove[]): Promise<RegroupResult>;
  now?: () => number;
  budgetMs?: number;
}

export interface LateRunReport {
  jobs: number;
  events: number;
  moved: number;
  /** Jobs that failed in this run (left to a later run). */
  failed: number;
  /** Jobs still pending after this run (budget reached, held by another run, waiting for their last pass). */
  pending: number;
  /** When a run can next make progress (ms); null when no job is pending. */
  nextRunAt: number | null;
}

/** Keys an uploaded debug file resolves: its debug id, and `code:<code id>` for images that only had a code id. */
export function lateKeys(debugId: string, codeId: string | null): string[] {
  return codeId ? [debugId, `code:${codeId}`] : [debugId];
}

/**
 * Starts (or restarts from the beginning) the jobs for these keys. A restart takes the job from a run
 * still holding it (that run stops at its next step) and moves its last pass later again.
 */
export async function enqueueLateSymbolication(
  db: D1Database,
  projectId: number,
  keys: readonly string[],
  nowMs: number,
): Promise<void> {
  if (keys.length === 0) return;
  const now = nowMs / 1000;
  const recheckAt = (nowMs + LATE_SETTLE_MS) / 1000;
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

interface JobRow {
  debug_id: string;
  cursor: string;
  done: number;
  recheck_at: number | null;
}

interface EventRow {
  event_id: string;
  payload: string | null;
  payload_key: string | null;
}

async function acquire(db: D1Database, projectId: number, key: string, token: string, nowMs: number) {
  return db
    .prepare(
      `UPDATE symbolication_jobs SET lease_token = ?, lease_until = ?, updated_at = ?
       WHERE project_id = ? AND debug_id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
       RETURNING debug_id, cursor, done, recheck_at`,
    )
    .bind(token, (nowMs + LATE_LEASE_MS) / 1000, nowMs / 1000, projectId, key, nowMs / 1000)
    .first<JobRow>();
}

async function loadPayload(bucket: R2Bucket, row: EventRow): Promise<NormalizedEvent | null> {
  let text = row.payload;
  if (text === null && row.payload_key) {
    const object = await bucket.get(row.payload_key);
    text = object ? await object.text() : null;
  }
  if (text === null) return null;
  try {
    return JSON.parse(text) as NormalizedEvent;
  } catch {
    return null;
  }
}

/** Re-symbolicates one step of events; returns the moves for the Durable Object. */
async function resymbolicate(
  deps: LateDeps,
  projectId: number,
  eventIds: readonly string[],
): Promise<RegroupMove[]> {
  const { results } = await deps.db
    .prepare(
      `SELECT event_id, payload, payload_key FROM events
       WHERE project_id = ? AND event_id IN (${eventIds.map(() => "?").join(",")}) AND issue_id IS NOT NULL`,
    )
    .bind(projectId, ...eventIds)
    .all<EventRow>();
  const moves: RegroupMove[] = [];
  for (const row of results) {
    const stored = await loadPayload(deps.bucket, row);
    if (!stored) continue;
    const { event, references } = await symbolicateStored(unsymbolicated(stored), {
      db: deps.db,
      bucket: deps.bucket,
      projectId,
    });
    await recordReferences(deps.db, projectId, event, references);
    const grouping = issueGroupingOf(event);
    let payload: string | null = JSON.stringify(event);
    let payloadKey = row.payload_key;
    if (payloadKey !== null || payload.length > MAX_INLINE_PAYLOAD_BYTES) {
      // A new key: the stored object is never rewritten in place (its row moves to the new one; the
      // old object, then unreferenced, is removed by the blob sweep).
      payloadKey = eventPayloadKey(projectId, row.event_id, newWriteId());
      await deps.bucket.put(payloadKey, payload, { httpMetadata: { contentType: "application/json" } });
      payload = null;
    }
    moves.push({
      eventId: row.event_id,
      payload,
      payloadKey,
      grouping,
    });
  }
  // References of events that were never stored (rejected, rate limited) lead nowhere.
  const found = new Set(results.map((r) => r.event_id));
  const gone = eventIds.filter((id) => !found.has(id));
  if (gone.length > 0) {
    await deps.db
      .prepare(
        `DELETE FROM event_debug_images WHERE project_id = ? AND event_id IN (${gone.map(() => "?").join(",")})`,
      )
      .bind(projectId, ...gone)
      .run();
  }
  return moves;
}

/** Runs the project's pending jobs until done or out of budget. Safe to call concurrently (leases). */
export async function runLateSymbolication(deps: LateDeps, projectId: number): Promise<LateRunReport> {
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.budgetMs ?? LATE_RUN_BUDGET_MS);
  const report: LateRunReport = { jobs: 0, events: 0, moved: 0, failed: 0, pending: 0, nextRunAt: null };
  const { results: runnable } = await deps.db
    .prepare(
      `SELECT debug_id FROM symbolication_jobs
       WHERE project_id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?) LIMIT 20`,
    )
    .bind(projectId, now() / 1000)
    .all<{ debug_id: string }>();
  for (const { debug_id: key } of runnable) {
    if (now() >= deadline) break;
    await runJob(deps, projectId, key, deadline, report).catch((error: unknown) => {
      // Its lease lapses and a later run retries it; the other jobs go on.
      console.error("late symbolication job failed", projectId, key, error);
      report.failed += 1;
    });
  }
  const left = await deps.db
    .prepare(
      `SELECT COUNT(*) AS n, MIN(COALESCE(lease_until, 0)) AS at FROM symbolication_jobs
       WHERE project_id = ? AND state = 'pending'`,
    )
    .bind(projectId)
    .first<{ n: number; at: number | null }>();
  report.pending = left?.n ?? 0;
  if (report.pending > 0) report.nextRunAt = Math.max(now(), (left?.at ?? 0) * 1000);
  return report;
}

/**
 * Works on one job until the budget ends. A pass reaching the end finishes the job only if it started
 * at or after the job's `recheck_at`; otherwise the job waits (held through `lease_until`) until then
 * and passes over the events again from the first id.
 */
async function runJob(
  deps: LateDeps,
  projectId: number,
  key: string,
  deadline: number,
  report: LateRunReport,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const token = crypto.randomUUID();
  const job = await acquire(deps.db, projectId, key, token, now());
  if (!job) return;
  report.jobs += 1;
  let cursor = job.cursor;
  let done = job.done;
  let recheckAt = job.recheck_at;
  let reachedEnd = false;
  while (now() < deadline) {
    // A pass starting now is the last: every commit in flight when the job was queued has landed.
    if (cursor === "" && recheckAt !== null && now() / 1000 >= recheckAt) recheckAt = null;
    const cutoff = now() / 1000 - LATE_WINDOW_SECONDS;
    const { results: refs } = await deps.db
      .prepare(
        `SELECT event_id FROM event_debug_images
         WHERE project_id = ? AND debug_id = ? AND missing = 1 AND timestamp >= ? AND event_id > ?
         ORDER BY event_id LIMIT ?`,
      )
      .bind(projectId, key, cutoff, cursor, LATE_BATCH_EVENTS)
      .all<{ event_id: string }>();
    if (refs.length > 0) {
      const moves = await resymbolicate(
        deps,
        projectId,
        refs.map((r) => r.event_id),
      );
      if (moves.length > 0) report.moved += (await deps.regroup(projectId, moves)).moved;
      report.events += refs.length;
      done += refs.length;
      cursor = refs[refs.length - 1]?.event_id ?? cursor;
      const kept = await deps.db
        .prepare(
          `UPDATE symbolication_jobs SET cursor = ?, done = ?, recheck_at = ?, lease_until = ?, updated_at = ?
           WHERE project_id = ? AND debug_id = ? AND lease_token = ? RETURNING debug_id`,
        )
        .bind(cursor, done, recheckAt, (now() + LATE_LEASE_MS) / 1000, now() / 1000, projectId, key, token)
        .first();
      // Restarted by a newer upload of the file (or the lease lapsed): the holder now goes on.
      if (!kept) return;
    }
    if (refs.length === LATE_BATCH_EVENTS) continue;
    cursor = "";
    if (recheckAt === null) {
      reachedEnd = true;
      break;
    }
    // The first pass is through; the last one starts at recheck_at (at once if that has passed).
    if (now() / 1000 < recheckAt) break;
  }
  const finished = reachedEnd;
  const waiting = !finished && cursor === "" && recheckAt !== null && now() / 1000 < recheckAt;
  await deps.db
    .prepare(
      `UPDATE symbolication_jobs SET state = ?, cursor = ?, done = ?, recheck_at = ?, lease_token = NULL,
         lease_until = ?, updated_at = ?
       WHERE project_id = ? AND debug_id = ? AND lease_token = ?`,
    )
    .bind(
      finished ? "done" : "pending",
      cursor,
      done,
      recheckAt,
      waiting ? recheckAt : null,
      now() / 1000,
      projectId,
      key,
      token,
    )
    .run();
}

/** How long to wait after this many failed runs in a row. */
export function lateRetryDelayMs(failures: number): number {
  return Math.min(LATE_RETRY_MAX_MS, LATE_RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));
}

/** One alarm of the project's object: when to run next (null: nothing pending) and the failure streak. */
export async function runLateAlarm(
  deps: LateDeps,
  projectId: number,
  failures: number,
): Promise<{ nextRunAt: number | null; failures: number }> {
  const now = deps.now ?? Date.now;
  try {
    const report = await runLateSymbolication(deps, projectId);
    if (report.failed === 0) return { nextRunAt: report.nextRunAt, failures: 0 };
    const streak = failures + 1;
    return { nextRunAt: Math.max(report.nextRunAt ?? 0, now() + lateRetryDelayMs(streak)), failures: streak };
  } catch (error) {
    console.error("late symbolication run failed", projectId, error);
    return { nextRunAt: now() + lateRetryDelayMs(failures + 1), failures: failures + 1 };
  }
}

/** Deps for a run outside the project's object: its moves go through the object. */
export function lateDepsFor(env: Env): LateDeps {
  return {
    db: env.DB,
    bucket: env.BLOBS,
    regroup: (projectId, moves) =>
      env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId))).regroupEvents(projectId, moves),
  };
}

/** Has the project's object run its late jobs from its alarm, `delayMs` from now at the latest. */
export function scheduleLateSymbolication(env: Env, projectId: number, delayMs = 0): Promise<void> {
  return env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId))).scheduleLateSymbolication(
    projectId,
    delayMs,
  );
}
