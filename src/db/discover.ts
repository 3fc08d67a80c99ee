// Queries of Sentry's events API over D1: a table of fields (plain rows, or aggregates grouped by the
// plain fields) and time series of aggregates. Every query is scoped to the caller's project ids and a
// bounded time range, and LIMITed. `events` and `spans` are keyed by project first, so a query reads
// only the listed projects' rows. Error events are reached through their projects' issues, and events
// without an issue through a partial index by (project, time) (migration 0042); spans have an index by
// time only over segments (spans_project_segment_start). An index entry per error event or span would
// cost a row write per ingested one.
import { badRequest } from "../errors.ts";
import { MAX_DISCOVER_GROUPS_SORTED, MAX_SQL_PARAMS } from "../limits.ts";
import type { SearchNode } from "../protocol/search-syntax.ts";
import {
  type ColumnType,
  type Dataset,
  type DatasetTable,
  datasetTable,
  resolveColumn,
} from "./discover-columns.ts";
import {
  type Aggregate,
  conditionsSql,
  type Fragment,
  isAggregateField,
  percentileValue,
  resolveAggregate,
  type SqlValue,
} from "./discover-sql.ts";
import { eventWindows, readThroughWindows, type TimeBounds } from "./event-windows.ts";
import { projectsRelation } from "./sql.ts";

/** The dataset's rows (`from`, as projectRows reaches them) joined with the scope's projects (p.id, p.slug). */
const fromOf = (from: Fragment, scope: DiscoverScope) =>
  `${from.sql} JOIN ${projectsRelation(scope.projects)} p ON p.id = t.project_id`;

/**
 * How a dataset's rows of some projects (`ids`, inlined) within `bounds` are reached: the FROM of the
 * main table, aliased `t`, and a condition on it. Error events have no index by project and time
 * (migration 0042): they are the projects' issues' events, ranges of events_issue_timestamp. Events
 * without an issue (transactions) have events_unissued_project_timestamp. The discover dataset, both
 * kinds, is the union of the two ranges. (Left to itself, SQLite's OR of two indexes read the events
 * without an issue of every project on the shard by time, through events_issue_timestamp.)
 */
function projectRows(
  dataset: Dataset,
  table: DatasetTable,
  ids: string,
  bounds: TimeBounds,
): { from: Fragment; where: Fragment } {
  const time = timeFragment(table, bounds);
  const issued = `t.issue_id IN (SELECT id FROM issues WHERE project_id IN (${ids})) AND ${time.sql}`;
  const unissued = `t.project_id IN (${ids}) AND t.issue_id IS NULL AND ${time.sql}`;
  const all: Fragment = { sql: "1 = 1", params: [] };
  if (dataset === "errors")
    return {
      from: { sql: "events t INDEXED BY events_issue_timestamp", params: [] },
      where: { sql: issued, params: time.params },
    };
  if (dataset === "transactions")
    return {
      from: { sql: "events t INDEXED BY events_unissued_project_timestamp", params: [] },
      where: { sql: unissued, params: time.params },
    };
  if (dataset === "discover")
    return {
      from: {
        sql: `(SELECT t.* FROM events t INDEXED BY events_issue_timestamp WHERE ${issued}
               UNION ALL SELECT t.* FROM events t INDEXED BY events_unissued_project_timestamp WHERE ${unissued}) t`,
        params: [...time.params, ...time.params],
      },
      where: all,
    };
  return {
    from: { sql: table.from, params: [] },
    where: { sql: `${table.projectColumn} IN (${ids}) AND ${time.sql}`, params: time.params },
  };
}

/** Datasets whose rows by time are merged from issues' ranges: a page sorted by time reads windows. */
const mergedByTime = (dataset: Dataset) => dataset === "errors" || dataset === "discover";

export interface DiscoverScope {
  projectIds: number[];
  /** The same projects with their slugs (control plane): the `project` column, without a join. */
  projects: readonly { id: number; slug: string }[];
  environments: string[];
  /** Unix seconds, inclusive start and exclusive end. */
  start: number;
  end: number;
  now: number;
}

export interface FieldMeta {
  fields: Record<string, string>;
  units: Record<string, string | null>;
}

interface Selected {
  field: string;
  sql: string;
  type: ColumnType;
  unit: string | null;
  aggregate: boolean;
  percentile?: number;
  output?: (value: unknown) => unknown;
}

