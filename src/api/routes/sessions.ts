// Sentry's release health query API, `GET /api/0/organizations/{org}/sessions/`: `field`
// (sum(session), count_unique(user), crash_free_rate(session|user), crash_rate(session|user),
// p50…p99/avg/max(session.duration) in ms),
// `groupBy` (project, release, environment, session.status), `interval` (whole hours: the counters
// are hourly), `statsPeriod` or `start`/`end`, `project`, `environment`, `query=release:…`. Answers
// from the hourly counters the project Durable Object keeps, never from session rows.
import { healthCountRows, healthDurationRows, healthUserRows } from "../../db/release-health-reads.ts";
import { shardDb } from "../../db/shards.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { alignRange, parseSessionsQuery, sessionsAnswer } from "../../protocol/health/sessions-query.ts";
import { queryScope } from "../query-scope.ts";

/**
 * The `environment` parameters and the query's `environment:` filter both apply: their intersection
 * (an impossible name when it is empty, since an empty list means any environment).
 */
function bothEnvironments(params: string[], query: string[]): string[] {
  if (params.length === 0) return query;
  if (query.length === 0) return params;
  const both = params.filter((e) => query.includes(e));
  return both.length > 0 ? both : ["\u0000none"];
}

export function registerSessionRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/sessions/", async (req, env) => {
    const scope = await queryScope(req, env, "org:read");
    const query = parseSessionsQuery(new URL(req.url).searchParams);
    const range = alignRange(scope.start, scope.end, query.interval);
    const needsUsers = query.fields.some((f) => f.includes("(user)"));
    const environments = bothEnvironments(scope.environments, query.environments);
    const filter = {
      projectIds: scope.projects.map((p) => p.id),
      start: range.start,
      end: range.end,
      releases: query.releases,
      environments,
    };
    const events = shardDb(env, scope.org.shard);
    const counts = await healthCountRows(events, filter);
    const users = needsUsers ? await healthUserRows(events, filter) : [];
    const needsDurations = query.fields.some((f) => f.endsWith("(session.duration)"));
    const durations = needsDurations ? await healthDurationRows(events, filter) : [];
    return json(sessionsAnswer(query, range, counts, users, durations));
  });
}
