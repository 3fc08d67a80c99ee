// Release health as the pages show it: the healthData of a release's projects combined into one row
// (sessions and crashed sessions summed, users too), rates as percentages with one decimal, and a
// colored figure for a crash-free rate. Pure, but for the read of the releases' health.
import { type HealthData, type HealthOptions, releaseHealthData } from "../api/index.ts";
import { html, type SafeHtml } from "./html.ts";

export interface ReleaseHealth {
  sessions: number;
  crashFreeSessions: number | null;
  crashFreeUsers: number | null;
  adoption: number | null;
  /** Seconds: the median duration of healthy sessions (of the project with most sessions). */
  durationP50: number | null;
  /** Sessions per hour of the last 24 h. */
  hourly: number[];
}

export const LIST_HEALTH: HealthOptions = {
  summarySeconds: 14 * 86400,
  statsKey: "24h",
  statsSeconds: 86400,
  stat: "sessions",
};

export function combineHealth(parts: readonly HealthData[]): ReleaseHealth | null {
  const shown = parts.filter((p) => p.hasHealthData);
  if (shown.length === 0) return null;
  const sum = (f: (p: HealthData) => number) => shown.reduce((n, p) => n + f(p), 0);
  const sessions = sum((p) => p.totalSessions);
  const crashed = sum((p) => p.sessionsCrashed);
  const users = sum((p) => p.totalUsers);
  const crashedUsers = sum((p) => (p.totalUsers * (100 - (p.crashFreeUsers ?? 100))) / 100);
  const projectSessions = sum((p) => p.totalProjectSessions24h);
  const busiest = [...shown].sort((a, b) => b.totalSessions - a.totalSessions)[0];
  const hourly: number[] = [];
  for (const p of shown)
    (p.stats["24h"] ?? []).forEach(([, n], i) => {
      hourly[i] = (hourly[i] ?? 0) + n;
    });
  return {
    sessions,
    crashFreeSessions: sessions > 0 ? 100 - (100 * crashed) / sessions : null,
    crashFreeUsers: users > 0 ? 100 - (100 * crashedUsers) / users : null,
    adoption: projectSessions > 0 ? (100 * sum((p) => p.totalSessions24h)) / projectSessions : null,
    durationP50: busiest?.durationP50 ?? null,
    hourly,
  };
}

/** Health per release version, combined over the given projects. */
export async function healthByVersion(
  db: D1Database,
  projectIds: readonly number[],
  versions: readonly string[],
  now: number,
): Promise<Map<string, ReleaseHealth>> {
  const data = await releaseHealthData(db, projectIds, versions, LIST_HEALTH, now);
  const out = new Map<string, ReleaseHealth>();
  for (const version of versions) {
    const combined = combineHealth(projectIds.flatMap((id) => data.get(`${id}\u0000${version}`) ?? []));
    if (combined) out.set(version, combined);
  }
  return out;
}

/** `99.5%`, colored by how healthy it is; a dash without sessions. */
export function rate(value: number | null): SafeHtml {
  if (value === null) return html`<span class="muted">—</span>`;
  const kind = value >= 99 ? "good" : value >= 95 ? "fair" : "poor";
  return html`<span class="rate rate-${kind}">${(Math.floor(value * 10) / 10).toFixed(1)}%</span>`;
}
