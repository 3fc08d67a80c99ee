// Late debug files: when a debug file's lookup is ready, the project's events of the last 30 days
// whose frames missed that debug id are re-symbolicated, regrouped and moved to the right issue.
// Jobs live in D1 (`symbolication_jobs`) and run in bounded steps in the background: a run holds a
// job through a lease, works through the events in event-id order from the job's cursor, and stops
// at its time budget; the next trigger (another upload or assemble poll) resumes it.
import { eventPayloadKey } from "../blobs/keys.ts";
import type { Env } from "../env.ts";
import { MAX_INLINE_PAYLOAD_BYTES } from "../limits.ts";
import { issueGroupingOf } from "../project/ingest-batch.ts";
import type { RegroupMove, RegroupResult } from "../project/regroup.ts";
import type { NormalizedEvent } from "../protocol/types.ts";
import { recordReferences, symbolicateStored, unsymbolicated } from "./symbolicate-event.ts";

/** Events re-symbolicated per step (one Durable Object call each). */
export const LATE_BATCH_EVENTS = 20;
/** Work one run does before it lets a later trigger continue. `waitUntil` ends ~30 s after the response. */
export const LATE_RUN_BUDGET_MS = 15_000;
const LEASE_MS = 30_000;
/** How far back stored events are re-symbolicated (issue 4: at least the last 30 days). */
export const LATE_WINDOW_SECONDS = 30 * 24 * 3600;

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
  /** Jobs still pending after this run (budget reached or held by another run). */
  pending: number;
}

/** Keys an uploaded debug file resolves: its debug id, and `code:<code id>` for images that only had a code id. */
export function lateKeys(debugId: string, codeId: string | null): string[] {
  return codeId ? [debugId, `code:${codeId}`] : [debugId];
}

/** Starts (or restarts from the beginning) the jobs for these keys. */
export async function enqueueLateSymbolication(
  db: D1Database,
  projectId: number,
  keys: readonly string[],
  nowMs: number,
): Promise<void> {
  if (keys.length === 0) return;
  const now = nowMs / 1000;
  await db.batch(
    keys.map((key) =>
      db
        .prepare(
          `INSERT INTO symbolication_jobs (project_id, debug_id, state, cursor, done, created_at, updated_at)
           VALUES (?, ?, 'pending', '', 0, ?, ?)
           ON CONFLICT (project_id, debug_id) DO UPDATE SET state = 'pending', cursor = '', updated_at = excluded.updated_at`,
        )
        .bind(projectId, key, now, now),
    ),
  );
}

interface JobRow {
  debug_id: string;
  cursor: string;
  done: number;
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
       RETURNING debug_id, cursor, done`,
    )
    .bind(token, (nowMs + LEASE_MS) / 1000, nowMs / 1000, projectId, key, nowMs / 1000)
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
      payloadKey = payloadKey ?? eventPayloadKey(projectId, row.event_id);
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
  const report: LateRunReport = { jobs: 0, events: 0, moved: 0, pending: 0 };
  const { results: pending } = await deps.db
    .prepare("SELECT debug_id FROM symbolication_jobs WHERE project_id = ? AND state = 'pending' LIMIT 20")
    .bind(projectId)
    .all<{ debug_id: string }>();
  for (const { debug_id: key } of pending) {
    const token = crypto.randomUUID();
    const job = await acquire(deps.db, projectId, key, token, now());
    if (!job) {
      report.pending += 1;
      continue;
    }
    report.jobs += 1;
    let cursor = job.cursor;
    let done = job.done;
    let finished = false;
    while (now() < deadline) {
      const cutoff = now() / 1000 - LATE_WINDOW_SECONDS;
      const { results: refs } = await deps.db
        .prepare(
          `SELECT event_id FROM event_debug_images
           WHERE project_id = ? AND debug_id = ? AND missing = 1 AND timestamp >= ? AND event_id > ?
           ORDER BY event_id LIMIT ?`,
        )
        .bind(projectId, key, cutoff, cursor, LATE_BATCH_EVENTS)
        .all<{ event_id: string }>();
      if (refs.length === 0) {
        finished = true;
        break;
      }
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
          `UPDATE symbolication_jobs SET cursor = ?, done = ?, lease_until = ?, updated_at = ?
           WHERE project_id = ? AND debug_id = ? AND lease_token = ? RETURNING debug_id`,
        )
        .bind(cursor, done, (now() + LEASE_MS) / 1000, now() / 1000, projectId, key, token)
        .first();
      if (!kept) break;
      if (refs.length < LATE_BATCH_EVENTS) {
        finished = true;
        break;
      }
    }
    await deps.db
      .prepare(
        `UPDATE symbolication_jobs SET state = ?, lease_token = NULL, lease_until = NULL, updated_at = ?
         WHERE project_id = ? AND debug_id = ? AND lease_token = ?`,
      )
      .bind(finished ? "done" : "pending", now() / 1000, projectId, key, token)
      .run();
    if (!finished) report.pending += 1;
    if (now() >= deadline) break;
  }
  return report;
}

/** The Worker-side wiring: the project's Durable Object does the moves. */
export function lateDepsFor(env: Env): LateDeps {
  return {
    db: env.DB,
    bucket: env.BLOBS,
    regroup: (projectId, moves) =>
      env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId))).regroupEvents(projectId, moves),
  };
}