function select(dataset: Dataset, field: string, periodSeconds: number): Selected {
  const table = datasetTable(dataset);
  if (isAggregateField(field)) {
    const a: Aggregate = resolveAggregate(table, field, periodSeconds);
    return {
      field,
      sql: a.sql,
      type: a.type,
      unit: a.unit ?? null,
      aggregate: true,
      ...(a.percentile !== undefined ? { percentile: a.percentile } : {}),
    };
  }
  const c = resolveColumn(table, field);
  return {
    field,
    sql: c.sql,
    type: c.type,
    unit: c.unit ?? null,
    aggregate: false,
    ...(c.output ? { output: c.output } : {}),
  };
}

export const isoSeconds = (seconds: number): string =>
  new Date(Math.round(seconds * 1000)).toISOString().replace(/\.\d{3}Z$/, "+00:00");

function outputValue(s: Selected, value: unknown): unknown {
  if (s.percentile !== undefined) return percentileValue(value, s.percentile);
  if (s.output) return s.output(value);
  if (s.type === "date" && typeof value === "number") return isoSeconds(value);
  return value ?? null;
}

function baseWhere(dataset: Dataset, scope: DiscoverScope, query: SearchNode | null) {
  const table = datasetTable(dataset);
  if (scope.projectIds.length === 0) return null;
  // Project ids come from the database, never from the request: safe to inline (D1 bounds parameters).
  const ids = scope.projectIds.map((id) => Math.trunc(id)).join(",");
  const rows = projectRows(dataset, table, ids, { start: scope.start, end: scope.end });
  const where: Fragment[] = [{ sql: table.base, params: [] }, rows.where];
  if (scope.environments.length > 0)
    where.push({
      sql: `${table.environmentColumn} IN (${scope.environments.map(() => "?").join(",")})`,
      params: scope.environments,
    });
  const conditions = conditionsSql(query, { table, now: scope.now, periodSeconds: scope.end - scope.start });
  where.push(...conditions.where);
  const within = (bounds: TimeBounds) => projectRows(dataset, table, ids, bounds);
  return { table, from: rows.from, where, within, having: conditions.having };
}

/** Where the projects' rows within the time range are in baseWhere's `where`. */
const ROWS_FRAGMENT = 1;

/** The condition of a time range on the dataset's time column. */
function timeFragment(table: DatasetTable, bounds: TimeBounds): Fragment {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  if (bounds.start !== undefined) {
    sql.push(`${table.timeColumn} >= ?`);
    params.push(bounds.start);
  }
  if (bounds.end !== undefined) {
    sql.push(`${table.timeColumn} < ?`);
    params.push(bounds.end);
  }
  return { sql: sql.length > 0 ? sql.join(" AND ") : "1 = 1", params };
}

const sqlOf = (parts: Fragment[]) => parts.map((p) => p.sql).join(" AND ");
const paramsOf = (parts: Fragment[]) => parts.flatMap((p) => p.params);

function checkParams(params: SqlValue[]): void {
  if (params.length > MAX_SQL_PARAMS) throw badRequest("The query has too many terms or values");
}

export interface TableQuery {
  dataset: Dataset;
  fields: string[];
  query: SearchNode | null;
  /** Sort keys, `-` prefixed for descending. */
  sort: string[];
  limit: number;
  offset: number;
}

export interface TableResult {
  data: Record<string, unknown>[];
  meta: FieldMeta;
  hasMore: boolean;
}

export function fieldMeta(selected: { field: string; type: ColumnType; unit: string | null }[]): FieldMeta {
  const meta: FieldMeta = { fields: {}, units: {} };
  for (const s of selected) {
    meta.fields[s.field] = s.type;
    meta.units[s.field] = s.unit;
  }
  return meta;
}

