// Sentry's `healthData` of a release's projects (`health=1` on the releases list and detail): crash-free
// sessions and users, totals and duration percentiles over `summaryStatsPeriod` (default 14d), adoption — the release's share
// of the project's sessions/users in the last 24 h — and `stats` over `healthStatsPeriod` (24h: hourly
// points, longer: daily) of sessions or users (`healthStat`). Read from the hourly counters in a few
// grouped queries for the whole page of releases.
import {
  type HealthFilter,
  healthDurationRows,
  healthUserRows,
  type SessionTotals,
  sessionHours,
  sessionTotals,
  type UserTotals,
  userTotals,
} from "../db/release-health-reads.ts";
import { badRequest } from "../errors.ts";
import { CRASHED_RANK, durationQuantile } from "../protocol/health/session-counting.ts";
import { periodSeconds } from "./query-scope.ts";

const DAY = 86400;
const HOUR = 3600;

export interface HealthOptions {
  summarySeconds: number;
  statsKey: string;
  statsSeconds: number;
  stat: "sessions" | "users";
}

export interface HealthData {
  /** Seconds, of healthy exited sessions over the summary period (null: none with a duration). */
  durationP50: number | null;
  durationP90: number | null;
  crashFreeUsers: number | null;
  crashFreeSessions: number | null;
  sessionsCrashed: number;
  sessionsErrored: number;
  totalUsers: number;
  totalUsers24h: number;
  totalProjectUsers24h: number;
  totalSessions: number;
  totalSessions24h: number;
  totalProjectSessions24h: number;
  adoption: number | null;
  sessionsAdoption: number | null;
  stats: Record<string, [number, number][]>;
  hasHealthData: boolean;
}

/** `health=1` and its periods from the query string; null when health is not asked for. */
export function healthOptions(params: URLSearchParams): HealthOptions | null {
  const health = params.get("health");
  if (health !== "1" && health !== "true") return null;
  const statsKey = params.get("healthStatsPeriod") || "24h";
  const statsSeconds = periodSeconds(statsKey);
  const summarySeconds = periodSeconds(params.get("summaryStatsPeriod") || "14d");
  if (statsSeconds === null || summarySeconds === null)
    throw badRequest("Invalid healthStatsPeriod or summaryStatsPeriod");
  const stat = params.get("healthStat") || "sessions";
  if (stat !== "sessions" && stat !== "users") throw badRequest("healthStat must be sessions or users");
  return { summarySeconds, statsKey, statsSeconds, stat };
}

const key = (projectId: number, release: string) => `${projectId}\u0000${release}`;
const percent = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : null);

