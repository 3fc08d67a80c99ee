// The state of one monitor environment and how runs change it: each run ends ok, error, missed (no
// check-in within the margin after the expected time) or timeout (in progress past max_runtime).
// Failures in a row at or past `failure_issue_threshold` open (or add to) the monitor's issue; ok runs in
// a row at `recovery_threshold` resolve it. The next expected run follows the schedule from the last
// check-in (or from the missed expected time). Pure.
import { type MonitorConfig, marginSeconds, nextExpected } from "./monitor-config.ts";

export type MonitorStatus = "active" | "ok" | "error" | "missed" | "timeout";
export type RunOutcome = "ok" | "error" | "missed" | "timeout";

export interface EnvironmentState {
  status: MonitorStatus;
  lastCheckIn: number | null;
  nextCheckIn: number | null;
  nextCheckInLatest: number | null;
  failures: number;
  successes: number;
  issueOpen: boolean;
}

export interface Failure {
  outcome: Exclude<RunOutcome, "ok">;
  /** When it was detected (unix seconds), and the run's expected time for a missed one. */
  at: number;
  expected: number | null;
}

export interface Transition {
  state: EnvironmentState;
  /** A failure to record on the monitor's issue (opening it when it is not open). */
  issueEvent: Failure | null;
  resolveIssue: boolean;
}

export const newEnvironmentState = (): EnvironmentState => ({
  status: "active",
  lastCheckIn: null,
  nextCheckIn: null,
  nextCheckInLatest: null,
  failures: 0,
  successes: 0,
  issueOpen: false,
});

/** The expected run after `after`, with its deadline (expected + margin). */
function schedule(state: EnvironmentState, config: MonitorConfig, after: number): EnvironmentState {
  const next = nextExpected(config, after);
  return {
    ...state,
    nextCheckIn: next,
    nextCheckInLatest: next === null ? null : next + marginSeconds(config),
  };
}

/** A run ended (`at`: when it was known). */
export function afterRun(
  state: EnvironmentState,
  config: MonitorConfig,
  outcome: RunOutcome,
  at: number,
  expected: number | null = null,
): Transition {
  if (outcome === "ok") {
    const successes = state.issueOpen ? state.successes + 1 : 0;
    const recovered = state.issueOpen && successes >= (config.recoveryThreshold ?? 1);
    return {
      state: {
        ...state,
        status: "ok",
        failures: 0,
        successes: recovered ? 0 : successes,
        issueOpen: state.issueOpen && !recovered,
      },
      issueEvent: null,
      resolveIssue: recovered,
    };
  }
  const failures = state.failures + 1;
  const opens = failures >= (config.failureIssueThreshold ?? 1);
  return {
    state: { ...state, status: outcome, failures, successes: 0, issueOpen: state.issueOpen || opens },
    issueEvent: opens ? { outcome, at, expected } : null,
    resolveIssue: false,
  };
}

/** A check-in arrived: in progress only moves the schedule; ok/error end a run. */
export function afterCheckIn(
  state: EnvironmentState,
  config: MonitorConfig,
  status: "in_progress" | "ok" | "error",
  at: number,
): Transition {
  const scheduled = schedule({ ...state, lastCheckIn: at }, config, at);
  if (status === "in_progress") return { state: scheduled, issueEvent: null, resolveIssue: false };
  return afterRun(scheduled, config, status, at);
}

/**
 * The runs whose deadline passed by `now` without a check-in: each is missed, and the next expected one
 * follows from it. At most `limit` are recorded; a longer outage jumps to the next run after now.
 */
export function missedRuns(
  state: EnvironmentState,
  config: MonitorConfig,
  now: number,
  limit: number,
): { transitions: Transition[]; missed: number[]; state: EnvironmentState } {
  let current = state;
  const transitions: Transition[] = [];
  const missed: number[] = [];
  while (
    current.nextCheckIn !== null &&
    current.nextCheckInLatest !== null &&
    current.nextCheckInLatest <= now
  ) {
    const expected = current.nextCheckIn;
    if (missed.length >= limit) {
      current = schedule(current, config, now);
      break;
    }
    missed.push(expected);
    const t = afterRun(schedule(current, config, expected), config, "missed", now, expected);
    transitions.push(t);
    current = t.state;
  }
  return { transitions, missed, state: current };
}
