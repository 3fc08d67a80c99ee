// Release health counting: how session updates and aggregates become hourly counters per release ×
// environment, with Sentry's semantics — a session is counted once, in the hour it started, under the
// worst status it reached (healthy < errored < abnormal < unhandled < crashed); an update that makes it
// worse moves it from one column to the other, a better or equal one changes nothing. A healthy session
// that exits with a duration adds it, once, to a histogram of durations (Sentry keeps durations of
// healthy exited sessions only). Aggregates
// (request mode) are counts already and add to the columns directly. Users are counted per hour by a
// hash of the distinct id, with the worst status of their sessions in that hour. Pure: the caller
// supplies what it remembers of the sessions seen before (their counted status) and stores the result.
import { md5Hex } from "../../grouping/hash.ts";
import type { SessionAggregate, SessionUpdate } from "../items/types.ts";

/** The columns of the counters, in rank order (index = rank). */
export const HEALTH_STATUSES = ["healthy", "errored", "abnormal", "unhandled", "crashed"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const CRASHED_RANK = HEALTH_STATUSES.indexOf("crashed");

/** What is remembered of a session between commits: where and how it was counted. */
export interface TrackedSession {
  sid: string;
  hour: number;
  release: string;
  environment: string;
  rank: number;
  userHash: string | null;
  /** Its duration was counted (it exited): a repeated exit adds nothing. */
  ended: boolean;
}

export type StatusCounts = Record<HealthStatus, number>;

/** A change to one hourly counter row (values may be negative when a session moved to a worse column). */
export interface CounterDelta extends StatusCounts {
  hour: number;
  release: string;
  environment: string;
}

/** A user seen in an hour with the worst status their sessions reached there. */
export interface UserStatus {
  hour: number;
  release: string;
  environment: string;
  userHash: string;
  rank: number;
}

/** Healthy exited sessions added to a duration bucket (see durationBucket). */
export interface DurationDelta {
  hour: number;
  release: string;
  environment: string;
  bucket: number;
  n: number;
}

export interface HealthPlan {
  counters: CounterDelta[];
  users: UserStatus[];
  durations: DurationDelta[];
  /** Sessions whose counted status is new or changed: the caller remembers these after storing. */
  sessions: TrackedSession[];
}

export const hourOf = (seconds: number): number => Math.floor(seconds / 3600) * 3600;

/** Duration buckets per doubling: a bucket's bounds are 2^(b/4) and 2^((b+1)/4) seconds (±9% around its middle). */
const BUCKETS_PER_DOUBLING = 4;
const MIN_DURATION_SECONDS = 0.001;

/** The histogram bucket of a duration in seconds. */
export function durationBucket(seconds: number): number {
  return Math.floor(Math.log2(Math.max(seconds, MIN_DURATION_SECONDS)) * BUCKETS_PER_DOUBLING);
}

/** The duration (seconds) a bucket stands for: the geometric middle of its bounds. */
export function bucketSeconds(bucket: number): number {
  return 2 ** ((bucket + 0.5) / BUCKETS_PER_DOUBLING);
}

/** The `q` quantile (0–1) of a histogram `bucket → count`, in seconds; null when empty. */
export function durationQuantile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= target) return bucketSeconds(bucket);
  }
  return bucketSeconds(buckets[buckets.length - 1]?.[0] ?? 0);
}

/** A short stable hash of a distinct id: users are counted without storing who they are. */
export function userHashOf(did: string): string {
  return md5Hex(did).slice(0, 16);
}

/** The rank a single update shows: its status, or errored when it counted errors. */
export function rankOfUpdate(update: Pick<SessionUpdate, "status" | "errors">): number {
  switch (update.status) {
    case "crashed":
      return CRASHED_RANK;
    case "unhandled":
      return HEALTH_STATUSES.indexOf("unhandled");
    case "abnormal":
      return HEALTH_STATUSES.indexOf("abnormal");
    case "errored":
      return HEALTH_STATUSES.indexOf("errored");
    default:
      return update.errors > 0 ? HEALTH_STATUSES.indexOf("errored") : 0;
  }
}

export function emptyCounts(): StatusCounts {
  return { healthy: 0, errored: 0, abnormal: 0, unhandled: 0, crashed: 0 };
}

