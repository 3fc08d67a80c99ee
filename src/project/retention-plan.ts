// Pure planning of the retention sweep (docs/retention.md): the cutoff of a project's retention, the
// hourly row budget (what is left of it, what a run may spend), which issues the walk visits and when
// the next run is due.
import {
  effectiveRetentionDays,
  RETENTION_CHECK_INTERVAL_MS,
  RETENTION_FULL_WALK_INTERVAL_MS,
  RETENTION_ROWS_PER_RUN,
  RETENTION_RUN_PAUSE_MS,
} from "../limits.ts";

const HOUR_MS = 3600 * 1000;

/** What the object keeps between runs (its own storage). */
export interface RetentionState {
  projectId: number;
  organizationId: number;
  /** Start of the clock hour `rowsSpent` counts in (ms). */
  hourStart: number;
  rowsSpent: number;
  /** When the next run is due (ms). */
  nextAt: number;
  /** When a sweep last walked every issue to the end (ms); absent: never. */
  fullWalkAt?: number;
}

/** The walk's bound on issues' first_seen that takes every issue. */
export const ALL_ISSUES = Number.MAX_SAFE_INTEGER;

/**
 * The bound on first_seen of the issues this run's walk visits: those first seen before the cutoff, or
 * every issue once RETENTION_FULL_WALK_INTERVAL_MS has passed since the last full walk, for the events
 * whose timestamp is older than their issue's first_seen.
 */
export function issueWalkBound(state: RetentionState, nowMs: number, cutoff: number): number {
  return nowMs - (state.fullWalkAt ?? 0) >= RETENTION_FULL_WALK_INTERVAL_MS ? ALL_ISSUES : cutoff;
}

/**
 * The unix-seconds time before which the project's data is expired: its own retention, never more than
 * its organization's (effectiveRetentionDays; null: the default).
 */
export function cutoffSeconds(
  nowMs: number,
  retentionDays: number | null,
  organizationRetentionDays: number | null = null,
): number {
  return Math.floor(nowMs / 1000) - effectiveRetentionDays(retentionDays, organizationRetentionDays) * 86_400;
}

const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Rows this run may delete: the hour's budget left (a new hour starts afresh), at most one run's worth. */
export function runAllowance(
  state: RetentionState,
  nowMs: number,
  budgetPerHour: number,
): { hourStart: number; spentBefore: number; allowance: number } {
  const hourStart = hourOf(nowMs);
  const spentBefore = state.hourStart === hourStart ? state.rowsSpent : 0;
  const left = Math.max(0, budgetPerHour - spentBefore);
  return { hourStart, spentBefore, allowance: Math.min(left, RETENTION_ROWS_PER_RUN) };
}

/**
 * When to run next: nothing left to delete → after the check interval; the hour's budget spent → at
 * the next hour; a run's share spent with budget left → shortly.
 */
export function nextRunAt(nowMs: number, outcome: { workLeft: boolean; budgetLeft: boolean }): number {
  if (!outcome.workLeft) return nowMs + RETENTION_CHECK_INTERVAL_MS;
  if (!outcome.budgetLeft) return hourOf(nowMs) + HOUR_MS;
  return nowMs + RETENTION_RUN_PAUSE_MS;
}