export async function queryTable(db: D1Database, scope: DiscoverScope, q: TableQuery): Promise<TableResult> {
  const period = scope.end - scope.start;
  const selected = q.fields.map((f) => select(q.dataset, f, period));
  const meta = fieldMeta(selected);
  const base = baseWhere(q.dataset, scope, q.query);
  if (!base) return { data: [], meta, hasMore: false };
  const aggregated = selected.some((s) => s.aggregate);
  if (!aggregated && base.having.length > 0)
    throw badRequest("Aggregate filters need an aggregate field such as count()");
  const groupBy = aggregated ? selected.filter((s) => !s.aggregate).map((s) => s.sql) : [];

  // ORDER BY: a selected field by its alias, else (plain queries) any column.
  let sortInJs: { index: number; descending: boolean } | null = null;
  const orderBy: string[] = [];
  for (const key of q.sort) {
    const descending = key.startsWith("-");
    const name = descending ? key.slice(1) : key;
    const index = selected.findIndex((s) => s.field === name);
    const s = selected[index];
    if (s?.percentile !== undefined) {
      sortInJs ??= { index, descending };
      continue;
    }
    let expression: string;
    if (s) expression = `c${index}`;
    else if (isAggregateField(name)) {
      if (!aggregated) throw badRequest(`Cannot sort by ${name} without selecting an aggregate`);
      const other = select(q.dataset, name, period);
      if (other.percentile !== undefined) throw badRequest(`Add ${name} to the fields to sort by it`);
      expression = other.sql;
    } else if (aggregated) throw badRequest(`Cannot sort by ${name}: it is not one of the fields`);
    else expression = resolveColumn(base.table, name).sql;
    orderBy.push(`${expression} ${descending ? "DESC" : "ASC"}`);
  }
  if (!aggregated) orderBy.push(`${base.table.tieBreaker} DESC`);
  else if (orderBy.length === 0 && groupBy.length > 0) orderBy.push("c0 ASC");

  const columns = selected.map((s, i) => `${s.sql} AS c${i}`).join(", ");
  // A percentile sort happens here, over a bounded number of groups.
  const limit = sortInJs ? MAX_DISCOVER_GROUPS_SORTED + 1 : q.limit + 1;
  const offset = sortInJs ? 0 : q.offset;
  const statement = (bounds: TimeBounds) => {
    const rows = base.within(bounds);
    const where = base.where.map((f, i) => (i === ROWS_FRAGMENT ? rows.where : f));
    return {
      from: fromOf(rows.from, scope),
      where: sqlOf(where),
      params: [...rows.from.params, ...paramsOf(where)],
    };
  };
  const run = async (sql: string, params: SqlValue[]) => {
    checkParams(params);
    return (
      await db
        .prepare(sql)
        .bind(...params)
        .all<Record<string, unknown>>()
    ).results;
  };
  const read = (bounds: TimeBounds) => {
    const s = statement(bounds);
    let sql = `SELECT ${columns} FROM ${s.from} WHERE ${s.where}`;
    if (groupBy.length > 0) sql += ` GROUP BY ${groupBy.join(", ")}`;
    if (base.having.length > 0) sql += ` HAVING ${sqlOf(base.having)}`;
    if (orderBy.length > 0) sql += ` ORDER BY ${orderBy.join(", ")}`;
    return run(`${sql} LIMIT ? OFFSET ?`, [...s.params, ...paramsOf(base.having), limit, offset]);
  };
  // Plain rows of error events sorted by time alone: a window of the issues' ranges at a time
  // (event-windows.ts), the page's keys sorted first and the columns computed for those rows only
  // (SQLite computes a row's columns before it sorts: payload fields for every event of the window).
  const byTime = q.sort.length === 1 && q.sort[0]?.replace(/^-/, "") === "timestamp";
  const keysThenRows = (bounds: TimeBounds) => {
    const s = statement(bounds);
    const order = `t.timestamp ${q.sort[0] === "timestamp" ? "ASC" : "DESC"}, ${base.table.tieBreaker} DESC`;
    const keys = `SELECT t.project_id, t.event_id FROM ${s.from} WHERE ${s.where} ORDER BY ${order} LIMIT ? OFFSET ?`;
    // The keys, then their rows, then their projects, in that order (CROSS JOIN fixes SQLite's order):
    // `(…) IN (keys)` planned the keys twice, and a plain join walked the projects' rows by key.
    const sql = `SELECT ${columns} FROM (${keys}) k
      CROSS JOIN events t ON t.project_id = k.project_id AND t.event_id = k.event_id
      CROSS JOIN ${projectsRelation(scope.projects)} p ON p.id = t.project_id ORDER BY ${orderBy.join(", ")}`;
    return run(sql, [...s.params, limit, offset]);
  };
  const range = { start: scope.start, end: scope.end };
  const rows =
    !aggregated && !sortInJs && byTime && mergedByTime(q.dataset)
      ? await readThroughWindows(
          eventWindows(range, q.sort[0] === "timestamp", scope.now),
          limit,
          keysThenRows,
        )
      : await read(range);
  let data = rows.map((row) =>
    Object.fromEntries(selected.map((s, i) => [s.field, outputValue(s, row[`c${i}`])])),
  );
  if (sortInJs) {
    if (rows.length > MAX_DISCOVER_GROUPS_SORTED)
      throw badRequest(`Too many groups to sort by a percentile; narrow the query`);
    const { index, descending } = sortInJs;
    const key = selected[index]?.field ?? "";
    data.sort((a, b) => {
      const x = (a[key] as number | null) ?? Number.NEGATIVE_INFINITY;
      const y = (b[key] as number | null) ?? Number.NEGATIVE_INFINITY;
      return descending ? y - x : x - y;
    });
    data = data.slice(q.offset, q.offset + q.limit + 1);
  }
  return { data: data.slice(0, q.limit), meta, hasMore: data.length > q.limit };
}

