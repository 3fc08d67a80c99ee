// Late debug files: when a debug file's lookup is ready, the project's events of the last 30 days
// whose frames missed that debug id are re-symbolicated, regrouped and moved to the right issue.
// Jobs live in D1 (`symbolication_jobs`) and run in bounded steps from the project's Durable Object
// alarm: a run holds a job through a lease, works through the events in event-id order from the job's
// cursor, and stops at its time budget; the alarm is re-armed while jobs remain pending.
// An event symbolicated just before the file existed may be committed after the first pass passed
// its id, so a job ends with one more pass that starts LATE_SETTLE_MS after it was queued.
import type { BlobBucket } from "../blobs/bucket.ts";
import type { OpenSegmentRead } from "../blobs/event-blobs.ts";
import { eventsMissingImage } from "../db/event-debug-images.ts";
import {
  acquireJob,
  enqueueJobs,
  pendingJobs,
  releaseJob,
  runnableJobKeys,
  saveJobProgress,
} from "../db/symbolication-jobs.ts";
import { type ResymbolicatedEvent, resymbolicateEvents } from "./late-resymbolicate.ts";

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

/** Jobs one run looks at. */
const LATE_JOBS_PER_RUN = 20;

export interface LateDeps {
  /** The project's event shard: the jobs, the events and their image references. */
  db: D1Database;
  /** The control plane: the debug files. */
  control: D1Database;
  bucket: BlobBucket;
  /** Reads payloads of segments the project's object has not sealed into R2 yet. */
  openSegment: OpenSegmentRead;
  /**
   * The project's Durable Object: regroups the re-symbolicated events (moves them between issues),
   * serialized with ingest; answers how many changed issue.
   */
  regroup(projectId: number, events: ResymbolicatedEvent[]): Promise<{ moved: number }>;
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
  await enqueueJobs(db, projectId, keys, nowMs / 1000, (nowMs + LATE_SETTLE_MS) / 1000);
}

/** Runs the project's pending jobs until done or out of budget. Safe to call concurrently (leases). */
export async function runLateSymbolication(deps: LateDeps, projectId: number): Promise<LateRunReport> {
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.budgetMs ?? LATE_RUN_BUDGET_MS);
  const report: LateRunReport = { jobs: 0, events: 0, moved: 0, failed: 0, pending: 0, nextRunAt: null };
  const runnable = await runnableJobKeys(deps.db, projectId, now() / 1000, LATE_JOBS_PER_RUN);
  for (const key of runnable) {
    if (now() >= deadline) break;
    await runJob(deps, projectId, key, deadline, report).catch((error: unknown) => {
      // Its lease lapses and a later run retries it; the other jobs go on.
      console.error("late symbolication job failed", projectId, key, error);
      report.failed += 1;
    });
  }
  const left = await pendingJobs(deps.db, projectId);
  report.pending = left.count;
  if (report.pending > 0) report.nextRunAt = Math.max(now(), left.leaseEnd * 1000);
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
  const startedAt = now();
  const job = await acquireJob(
    deps.db,
    projectId,
    key,
    token,
    startedAt / 1000,
    (startedAt + LATE_LEASE_MS) / 1000,
  );
  if (!job) return;
  report.jobs += 1;
  let cursor = job.cursor;
  let done = job.done;
  let recheckAt = job.recheckAt;
  let reachedEnd = false;
  while (now() < deadline) {
    // A pass starting now is the last: every commit in flight when the job was queued has landed.
    if (cursor === "" && recheckAt !== null && now() / 1000 >= recheckAt) recheckAt = null;
    const cutoff = now() / 1000 - LATE_WINDOW_SECONDS;
    const eventIds = await eventsMissingImage(deps.db, projectId, key, cutoff, cursor, LATE_BATCH_EVENTS);
    if (eventIds.length > 0) {
      const events = await resymbolicateEvents(deps, projectId, eventIds);
      if (events.length > 0) report.moved += (await deps.regroup(projectId, events)).moved;
      report.events += eventIds.length;
      done += eventIds.length;
      cursor = eventIds[eventIds.length - 1] ?? cursor;
      const kept = await saveJobProgress(deps.db, projectId, key, token, {
        cursor,
        done,
        recheckAt,
        leaseUntil: (now() + LATE_LEASE_MS) / 1000,
        updatedAt: now() / 1000,
      });
      // Restarted by a newer upload of the file (or the lease lapsed): the holder now goes on.
      if (!kept) return;
    }
    if (eventIds.length === LATE_BATCH_EVENTS) continue;
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
  await releaseJob(deps.db, projectId, key, token, {
    state: finished ? "done" : "pending",
    cursor,
    done,
    recheckAt,
    leaseUntil: waiting ? recheckAt : null,
    updatedAt: now() / 1000,
  });
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