/** healthData per `projectId\0version` for the releases × projects of a page. */
export async function releaseHealthData(
  db: D1Database,
  projectIds: readonly number[],
  versions: readonly string[],
  options: HealthOptions,
  now = Date.now() / 1000,
): Promise<Map<string, HealthData>> {
  const out = new Map<string, HealthData>();
  if (projectIds.length === 0 || versions.length === 0) return out;
  const end = Math.floor(now / HOUR) * HOUR + HOUR;
  const range = (seconds: number, releases: readonly string[] = versions): HealthFilter => ({
    projectIds,
    start: end - Math.ceil(seconds / HOUR) * HOUR,
    end,
    releases,
    environments: [],
  });
  const summary = range(options.summarySeconds);
  const day = range(DAY);
  const index = <T extends { projectId: number; release: string }>(rows: T[]) =>
    new Map(rows.map((r) => [key(r.projectId, r.release), r]));
  const sessions = index(await sessionTotals(db, summary, "release"));
  const users = index(await userTotals(db, summary, "release", CRASHED_RANK));
  const sessions24 = index(await sessionTotals(db, day, "release"));
  const users24 = index(await userTotals(db, day, "release", CRASHED_RANK));
  const project24 = index(await sessionTotals(db, range(DAY, []), "project"));
  const projectUsers24 = index(await userTotals(db, range(DAY, []), "project", CRASHED_RANK));
  const series = await statsSeries(db, range(options.statsSeconds), options);
  const histograms = new Map<string, Map<number, number>>();
  for (const row of await healthDurationRows(db, summary)) {
    const k = key(row.projectId, row.release);
    const h = histograms.get(k) ?? new Map<number, number>();
    h.set(row.bucket, (h.get(row.bucket) ?? 0) + row.n);
    histograms.set(k, h);
  }

  for (const projectId of projectIds) {
    for (const version of versions) {
      const k = key(projectId, version);
      const s: SessionTotals | undefined = sessions.get(k);
      const u: UserTotals | undefined = users.get(k);
      const totalSessions24h = sessions24.get(k)?.sessions ?? 0;
      const totalUsers24h = users24.get(k)?.users ?? 0;
      const totalProjectSessions24h = project24.get(key(projectId, ""))?.sessions ?? 0;
      const totalProjectUsers24h = projectUsers24.get(key(projectId, ""))?.users ?? 0;
      const totalSessions = s?.sessions ?? 0;
      const totalUsers = u?.users ?? 0;
      const histogram = histograms.get(k) ?? new Map<number, number>();
      out.set(k, {
        durationP50: durationQuantile(histogram, 0.5),
        durationP90: durationQuantile(histogram, 0.9),
        crashFreeUsers: totalUsers > 0 ? 100 - (100 * (u?.crashedUsers ?? 0)) / totalUsers : null,
        crashFreeSessions: totalSessions > 0 ? 100 - (100 * (s?.crashed ?? 0)) / totalSessions : null,
        sessionsCrashed: s?.crashed ?? 0,
        sessionsErrored: s?.errored ?? 0,
        totalUsers,
        totalUsers24h,
        totalProjectUsers24h,
        totalSessions,
        totalSessions24h,
        totalProjectSessions24h,
        adoption: percent(totalUsers24h, totalProjectUsers24h),
        sessionsAdoption: percent(totalSessions24h, totalProjectSessions24h),
        stats: { [options.statsKey]: series.get(k) ?? emptySeries(series.get("")) },
        hasHealthData:
          totalSessions > 0 || totalSessions24h > 0 || (series.get(k)?.some(([, n]) => n > 0) ?? false),
      });
    }
  }
  return out;
}

const emptySeries = (template: [number, number][] | undefined): [number, number][] =>
  (template ?? []).map(([t]) => [t, 0]);

/** `[[ts, n], …]` per release: hourly points up to a day, daily beyond; "" holds the empty template. */
async function statsSeries(
  db: D1Database,
  filter: HealthFilter,
  options: HealthOptions,
): Promise<Map<string, [number, number][]>> {
  const step = options.statsSeconds <= DAY ? HOUR : DAY;
  const start = Math.floor(filter.start / step) * step;
  const n = Math.ceil((filter.end - start) / step);
  const template = (): [number, number][] => Array.from({ length: n }, (_, i) => [start + i * step, 0]);
  const out = new Map<string, [number, number][]>([["", template()]]);
  const add = (k: string, hour: number, value: number) => {
    let points = out.get(k);
    if (!points) {
      points = template();
      out.set(k, points);
    }
    const point = points[Math.floor((hour - start) / step)];
    if (point) point[1] += value;
  };
  if (options.stat === "sessions") {
    for (const row of await sessionHours(db, filter))
      add(key(row.projectId, row.release), row.hour, row.sessions);
  } else {
    // Users per point: distinct within each point, so summed per day from hourly distinct rows only
    // when the points are hours; daily points count a user once per day.
    const seen = new Set<string>();
    for (const row of await healthUserRows(db, filter)) {
      const k = key(row.projectId, row.release);
      const bucket = Math.floor((row.hour - start) / step);
      const id = `${k}\u0000${bucket}\u0000${row.userHash}`;
      if (seen.has(id)) continue;
      seen.add(id);
      add(k, row.hour, 1);
    }
  }
  return out;
}
