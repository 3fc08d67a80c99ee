// Sentry's legacy per-project event counts (`GET /projects/{org}/{project}/stats/`):
// `stat=received|rejected|blacklisted|generated`, `since`/`until` (unix seconds), `resolution`
// (whole hours: outcome counters are hourly) → `[[ts, count], …]`, from the error-event outcomes.
//   received = everything that reached the server (accepted, filtered, rate limited, invalid);
//   rejected = rate limited; blacklisted = filtered (inbound filters); generated = accepted.
import type { IRequest } from "itty-router";
import { outcomeBuckets } from "../../db/outcome-stats.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_QUERY_PERIOD_SECONDS, MAX_SERIES_BUCKETS } from "../../limits.ts";
import { requestProject } from "../access.ts";
import { periodSeconds } from "../query-scope.ts";

const STAT_OUTCOMES: Record<string, string[]> = {
  received: ["accepted", "filtered", "rate_limited", "invalid", "too_large"],
  rejected: ["rate_limited"],
  blacklisted: ["filtered"],
  generated: ["accepted"],
};

function seconds(value: string | null, name: string, fallback: number): number {
  if (value === null || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw badRequest(`${name} must be a unix timestamp`);
  return n;
}

async function projectStats(request: IRequest, env: Env): Promise<Response> {
  const { org, project } = await requestProject(request, env, "project:read");
  const q = new URL(request.url).searchParams;
  const stat = q.get("stat") ?? "received";
  const outcomes = STAT_OUTCOMES[stat];
  if (!outcomes) throw badRequest(`Invalid stat: ${stat}. Use received, rejected, blacklisted or generated`);
  const resolution = q.get("resolution") ?? "1h";
  const interval = periodSeconds(resolution);
  if (interval === null || interval % 3600 !== 0)
    throw badRequest(`Invalid resolution: ${resolution}. Counts are kept per hour; use 1h or 1d`);
  const now = Date.now() / 1000;
  const until = seconds(q.get("until"), "until", now);
  const since = Math.max(seconds(q.get("since"), "since", until - 86400), now - MAX_QUERY_PERIOD_SECONDS);
  if (until < since) throw badRequest("since must be before until");
  const start = Math.floor(since / interval) * interval;
  const end = Math.floor(until / interval) * interval + interval;
  if ((end - start) / interval > MAX_SERIES_BUCKETS) throw badRequest("Too many points for this range");
  const rows = await outcomeBuckets(
    shardDb(env, org.shard),
    {
      projectIds: [project.id],
      start,
      end,
      categories: ["error", "default", "security"],
      outcomes,
      reasons: [],
    },
    [],
    interval,
    MAX_SERIES_BUCKETS + 1,
  );
  const counts = new Map(rows.map((r) => [r.bucket, Number(r.quantity)]));
  const points: [number, number][] = [];
  for (let t = start; t < end; t += interval) points.push([t, counts.get(t) ?? 0]);
  return json(points);
}

export function registerProjectStatsRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/stats/", (req, env) => projectStats(req, env));
}
