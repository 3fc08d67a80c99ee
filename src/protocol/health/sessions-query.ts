// Sentry's sessions API (`GET /api/0/organizations/{org}/sessions/`) over the hourly health counters:
// reading its parameters (field, groupBy, interval, query) and answering in its shape —
// `{start, end, intervals, groups: [{by, totals, series}], query}`. Pure: the caller reads the counter
// and user rows of the range and hands them in.
import { badRequest } from "../../errors.ts";
import { HEALTH_INTERVAL_SECONDS, MAX_HEALTH_GROUPS, MAX_HEALTH_INTERVALS } from "../../limits.ts";
import { parseSearchQuery, type SearchNode } from "../search-syntax.ts";
import {
  bucketSeconds,
  CRASHED_RANK,
  crashFreeRate,
  durationQuantile,
  emptyCounts,
  HEALTH_STATUSES,
  type StatusCounts,
  totalOf,
} from "./session-counting.ts";

export const SESSION_FIELDS = [
  "sum(session)",
  "count_unique(user)",
  "crash_free_rate(session)",
  "crash_free_rate(user)",
  "crash_rate(session)",
  "crash_rate(user)",
  "p50(session.duration)",
  "p75(session.duration)",
  "p90(session.duration)",
  "p95(session.duration)",
  "p99(session.duration)",
  "avg(session.duration)",
  "max(session.duration)",
] as const;
export type SessionField = (typeof SESSION_FIELDS)[number];
export const SESSION_GROUPS = ["project", "release", "environment", "session.status"] as const;
export type SessionGroup = (typeof SESSION_GROUPS)[number];

export interface HealthCountRow extends StatusCounts {
  projectId: number;
  hour: number;
  release: string;
  environment: string;
}

export interface HealthUserRow {
  projectId: number;
  hour: number;
  release: string;
  environment: string;
  userHash: string;
  status: number;
}

export interface HealthDurationRow {
  projectId: number;
  hour: number;
  release: string;
  environment: string;
  bucket: number;
  n: number;
}

export interface SessionsQuery {
  fields: SessionField[];
  groupBy: SessionGroup[];
  interval: number;
  /** Releases/environments the `query` asks for (empty: any). */
  releases: string[];
  environments: string[];
  orderBy: { field: SessionField; descending: boolean } | null;
  limit: number;
  queryText: string;
}

/** `1h`, `2h`, `1d`, `7d`, `1w` → seconds; a multiple of an hour, else a 400. */
export function parseInterval(text: string | null): number {
  if (text === null || text === "") return HEALTH_INTERVAL_SECONDS;
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match?.[2] ?? ""] ?? 0;
  const seconds = Number(match?.[1] ?? 0) * unit;
  if (!match || seconds <= 0) throw badRequest(`Invalid interval: ${text}`);
  if (seconds % HEALTH_INTERVAL_SECONDS !== 0)
    throw badRequest("The interval has to be a multiple of the minimum interval of one hour.");
  return seconds;
}

/** Reads field/groupBy/interval/query/orderBy/per_page of the request. */
export function parseSessionsQuery(params: URLSearchParams): SessionsQuery {
  const fields = params.getAll("field");
  if (fields.length === 0) throw badRequest('Request is missing a "field"');
  for (const f of fields)
    if (!(SESSION_FIELDS as readonly string[]).includes(f)) throw badRequest(`Invalid field: "${f}"`);
  const groupBy = params.getAll("groupBy");
  for (const g of groupBy)
    if (!(SESSION_GROUPS as readonly string[]).includes(g)) throw badRequest(`Invalid groupBy: "${g}"`);
  if (groupBy.includes("session.status")) {
    // Rates and durations are of all sessions (durations: of healthy ones), not of one status.
    const rate = fields.find((f) => f.includes("_rate(") || f.includes("(session.duration)"));
    if (rate) throw badRequest(`Cannot group field ${rate} by session.status`);
  }
  const queryText = params.get("query") ?? "";
  const { releases, environments } = readConditions(queryText);
  const order = params.get("orderBy");
  let orderBy: SessionsQuery["orderBy"] = null;
  if (order) {
    const field = order.replace(/^-/, "");
    if (!fields.includes(field)) throw badRequest("'orderBy' must be one of the provided 'fields'");
    if (groupBy.length === 0) throw badRequest("'orderBy' requires a groupBy");
    orderBy = { field: field as SessionField, descending: order.startsWith("-") };
  }
  const perPage = Number(params.get("per_page") ?? MAX_HEALTH_GROUPS);
  return {
    fields: fields as SessionField[],
    groupBy: [...new Set(groupBy)] as SessionGroup[],
    interval: parseInterval(params.get("interval")),
    releases,
    environments,
    orderBy,
    limit:
      Number.isSafeInteger(perPage) && perPage > 0 ? Math.min(perPage, MAX_HEALTH_GROUPS) : MAX_HEALTH_GROUPS,
    queryText,
  };
}

