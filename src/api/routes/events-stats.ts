// Sentry's time series of the events API (`GET /organizations/{org}/events-stats/`): one aggregate
// (`yAxis`, default `count()`) per `interval` bucket over the time range, zero-filled, as
// `{data: [[ts, [{count}]], …], start, end}`; several `yAxis` give one such object per axis, and
// `topEvents` with `field`s one (or one per axis) per top group, keyed by the group's values.
import type { IRequest } from "itty-router";
import { type DiscoverScope, querySeries, queryTable, type Series } from "../../db/discover.ts";
import { datasetFor } from "../../db/discover-columns.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_QUERY_FIELDS, MAX_SERIES_BUCKETS, MAX_TOP_EVENTS } from "../../limits.ts";
import { parseSearchQuery, type SearchNode } from "../../protocol/search-syntax.ts";
import { periodSeconds, queryScope } from "../query-scope.ts";
import { sortKeys } from "./discover-events.ts";

const DEFAULT_INTERVALS = [60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 86400];

/** `interval` (`5m`, `1h`, `1d`, or seconds), else the finest that keeps the series short. */
export function seriesInterval(value: string | null, start: number, end: number): number {
  const range = Math.max(1, end - start);
  let seconds: number | null;
  if (value === null || value === "") {
    seconds = DEFAULT_INTERVALS.find((s) => range / s <= 200) ?? 86400;
  } else {
    seconds = /^\d+$/.test(value) ? Number(value) : periodSeconds(value);
    if (seconds === null || seconds <= 0) throw badRequest(`Invalid interval: ${value}`);
  }
  if (range / seconds > MAX_SERIES_BUCKETS)
    throw badRequest(`The interval ${value} gives more than ${MAX_SERIES_BUCKETS} buckets for this range`);
  return seconds;
}

/** Bucket starts from the one holding `start` to the one holding `end`. */
export function bucketStarts(start: number, end: number, interval: number): number[] {
  const first = Math.floor(start / interval) * interval;
  const out: number[] = [];
  for (let t = first; t < end; t += interval) out.push(t);
  return out;
}

function seriesBody(series: Series, buckets: number[], start: number, end: number, order?: number) {
  return {
    data: buckets.map((b) => [b, [{ count: series.values.get(b) ?? 0 }]]),
    start: Math.floor(start),
    end: Math.floor(end),
    isMetricsData: false,
    ...(order === undefined ? {} : { order }),
    meta: {
      fields: { time: "date", [series.yAxis]: series.type },
      units: { time: null, [series.yAxis]: series.unit },
      isMetricsData: false,
      tips: {},
      dataset: null,
    },
  };
}

async function eventsStats(request: IRequest, env: Env): Promise<Response> {
  const scope = await queryScope(request, env, "event:read");
  const url = new URL(request.url);
  const dataset = datasetFor(url.searchParams.get("dataset"));
  const yAxes = [...new Set(url.searchParams.getAll("yAxis").filter((y) => y !== ""))];
  if (yAxes.length === 0) yAxes.push("count()");
  if (yAxes.length > MAX_QUERY_FIELDS) throw badRequest(`At most ${MAX_QUERY_FIELDS} yAxis can be asked for`);
  const interval = seriesInterval(url.searchParams.get("interval"), scope.start, scope.end);
  const query = parseSearchQuery(url.searchParams.get("query"));
  const discoverScope: DiscoverScope = { projectIds: scope.projects.map((p) => p.id), ...scope };
  const buckets = bucketStarts(scope.start, scope.end, interval);
  const body = (series: Series[]) => {
    const [only] = series;
    if (series.length === 1 && only) return seriesBody(only, buckets, scope.start, scope.end);
    return Object.fromEntries(
      series.map((s, i) => [s.yAxis, seriesBody(s, buckets, scope.start, scope.end, i)]),
    );
  };
  const topEvents = url.searchParams.get("topEvents");
  if (!topEvents)
    return json(
      body(
        await querySeries(shardDb(env, scope.org.shard), discoverScope, { dataset, yAxes, query, interval }),
      ),
    );

  // Top events: the first `topEvents` groups of the fields (by `orderby`), one series per group.
  const top = Number(topEvents);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP_EVENTS)
    throw badRequest(`topEvents must be between 1 and ${MAX_TOP_EVENTS}`);
  const fields = [...new Set(url.searchParams.getAll("field").filter((f) => f !== ""))];
  const groupFields = fields.filter((f) => !/\(.*\)$/.test(f));
  if (groupFields.length === 0) throw badRequest("topEvents needs at least one field to group by");
  const tableFields = [...new Set([...fields, ...yAxes])];
  const sort = sortKeys(url, tableFields);
  const groups = await queryTable(shardDb(env, scope.org.shard), discoverScope, {
    dataset,
    fields: tableFields,
    query,
    sort: sort.length > 0 ? sort : [`-${yAxes[0]}`],
    limit: top,
    offset: 0,
  });
  const out: Record<string, unknown> = {};
  for (const [order, row] of groups.data.entries()) {
    const terms: SearchNode[] = groupFields.map((f) => {
      const value = row[f];
      return value === null || value === undefined || value === ""
        ? { kind: "has", key: f, negated: true }
        : { kind: "filter", key: f, op: "=", values: [String(value)] };
    });
    const groupQuery: SearchNode = { kind: "and", nodes: query ? [query, ...terms] : terms };
    const series = await querySeries(shardDb(env, scope.org.shard), discoverScope, {
      dataset,
      yAxes,
      query: groupQuery,
      interval,
    });
    const key = groupFields.map((f) => String(row[f] ?? "")).join(",");
    out[key] = { ...body(series), order };
  }
  return json(out);
}

export function registerEventsStatsRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/events-stats/", (req, env) => eventsStats(req, env));
}