export interface SeriesQuery {
  dataset: Dataset;
  yAxes: string[];
  query: SearchNode | null;
  /** Bucket width in seconds; buckets are aligned to multiples of it. */
  interval: number;
}

export interface Series {
  yAxis: string;
  /** Bucket start (unix seconds) → value. */
  values: Map<number, number | null>;
  type: ColumnType;
  unit: string | null;
}

/** Aggregates per time bucket, one series per y axis (empty buckets are absent from the maps). */
export async function querySeries(db: D1Database, scope: DiscoverScope, q: SeriesQuery): Promise<Series[]> {
  const selected = q.yAxes.map((y) => select(q.dataset, y, q.interval));
  for (const s of selected)
    if (!s.aggregate) throw badRequest(`yAxis ${s.field} must be an aggregate function such as count()`);
  const series: Series[] = selected.map((s) => ({
    yAxis: s.field,
    values: new Map(),
    type: s.type,
    unit: s.unit,
  }));
  const base = baseWhere(q.dataset, scope, q.query);
  if (!base) return series;
  if (base.having.length > 0) throw badRequest("Aggregate filters are not supported in time series");
  const bucket = `(CAST(${base.table.timeColumn} / ${q.interval} AS INTEGER) * ${q.interval})`;
  const columns = selected.map((s, i) => `${s.sql} AS c${i}`).join(", ");
  const params = [...base.from.params, ...paramsOf(base.where)];
  checkParams(params);
  const rows = (
    await db
      .prepare(
        `SELECT ${bucket} AS bucket, ${columns} FROM ${fromOf(base.from, scope)} WHERE ${sqlOf(base.where)} GROUP BY bucket ORDER BY bucket LIMIT ?`,
      )
      .bind(...params, Math.ceil((scope.end - scope.start) / q.interval) + 1)
      .all<Record<string, unknown>>()
  ).results;
  for (const row of rows) {
    selected.forEach((s, i) => {
      const value = outputValue({ ...s, type: "number" }, row[`c${i}`]);
      series[i]?.values.set(Number(row.bucket), typeof value === "number" ? value : null);
    });
  }
  return series;
}

/** The type of a field in a dataset (throws a 400 for an unknown function or malformed key). */
export function fieldType(dataset: Dataset, field: string): ColumnType {
  return select(dataset, field, 86400).type;
}

/** Throws a 400 when a search tree cannot become SQL for the dataset. */
export function checkConditions(dataset: Dataset, query: SearchNode | null, now: number): void {
  conditionsSql(query, { table: datasetTable(dataset), now, periodSeconds: 86400 });
}

/**
 * A search query over error events as one SQL condition on `events t` (the issue and project event
 * lists filter with it); throws a 400 for a query the events dataset cannot answer, or an aggregate.
 */
export function eventCondition(
  query: SearchNode | null,
  now: number,
  periodSeconds: number,
): { sql: string; params: SqlValue[] } | null {
  const conditions = conditionsSql(query, { table: datasetTable("errors"), now, periodSeconds });
  if (conditions.having.length > 0) throw badRequest("An event list cannot be filtered on an aggregate");
  if (conditions.where.length === 0) return null;
  const params = paramsOf(conditions.where);
  checkParams(params);
  return { sql: sqlOf(conditions.where), params };
}