/**
 * `release:1.0 environment:production`, `release:[a,b]`, `release:a OR release:b`: the conditions the
 * counters can answer (any other filter is a 400, not silently ignored).
 */
function readConditions(text: string): { releases: string[]; environments: string[] } {
  const found = { release: [] as string[], environment: [] as string[] };
  const visit = (node: SearchNode, inOr: string | null): void => {
    if (node.kind === "and" && inOr === null) {
      for (const n of node.nodes) visit(n, null);
      return;
    }
    if (node.kind === "or" && inOr === null) {
      const first = node.nodes[0];
      const key = first?.kind === "filter" ? first.key : "";
      for (const n of node.nodes) visit(n, key);
      return;
    }
    if (
      node.kind !== "filter" ||
      node.op !== "=" ||
      (node.key !== "release" && node.key !== "environment") ||
      (inOr !== null && node.key !== inOr)
    ) {
      throw badRequest(`Invalid query: only release:… and environment:… filter sessions (${text})`);
    }
    found[node.key].push(...node.values);
  };
  const tree = parseSearchQuery(text);
  if (tree) visit(tree, null);
  return { releases: found.release, environments: found.environment };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The range the answer covers: start rounded down and end up to the interval, at most MAX_HEALTH_INTERVALS. */
export function alignRange(start: number, end: number, interval: number): { start: number; end: number } {
  const alignedStart = Math.floor(start / interval) * interval;
  const alignedEnd = Math.ceil(end / interval) * interval;
  if ((alignedEnd - alignedStart) / interval > MAX_HEALTH_INTERVALS)
    throw badRequest(
      "Your interval and date range would create too many results. Use a larger interval, or a smaller date range.",
    );
  return { start: alignedStart, end: Math.max(alignedEnd, alignedStart + interval) };
}

interface Bucketed {
  counts: StatusCounts;
  users: Map<string, number>;
  /** Duration histogram bucket → healthy exited sessions. */
  durations: Map<number, number>;
}

const emptyBucket = (): Bucketed => ({ counts: emptyCounts(), users: new Map(), durations: new Map() });

const QUANTILES: Record<string, number> = { p50: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };

/** A duration field in milliseconds (Sentry's unit for session.duration), from the histogram. */
function durationValue(field: SessionField, histogram: ReadonlyMap<number, number>): number | null {
  const fn = field.slice(0, field.indexOf("("));
  let seconds: number | null;
  if (fn === "avg") {
    let n = 0;
    let sum = 0;
    for (const [bucket, count] of histogram) {
      n += count;
      sum += count * bucketSeconds(bucket);
    }
    seconds = n > 0 ? sum / n : null;
  } else if (fn === "max") {
    const buckets = [...histogram.entries()].filter(([, count]) => count > 0).map(([b]) => b);
    seconds = buckets.length ? bucketSeconds(Math.max(...buckets)) : null;
  } else {
    seconds = durationQuantile(histogram, QUANTILES[fn] ?? 0.5);
  }
  return seconds === null ? null : Math.round(seconds * 1000);
}

/** The group key of a row for the dimensions other than session.status. */
function byOf(
  groupBy: readonly SessionGroup[],
  row: { projectId: number; release: string; environment: string },
) {
  const by: Record<string, string | number | null> = {};
  for (const g of groupBy) {
    if (g === "project") by.project = row.projectId;
    else if (g === "release") by.release = row.release;
    else if (g === "environment") by.environment = row.environment === "" ? null : row.environment;
  }
  return by;
}

function fieldValue(field: SessionField, b: Bucketed, status: number | null): number | null {
  const total = totalOf(b.counts);
  const users = [...b.users.values()];
  const crashedUsers = users.filter((r) => r === CRASHED_RANK).length;
  switch (field) {
    case "sum(session)":
      return status === null ? total : b.counts[HEALTH_STATUSES[status] ?? "healthy"];
    case "count_unique(user)":
      return status === null ? users.length : users.filter((r) => r === status).length;
    case "crash_free_rate(session)":
      return crashFreeRate(total, b.counts.crashed);
    case "crash_free_rate(user)":
      return crashFreeRate(users.length, crashedUsers);
    case "crash_rate(session)":
      return total > 0 ? b.counts.crashed / total : null;
    case "crash_rate(user)":
      return users.length > 0 ? crashedUsers / users.length : null;
    default:
      return durationValue(field, b.durations);
  }
}

/** Sentry's answer for the rows of [start, end) (already aligned to the interval). */
export function sessionsAnswer(
  q: SessionsQuery,
  range: { start: number; end: number },
  counts: readonly HealthCountRow[],
  users: readonly HealthUserRow[],
  durations: readonly HealthDurationRow[] = [],
) {
  const n = Math.round((range.end - range.start) / q.interval);
  const intervals = Array.from({ length: n }, (_, i) => iso(range.start + i * q.interval));
  const groups = new Map<
    string,
    { by: Record<string, string | number | null>; total: Bucketed; series: Bucketed[] }
  >();
  const groupOf = (row: HealthCountRow | HealthUserRow | HealthDurationRow) => {
    const by = byOf(q.groupBy, row);
    const key = JSON.stringify(by);
    let g = groups.get(key);
    if (!g) {
      g = { by, total: emptyBucket(), series: Array.from({ length: n }, emptyBucket) };
      groups.set(key, g);
    }
    return g;
  };
  const indexOf = (hour: number) => Math.floor((hour - range.start) / q.interval);
  for (const row of counts) {
    const i = indexOf(row.hour);
    if (i < 0 || i >= n) continue;
    const g = groupOf(row);
    for (const s of HEALTH_STATUSES) {
      g.total.counts[s] += row[s];
      const bucket = g.series[i];
      if (bucket) bucket.counts[s] += row[s];
    }
  }
  const raise = (map: Map<string, number>, user: string, rank: number) =>
    map.set(user, Math.max(map.get(user) ?? -1, rank));
  for (const row of users) {
    const i = indexOf(row.hour);
    if (i < 0 || i >= n) continue;
    const g = groupOf(row);
    raise(g.total.users, row.userHash, row.status);
    const bucket = g.series[i];
    if (bucket) raise(bucket.users, row.userHash, row.status);
  }
  const addTo = (map: Map<number, number>, bucket: number, n: number) =>
    map.set(bucket, (map.get(bucket) ?? 0) + n);
  for (const row of durations) {
    const i = indexOf(row.hour);
    if (i < 0 || i >= n) continue;
    const g = groupOf(row);
    addTo(g.total.durations, row.bucket, row.n);
    const bucket = g.series[i];
    if (bucket) addTo(bucket.durations, row.bucket, row.n);
  }
  const statuses: (number | null)[] = q.groupBy.includes("session.status")
    ? HEALTH_STATUSES.map((_, i) => i)
    : [null];
  let out = [...groups.values()].flatMap((g) =>
    statuses.map((status) => {
      const by = status === null ? g.by : { ...g.by, "session.status": HEALTH_STATUSES[status] ?? null };
      const totals: Record<string, number | null> = {};
      const series: Record<string, (number | null)[]> = {};
      for (const f of q.fields) {
        totals[f] = fieldValue(f, g.total, status);
        series[f] = g.series.map((b) => fieldValue(f, b, status));
      }
      return { by, totals, series };
    }),
  );
  // Without a groupBy there is always one group, with zeros when nothing was counted.
  if (q.groupBy.length === 0 && out.length === 0) {
    const b = emptyBucket();
    const totals: Record<string, number | null> = {};
    const series: Record<string, (number | null)[]> = {};
    for (const f of q.fields) {
      totals[f] = fieldValue(f, b, null);
      series[f] = intervals.map(() => fieldValue(f, b, null));
    }
    out = [{ by: {}, totals, series }];
  }
  if (q.orderBy) {
    const { field, descending } = q.orderBy;
    const sign = descending ? -1 : 1;
    out.sort((a, b) => sign * ((a.totals[field] ?? -1) - (b.totals[field] ?? -1)));
  }
  return {
    start: iso(range.start),
    end: iso(range.end),
    intervals,
    groups: out.slice(0, q.limit),
    query: q.queryText,
  };
}
