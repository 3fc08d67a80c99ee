// Sentry's monitor stats (`GET …/monitors/{slug}/stats/`, what the MCP server's get_monitor_details
// shows): the monitor's runs per time bucket from `since` to `until` (unix seconds; the last day by
// default), every bucket present, `{ts, ok, error, missed, timeout, duration}` with the average
// duration in milliseconds. The bucket width is `resolution` (`3600s`, `1h`, `1d`) or, as Sentry picks
// it, the finest of its rollups that keeps the range within a hundred buckets.
import type { CheckInBucketRow } from "../db/monitors.ts";
import { badRequest } from "../errors.ts";
import { MAX_MONITOR_STATS_BUCKETS } from "../limits.ts";
import { PERIOD_SECONDS } from "../protocol/search-syntax.ts";

const ROLLUPS = [60, 3600, 86400];
const STATUSES = ["ok", "error", "missed", "timeout"] as const;
const DAY = 86400;

export interface StatsRange {
  since: number;
  until: number;
  rollup: number;
}

function seconds(params: URLSearchParams, name: string): number | null {
  const value = params.get(name);
  if (value === null || value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw badRequest(`${name}: expected a unix timestamp`);
  return n;
}

/** The range and bucket width a stats request asks for. */
export function statsRange(params: URLSearchParams, now: number): StatsRange {
  const until = seconds(params, "until") ?? now;
  const since = seconds(params, "since") ?? until - DAY;
  if (since >= until) throw badRequest("since must be before until");
  const resolution = params.get("resolution");
  let rollup: number;
  if (resolution) {
    const match = /^(\d+)([smhd])$/.exec(resolution);
    rollup = match?.[1] && match[2] ? Number(match[1]) * (PERIOD_SECONDS[match[2]] ?? 0) : 0;
    if (rollup <= 0) throw badRequest(`Invalid resolution: ${resolution}`);
  } else {
    rollup = ROLLUPS.find((r) => (until - since) / r <= 100) ?? DAY;
  }
  if ((until - since) / rollup > MAX_MONITOR_STATS_BUCKETS)
    throw badRequest(`Too many buckets: at most ${MAX_MONITOR_STATS_BUCKETS}; ask for a coarser resolution`);
  return { since, until, rollup };
}

/** Every bucket of the range with its counts by status and its runs' average duration. */
export function monitorStats(range: StatsRange, rows: readonly CheckInBucketRow[]) {
  const first = range.since - (range.since % range.rollup);
  const last = range.until - (range.until % range.rollup);
  const buckets = new Map<number, Record<string, number> & { ts: number }>();
  const durations = new Map<number, { sum: number; n: number }>();
  for (let ts = first; ts <= last; ts += range.rollup) {
    buckets.set(ts, { ts, ...Object.fromEntries(STATUSES.map((s) => [s, 0])), duration: 0 });
  }
  for (const row of rows) {
    const bucket = buckets.get(row.bucket);
    if (!bucket) continue;
    bucket[row.status] = row.n;
    const d = durations.get(row.bucket) ?? { sum: 0, n: 0 };
    d.sum += row.durationSum ?? 0;
    d.n += row.durations;
    durations.set(row.bucket, d);
  }
  for (const [ts, d] of durations) {
    const bucket = buckets.get(ts);
    if (bucket && d.n > 0) bucket.duration = d.sum / d.n;
  }
  return [...buckets.values()];
}