const statusAt = (rank: number): HealthStatus => HEALTH_STATUSES[rank] ?? "healthy";

export function planHealth(
  updates: readonly SessionUpdate[],
  aggregates: readonly SessionAggregate[],
  known: ReadonlyMap<string, TrackedSession>,
): HealthPlan {
  const counters = new Map<string, CounterDelta>();
  const users = new Map<string, UserStatus>();
  const changed = new Map<string, TrackedSession>();
  const counter = (hour: number, release: string, environment: string): CounterDelta => {
    const key = `${hour}\u0000${release}\u0000${environment}`;
    let row = counters.get(key);
    if (!row) {
      row = { hour, release, environment, ...emptyCounts() };
      counters.set(key, row);
    }
    return row;
  };
  const raiseUser = (user: UserStatus) => {
    const key = `${user.hour}\u0000${user.release}\u0000${user.environment}\u0000${user.userHash}`;
    const prev = users.get(key);
    if (!prev || prev.rank < user.rank) users.set(key, user);
  };

  const durations = new Map<string, DurationDelta>();
  const addDuration = (s: TrackedSession, seconds: number) => {
    const bucket = durationBucket(seconds);
    const key = `${s.hour}\u0000${s.release}\u0000${s.environment}\u0000${bucket}`;
    const d = durations.get(key);
    if (d) d.n += 1;
    else durations.set(key, { hour: s.hour, release: s.release, environment: s.environment, bucket, n: 1 });
  };

  for (const update of updates) {
    const before = changed.get(update.sid) ?? known.get(update.sid);
    const updateRank = rankOfUpdate(update);
    const rank = Math.max(updateRank, before?.rank ?? 0);
    const exits = update.status === "exited" && !(before?.ended ?? false);
    if (before && rank === before.rank && !exits) continue;
    const session: TrackedSession = before
      ? { ...before, rank, ended: before.ended || exits }
      : {
          sid: update.sid,
          hour: hourOf(update.started),
          release: update.release,
          environment: update.environment ?? "",
          rank,
          userHash: update.did ? userHashOf(update.did) : null,
          ended: exits,
        };
    if (!before || rank !== before.rank) {
      const row = counter(session.hour, session.release, session.environment);
      if (before) row[statusAt(before.rank)] -= 1;
      row[statusAt(rank)] += 1;
      if (session.userHash) {
        const { hour, release, environment, userHash } = session;
        raiseUser({ hour, release, environment, userHash, rank });
      }
    }
    if (exits && rank === 0 && update.duration !== undefined) addDuration(session, update.duration);
    changed.set(session.sid, session);
  }

  for (const a of aggregates) {
    const environment = a.environment ?? "";
    const hour = hourOf(a.started);
    const row = counter(hour, a.release, environment);
    row.healthy += a.exited;
    row.errored += a.errored;
    row.abnormal += a.abnormal;
    row.unhandled += a.unhandled;
    row.crashed += a.crashed;
    if (!a.did) continue;
    const counts: StatusCounts = {
      healthy: a.exited,
      errored: a.errored,
      abnormal: a.abnormal,
      unhandled: a.unhandled,
      crashed: a.crashed,
    };
    let rank = -1;
    HEALTH_STATUSES.forEach((status, i) => {
      if (counts[status] > 0) rank = i;
    });
    if (rank >= 0) raiseUser({ hour, release: a.release, environment, userHash: userHashOf(a.did), rank });
  }

  const nonZero = (c: CounterDelta) => HEALTH_STATUSES.some((s) => c[s] !== 0);
  return {
    counters: [...counters.values()].filter(nonZero),
    users: [...users.values()],
    durations: [...durations.values()],
    sessions: [...changed.values()],
  };
}

/** Sessions in total of a set of counts. */
export function totalOf(counts: StatusCounts): number {
  return HEALTH_STATUSES.reduce((n, s) => n + counts[s], 0);
}

/** Sentry's crash_free_rate: 1 − crashed / total, as a fraction; null without sessions. */
export function crashFreeRate(total: number, crashed: number): number | null {
  return total > 0 ? 1 - crashed / total : null;
}
