// Sentry's usage stats (`GET /organizations/{org}/stats_v2/`) from the outcome counters ingest keeps:
// `field=sum(quantity)|sum(times_seen)`, `groupBy` (outcome, category, reason, project), filters by
// `category`/`outcome`/`reason`/`project`, `interval` (whole hours: counters are hourly) and the time
// range, as `{start, end, intervals, groups: [{by, totals, series}]}`.
import type { IRequest } from "itty-router";
import { type OutcomeColumn, outcomeBuckets } from "../../db/outcome-stats.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_OUTCOME_ROWS, MAX_SERIES_BUCKETS } from "../../limits.ts";
import { periodSeconds, queryScope } from "../query-scope.ts";

const FIELDS = { "sum(quantity)": "quantity", "sum(times_seen)": "times_seen" } as const;
type Field = keyof typeof FIELDS;
const GROUP_BY: readonly OutcomeColumn[] = ["outcome", "category", "reason", "project"];

/** Sentry's category names (plural or singular) → the ones outcomes are counted under. */
const CATEGORY_ALIASES: Record<string, string[]> = {
  error: ["error", "default", "security"],
  errors: ["error", "default", "security"],
  transaction: ["transaction"],
  transactions: ["transaction"],
  attachment: ["attachment"],
  attachments: ["attachment"],
  session: ["session"],
  sessions: ["session"],
  span: ["span"],
  spans: ["span"],
  log_item: ["log_item"],
  logs: ["log_item"],
  log_byte: ["log_byte"],
  profile: ["profile"],
  profiles: ["profile"],
  profile_chunk: ["profile_chunk"],
  replay: ["replay"],
  replays: ["replay"],
  monitor: ["monitor"],
  monitors: ["monitor"],
  feedback: ["feedback"],
  user_report_v2: ["feedback"],
  trace_metric: ["trace_metric"],
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Whole hours only: outcome counters are kept per hour. */
export function hourlyInterval(value: string | null): number {
  const seconds = value === null || value === "" ? 3600 : periodSeconds(value);
  if (seconds === null || seconds % 3600 !== 0)
    throw badRequest(`Invalid interval: ${value}. Usage stats are kept per hour; use 1h, 6h, 1d…`);
  return seconds;
}

async function statsV2(request: IRequest, env: Env): Promise<Response> {
  const scope = await queryScope(request, env, "org:read");
  const url = new URL(request.url);
  const q = url.searchParams;
  const fields = q.getAll("field");
  if (fields.length === 0)
    throw badRequest("At least one field is required: sum(quantity) or sum(times_seen)");
  for (const f of fields) if (!(f in FIELDS)) throw badRequest(`Invalid field: ${f}`);
  const groupBy = [...new Set(q.getAll("groupBy"))];
  for (const g of groupBy)
    if (!(GROUP_BY as readonly string[]).includes(g)) throw badRequest(`Invalid groupBy: ${g}`);
  const categories = q.getAll("category").flatMap((c) => {
    const known = CATEGORY_ALIASES[c];
    if (!known) throw badRequest(`Invalid category: ${c}`);
    return known;
  });
  const interval = hourlyInterval(q.get("interval"));
  const start = Math.floor(scope.start / interval) * interval;
  const end = Math.ceil(scope.end / interval) * interval;
  if ((end - start) / interval > MAX_SERIES_BUCKETS) throw badRequest("Too many intervals for this range");
  const rows = await outcomeBuckets(
    shardDb(env, scope.org.shard),
    {
      projectIds: scope.projects.map((p) => p.id),
      start,
      end,
      categories,
      outcomes: q.getAll("outcome"),
      reasons: q.getAll("reason"),
    },
    groupBy as OutcomeColumn[],
    interval,
    MAX_OUTCOME_ROWS + 1,
  );
  if (rows.length > MAX_OUTCOME_ROWS)
    throw badRequest("Too many groups and intervals; use a longer interval or fewer groupBy");
  const intervals: number[] = [];
  for (let t = start; t < end; t += interval) intervals.push(t);
  const groups = new Map<
    string,
    { by: Record<string, string | number>; totals: Record<string, number>; series: Record<string, number[]> }
  >();
  for (const row of rows) {
    const by: Record<string, string | number> = {};
    for (const g of groupBy as OutcomeColumn[])
      by[g] = g === "project" ? Number(row.project_id) : String(row[g] ?? "");
    const key = JSON.stringify(by);
    let group = groups.get(key);
    if (!group) {
      group = {
        by,
        totals: Object.fromEntries(fields.map((f) => [f, 0])),
        series: Object.fromEntries(fields.map((f) => [f, intervals.map(() => 0)])),
      };
      groups.set(key, group);
    }
    const index = (row.bucket - start) / interval;
    for (const f of fields as Field[]) {
      const value = Number(row[FIELDS[f]]);
      group.totals[f] = (group.totals[f] ?? 0) + value;
      const series = group.series[f];
      if (series && index >= 0 && index < series.length) series[index] = (series[index] ?? 0) + value;
    }
  }
  return json({
    start: iso(start),
    end: iso(end),
    intervals: intervals.map(iso),
    groups: [...groups.values()],
  });
}

export function registerStatsV2Routes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/stats_v2/", (req, env) => statsV2(req, env));
}
