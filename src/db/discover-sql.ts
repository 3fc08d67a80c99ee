// Sentry search conditions and aggregate functions as SQL over one dataset's table (see
// discover-columns.ts). Every value is a bound parameter; only column expressions are spliced in.

import { badRequest } from "../errors.ts";
import { parseDateValue, parseNumeric, type SearchNode } from "../protocol/search-syntax.ts";
import { type Column, type ColumnType, type DatasetTable, resolveColumn } from "./discover-columns.ts";

export type SqlValue = string | number;

export interface Fragment {
  sql: string;
  params: SqlValue[];
}

export interface Aggregate {
  /** SQL of the aggregate; for percentiles, a JSON array of the values (the percentile is taken in JS). */
  sql: string;
  type: ColumnType;
  unit?: string;
  /** Fraction for percentile functions. */
  percentile?: number;
}

const PERCENTILES: Record<string, number> = {
  p50: 0.5,
  median: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p100: 1,
};

export function parseFunction(field: string): { name: string; args: string[] } | null {
  const match = /^([a-z_][a-z0-9_]*)\((.*)\)$/i.exec(field.trim());
  if (!match?.[1]) return null;
  const args = (match[2] ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  return { name: match[1], args };
}

export const isAggregateField = (field: string): boolean => parseFunction(field) !== null;

const NUMERIC: ColumnType[] = ["integer", "number", "duration"];

function measure(table: DatasetTable, name: string, arg: string | undefined): Column {
  const field = arg ?? table.defaultMeasure;
  if (!field) throw badRequest(`${name}() needs a column in this dataset`);
  const column = resolveColumn(table, field);
  return column.type === "string"
    ? { ...column, sql: `CAST(${column.sql} AS REAL)`, type: "number" }
    : column;
}

/** An aggregate function of Sentry's (`count()`, `p95(span.duration)`, …) as SQL. */
export function resolveAggregate(table: DatasetTable, field: string, periodSeconds: number): Aggregate {
  const fn = parseFunction(field);
  if (!fn) throw badRequest(`${field} is not a function`);
  const [arg, second] = fn.args;
  switch (fn.name) {
    case "count":
      return { sql: "COUNT(*)", type: "integer" };
    case "count_unique": {
      const column = resolveColumn(table, arg ?? "user");
      return { sql: `COUNT(DISTINCT ${column.sql})`, type: "integer" };
    }
    case "last_seen":
      return { sql: `MAX(${table.timeColumn})`, type: "date" };
    case "first_seen":
      return { sql: `MIN(${table.timeColumn})`, type: "date" };
    case "epm":
      return { sql: `(COUNT(*) * 60.0 / ${Math.max(1, periodSeconds)})`, type: "number" };
    case "eps":
      return { sql: `(COUNT(*) * 1.0 / ${Math.max(1, periodSeconds)})`, type: "number" };
    case "failure_rate": {
      const status = table.columns["span.status"] ?? table.columns["transaction.status"];
      if (!status) throw badRequest("failure_rate() is not available in this dataset");
      return {
        sql: `AVG(CASE WHEN COALESCE(${status.sql}, 'ok') IN ('ok', 'cancelled', 'unknown', 'unknown_error') THEN 0.0 ELSE 1.0 END)`,
        type: "number",
      };
    }
    case "min":
    case "max":
    case "avg":
    case "sum": {
      const column = measure(table, fn.name, arg);
      const type = fn.name === "avg" && column.type === "integer" ? "number" : column.type;
      return {
        sql: `${fn.name.toUpperCase()}(${column.sql})`,
        type,
        ...(column.unit ? { unit: column.unit } : {}),
      };
    }
    case "percentile": {
      const q = Number(second);
      if (!(q >= 0 && q <= 1)) throw badRequest(`percentile(${fn.args.join(",")}) needs a fraction 0..1`);
      const column = measure(table, fn.name, arg);
      return percentileOf(column, q);
    }
    default: {
      const q = PERCENTILES[fn.name];
      if (q === undefined) throw badRequest(`${fn.name} is not a valid function`);
      return percentileOf(measure(table, fn.name, arg), q);
    }
  }
}

function percentileOf(column: Column, q: number): Aggregate {
  if (!NUMERIC.includes(column.type)) throw badRequest("Percentiles need a numeric column");
  return {
    sql: `json_group_array(${column.sql})`,
    type: column.type,
    percentile: q,
    ...(column.unit ? { unit: column.unit } : {}),
  };
}

/** The percentile of a JSON array of numbers (nulls ignored), interpolated as Snuba's quantile does. */
export function percentileValue(arrayJson: unknown, q: number): number | null {
  if (typeof arrayJson !== "string") return null;
  const values = (JSON.parse(arrayJson) as unknown[])
    .filter((v): v is number => typeof v === "number")
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  const position = (values.length - 1) * q;
  const low = Math.floor(position);
  const lowValue = values[low] ?? 0;
  const highValue = values[Math.min(values.length - 1, low + 1)] ?? lowValue;
  return lowValue + (highValue - lowValue) * (position - low);
}

const likePattern = (value: string, contains: boolean): string => {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
  return contains && !escaped.startsWith("%") && !escaped.endsWith("%") ? `%${escaped}%` : escaped;
};

function typedValue(column: Column, value: string, now: number): SqlValue {
  switch (column.type) {
    case "integer":
    case "number":
    case "duration": {
      const number = parseNumeric(value, column.type === "duration");
      if (number === null) throw badRequest(`Invalid number: ${value}`);
      return number;
    }
    case "date": {
      const seconds = parseDateValue(value.replace(/^[-+](?=\d+[smhdw]$)/, ""), now);
      if (seconds === null) throw badRequest(`Invalid date: ${value}`);
      return seconds;
    }
    case "boolean": {
      if (/^(true|1|yes)$/i.test(value)) return 1;
      if (/^(false|0|no)$/i.test(value)) return 0;
      throw badRequest(`Invalid boolean: ${value}`);
    }
    default:
      return column.filterValue ? column.filterValue(value) : value;
  }
}

function filterOn(expression: string, column: Column, op: string, values: string[], now: number): Fragment {
  const negate = op === "!=";
  const wrap = (f: Fragment): Fragment =>
    negate ? { sql: `(NOT COALESCE(${f.sql}, 0))`, params: f.params } : f;
  if (column.type === "string" && (op === "=" || op === "!=")) {
    const parts: Fragment[] = values.map((value) => {
      if (value === "") return { sql: `(${expression} IS NULL OR ${expression} = '')`, params: [] };
      if (column.equals && !value.includes("*") && !column.contains) return column.equals(value);
      if (value.includes("*") || column.contains)
        return {
          sql: `${expression} LIKE ? ESCAPE '\\'`,
          params: [likePattern(column.filterValue ? column.filterValue(value) : value, !!column.contains)],
        };
      return { sql: `${expression} = ?`, params: [typedValue(column, value, now)] };
    });
    return wrap(or(parts));
  }
  if (column.type === "date" && op === "=" && values.length === 1) {
    const value = values[0] ?? "";
    const relative = /^([-+])\d+[smhdw]$/.exec(value);
    const cutoff = typedValue(column, value, now);
    if (relative) return { sql: `${expression} ${relative[1] === "-" ? ">=" : "<"} ?`, params: [cutoff] };
    if (/^\d{4}-\d\d-\d\d$/.test(value))
      return { sql: `(${expression} >= ? AND ${expression} < ?)`, params: [cutoff, Number(cutoff) + 86400] };
  }
  if (column.type === "string" && values.every((v) => parseNumeric(v, false) !== null)) {
    // A tag or attribute compared as a number (`http.response.status_code:>=500`).
    const sqlOp = op;
    return or(
      values.map((v) => ({
        sql: `CAST(${expression} AS REAL) ${sqlOp} ?`,
        params: [parseNumeric(v, false) ?? 0],
      })),
    );
  }
  const sqlOp = op === "!=" ? "=" : op;
  return wrap(
    or(values.map((v) => ({ sql: `${expression} ${sqlOp} ?`, params: [typedValue(column, v, now)] }))),
  );
}

function or(parts: Fragment[]): Fragment {
  if (parts.length === 1 && parts[0]) return parts[0];
  return { sql: `(${parts.map((p) => p.sql).join(" OR ")})`, params: parts.flatMap((p) => p.params) };
}

function join(parts: Fragment[], glue: "AND" | "OR"): Fragment {
  return { sql: `(${parts.map((p) => p.sql).join(` ${glue} `)})`, params: parts.flatMap((p) => p.params) };
}

export interface ConditionContext {
  table: DatasetTable;
  now: number;
  periodSeconds: number;
}

/** A search tree as a row condition; aggregate filters (`count():>5`) are refused here. */
export function whereSql(node: SearchNode, ctx: ConditionContext): Fragment {
  const { table, now } = ctx;
  switch (node.kind) {
    case "and":
    case "or":
      return join(
        node.nodes.map((n) => whereSql(n, ctx)),
        node.kind === "and" ? "AND" : "OR",
      );
    case "text": {
      const pattern = likePattern(node.value, true);
      const any = table.textColumns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ");
      const params = table.textColumns.map(() => pattern);
      return { sql: node.negated ? `(NOT COALESCE(${any}, 0))` : `(${any})`, params };
    }
    case "has": {
      const column = resolveColumn(table, node.key);
      const sql = `(${column.sql} IS NOT NULL AND ${column.sql} <> '')`;
      return { sql: node.negated ? `(NOT ${sql})` : sql, params: [] };
    }
    case "filter": {
      if (isAggregateField(node.key))
        throw badRequest(`Aggregate filters such as ${node.key} must not be combined with OR`);
      const column = resolveColumn(table, node.key);
      return filterOn(column.sql, column, node.op, node.values, now);
    }
  }
}

/** Splits a tree into row conditions (WHERE) and aggregate conditions (HAVING), both AND-ed. */
export function conditionsSql(
  node: SearchNode | null,
  ctx: ConditionContext,
): { where: Fragment[]; having: Fragment[] } {
  const where: Fragment[] = [];
  const having: Fragment[] = [];
  const terms = node === null ? [] : node.kind === "and" ? node.nodes : [node];
  for (const term of terms) {
    if (term.kind === "filter" && isAggregateField(term.key)) {
      const aggregate = resolveAggregate(ctx.table, term.key, ctx.periodSeconds);
      if (aggregate.percentile !== undefined)
        throw badRequest(`Filtering on ${term.key} is not supported; filter on count() or avg() instead`);
      const column: Column = { sql: aggregate.sql, type: aggregate.type };
      having.push(filterOn(aggregate.sql, column, term.op, term.values, ctx.now));
    } else where.push(whereSql(term, ctx));
  }
  return { where, having };
}
