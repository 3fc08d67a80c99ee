// Release health counters maintained where sessions are committed: each group commit plans, from the
// sessions it carries and the status this object counted each session under before, the counter rows
// to add to in D1 (session-counting.ts), writes them in the commit's transaction, and only once it
// committed remembers the sessions' new statuses (like the issue cache: a failed commit changes nothing).

import { addHealthCounters, addHealthDurations, raiseHealthUser } from "../db/release-health-writes.ts";
import {
  clearSessionStates,
  createSessionStateTable,
  expireSessionStates,
  readSessionStates,
  writeSessionStates,
} from "../db/session-states.ts";
import { MAX_SESSION_AGE_SECONDS, SESSION_STATE_EXPIRY_INTERVAL_SECONDS } from "../limits.ts";
import { type HealthPlan, planHealth } from "../protocol/health/session-counting.ts";
import type { AdmittedBatch } from "./commit-plan.ts";

export class SessionHealth {
  private lastExpiry = 0;

  constructor(private readonly sql: SqlStorage) {
    createSessionStateTable(sql);
  }

  /** The commit's counter changes, or null when it carries no sessions. */
  plan(admitted: readonly AdmittedBatch[]): HealthPlan | null {
    const updates = admitted.flatMap((a) => a.batch.sessionUpdates);
    const aggregates = admitted.flatMap((a) => a.batch.sessionAggregates);
    if (updates.length === 0 && aggregates.length === 0) return null;
    const known = readSessionStates(
      this.sql,
      updates.map((u) => u.sid),
    );
    return planHealth(updates, aggregates, known);
  }

  statements(db: D1Database, projectId: number, plan: HealthPlan | null): D1PreparedStatement[] {
    if (!plan) return [];
    return [
      ...plan.counters.map((c) => addHealthCounters(db, projectId, c)),
      ...plan.users.map((u) => raiseHealthUser(db, projectId, u)),
      ...plan.durations.map((d) => addHealthDurations(db, projectId, d)),
    ];
  }

  /** After the commit: the sessions' counted statuses, and now and then the expiry of old ones. */
  committed(plan: HealthPlan | null, now = Date.now() / 1000): void {
    if (!plan) return;
    writeSessionStates(this.sql, plan.sessions, now);
    if (now - this.lastExpiry >= SESSION_STATE_EXPIRY_INTERVAL_SECONDS) {
      this.lastExpiry = now;
      // A session can be updated for MAX_SESSION_AGE_SECONDS after it started; an hour more for clocks.
      expireSessionStates(this.sql, now - MAX_SESSION_AGE_SECONDS - 3600);
    }
  }

  /** Forgets every session (the telemetry reset deleted the counters they were counted in). */
  clear(): void {
    clearSessionStates(this.sql);
  }
}
