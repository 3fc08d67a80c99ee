// The columns of Sentry's events API (Discover / Explore) per dataset, as SQL over Faultline's tables:
// `errors`, `transactions` and the older `discover` read `events`; `spans` reads `spans`; `logs` reads
// `logs`. Fields outside these lists are tags (events) or attributes (spans, logs). Payload fields come
// from `events.payload` and are null for the rare event whose payload was too large for a row (R2).
import { badRequest } from "../errors.ts";
import { decodeShortNumber, encodeShortNumber } from "../protocol/short-id.ts";
import { traceIdMatch, traceIdMatchBinds, traceIdSql } from "./hex-ids.ts";
import { projectionPath, tagsSql } from "./payload-shape-sql.ts";

export type Dataset = "errors" | "transactions" | "discover" | "spans" | "logs";
export type ColumnType = "string" | "integer" | "number" | "date" | "duration" | "boolean";

export interface Column {
  sql: string;
  type: ColumnType;
  unit?: string;
  /** Filters match a substring (Sentry's `message:` does). */
  contains?: boolean;
  /** Turns a filter value into the form `sql` yields (e.g. an issue short id into its stored form). */
  filterValue?: (value: string) => string;
  /** Turns a stored value into the API's. */
  output?: (value: unknown) => unknown;
  /** Equality to one value as its own condition, where it serves better than `sql = ?` (an index). */
  equals?: (value: string) => { sql: string; params: string[] };
}

export interface DatasetTable {
  /** FROM clause; the main table is aliased `t`, its project `p`. */
  from: string;
  /** Conditions every row of the dataset meets. */
  base: string;
  projectColumn: string;
  timeColumn: string;
  environmentColumn: string;
  /** Columns free text searches. */
  textColumns: string[];
  /** Ordering tie-breaker that makes pages stable. */
  tieBreaker: string;
  columns: Record<string, Column>;
  /** A tag or attribute column for any other key. */
  other: (key: string) => Column;
  /** The default column of `p95()`/`avg()` without an argument. */
  defaultMeasure: string | null;
}

/** Keys usable inside SQL string literals: tag keys and attribute names as SDKs send them. */
const SAFE_KEY = /^[A-Za-z0-9_.:\-@/]{1,200}$/;

function literalKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw badRequest(`Invalid field or key: ${key}`);
  return key;
}

const base32Issue = (value: unknown): unknown => {
  if (typeof value !== "string") return value;
  const cut = value.lastIndexOf("-");
  const number = Number(value.slice(cut + 1));
  return Number.isSafeInteger(number) && number >= 0
    ? `${value.slice(0, cut)}-${encodeShortNumber(number)}`
    : value;
};

/** `PROJ-1A` → `PROJ-42` (base 32), the form the SQL of the `issue` column yields. */
const decimalIssue = (value: string): string => {
  const cut = value.lastIndexOf("-");
  const number = decodeShortNumber(value.slice(cut + 1));
  return cut > 0 && number !== null ? `${value.slice(0, cut).toUpperCase()}-${number}` : value.toUpperCase();
};

/** The file names of an exception JSON's frames (the `stack.filename` field). */
const frameFilenames = (value: unknown): unknown => {
  if (typeof value !== "string") return null;
  try {
    type Frame = { filename?: unknown } | string | null;
    const parsed = JSON.parse(value) as { values?: { stacktrace?: { frames?: Frame[] } }[] };
    // A projection names a frame that only has a file by the file name; whole payloads hold objects.
    const names = (parsed.values ?? []).flatMap((v) =>
      (v.stacktrace?.frames ?? []).map((f) => (typeof f === "string" ? f : f?.filename)),
    );
    return [...new Set(names.filter((n): n is string => typeof n === "string"))];
  } catch {
    return null;
  }
};

const toBoolean = (value: unknown): unknown => (value === null ? null : value === 1 || value === true);

// A path of the projection: from the row's shape for the paths a shape holds (payload-shape.ts).
const payload = (path: string): string => projectionPath("t", path);

const projectColumns = (): Record<string, Column> => ({
  project: { sql: "p.slug", type: "string" },
  "project.name": { sql: "p.slug", type: "string" },
  "project.id": { sql: "t.project_id", type: "integer" },
  project_id: { sql: "t.project_id", type: "integer" },
});

const EVENT_COLUMNS: Record<string, Column> = {
  ...projectColumns(),
  id: { sql: "t.event_id", type: "string" },
  title: { sql: "t.title", type: "string" },
  message: { sql: "COALESCE(t.message, t.title)", type: "string", contains: true },
  timestamp: { sql: "t.timestamp", type: "date" },
  "timestamp.to_hour": { sql: "(CAST(t.timestamp / 3600 AS INTEGER) * 3600)", type: "date" },
  "timestamp.to_day": { sql: "(CAST(t.timestamp / 86400 AS INTEGER) * 86400)", type: "date" },
  received: { sql: "t.received", type: "date" },
  issue: {
    sql: "CASE WHEN t.issue_id IS NULL THEN NULL ELSE upper(p.slug) || '-' || (SELECT short_id FROM issues WHERE id = t.issue_id) END",
    type: "string",
    filterValue: decimalIssue,
    output: base32Issue,
  },
  "issue.id": { sql: "t.issue_id", type: "integer" },
  culprit: {
    sql: `COALESCE(${payload("$.culprit")}, (SELECT culprit FROM issues WHERE id = t.issue_id))`,
    type: "string",
  },
  level: { sql: "t.level", type: "string" },
  platform: { sql: "t.platform", type: "string" },
  "event.type": { sql: "t.type", type: "string" },
  transaction: { sql: "t.transaction_name", type: "string" },
  trace: {
    sql: traceIdSql("t"),
    type: "string",
    equals: (value) => {
      const [text, blob] = traceIdMatchBinds(value);
      return blob === null
        ? { sql: "t.trace_id = ?", params: [text] }
        : { sql: traceIdMatch("t"), params: [text, blob] };
    },
  },
  "trace.span": { sql: payload("$.contexts.trace.span_id"), type: "string" },
  environment: { sql: "t.environment", type: "string" },
  release: { sql: "t.release", type: "string" },
  dist: { sql: payload("$.dist"), type: "string" },
  logger: { sql: payload("$.logger"), type: "string" },
  server_name: { sql: payload("$.server_name"), type: "string" },
  user: { sql: "t.user_key", type: "string" },
  "user.display": {
    sql: `COALESCE(${payload("$.user.email")}, ${payload("$.user.username")}, ${payload("$.user.id")}, ${payload("$.user.ip_address")})`,
    type: "string",
  },
  "user.id": { sql: payload("$.user.id"), type: "string" },
  "user.email": { sql: payload("$.user.email"), type: "string" },
  "user.username": { sql: payload("$.user.username"), type: "string" },
  "user.ip": { sql: payload("$.user.ip_address"), type: "string" },
  "error.type": { sql: payload("$.exception.values[#-1].type"), type: "string" },
  "error.value": { sql: payload("$.exception.values[#-1].value"), type: "string" },
  "error.handled": {
    sql: `CASE WHEN ${payload("$.exception.values[#-1].mechanism.handled")} = 0 THEN 0 ELSE 1 END`,
    type: "boolean",
    output: toBoolean,
  },
  "error.mechanism": { sql: payload("$.exception.values[#-1].mechanism.type"), type: "string" },
  // Any frame's file name: a wildcard filter matches the exception JSON text that holds it.
  "stack.filename": { sql: payload("$.exception"), type: "string", output: frameFilenames },
  url: { sql: payload("$.request.url"), type: "string" },
  "http.url": { sql: payload("$.request.url"), type: "string" },
  "http.method": { sql: payload("$.request.method"), type: "string" },
  "os.name": { sql: payload("$.contexts.os.name"), type: "string" },
  "browser.name": { sql: payload("$.contexts.browser.name"), type: "string" },
  "runtime.name": { sql: payload("$.contexts.runtime.name"), type: "string" },
  "sdk.name": { sql: payload("$.sdk.name"), type: "string" },
  "sdk.version": { sql: payload("$.sdk.version"), type: "string" },
  "transaction.duration": {
    sql: `((${payload("$.timestamp")} - ${payload("$.start_timestamp")}) * 1000)`,
    type: "duration",
    unit: "millisecond",
  },
  "transaction.op": { sql: payload("$.contexts.trace.op"), type: "string" },
  "transaction.status": { sql: payload("$.contexts.trace.status"), type: "string" },
};

function eventTag(key: string): Column {
  const k = literalKey(key);
  return {
    sql: `(SELECT json_extract(tag.value, '$[1]') FROM json_each(${tagsSql("t")}) tag WHERE json_extract(tag.value, '$[0]') = '${k}' LIMIT 1)`,
    type: "string",
  };
}

function attribute(key: string): Column {
  return { sql: `json_extract(t.attributes, '$."${literalKey(key)}"')`, type: "string" };
}

const eventsTable = (base: string): DatasetTable => ({
  from: "events t",
  base,
  projectColumn: "t.project_id",
  timeColumn: "t.timestamp",
  environmentColumn: "t.environment",
  textColumns: ["t.title", "t.message", "t.transaction_name"],
  tieBreaker: "t.event_id",
  columns: EVENT_COLUMNS,
  other: eventTag,
  defaultMeasure: "transaction.duration",
});

const SPAN_COLUMNS: Record<string, Column> = {
  ...projectColumns(),
  id: { sql: "t.span_id", type: "string" },
  span_id: { sql: "t.span_id", type: "string" },
  trace: { sql: "t.trace_id", type: "string" },
  "span.op": { sql: "t.op", type: "string" },
  "span.description": { sql: "COALESCE(t.description, t.name)", type: "string" },
  "span.name": { sql: "t.name", type: "string" },
  "span.status": { sql: "t.status", type: "string" },
  "span.duration": { sql: "t.duration_ms", type: "duration", unit: "millisecond" },
  "span.self_time": { sql: "t.duration_ms", type: "duration", unit: "millisecond" },
  parent_span: { sql: "t.parent_span_id", type: "string" },
  "segment.id": { sql: "t.segment_id", type: "string" },
  "transaction.event_id": { sql: "t.event_id", type: "string" },
  "transaction.span_id": { sql: "t.segment_id", type: "string" },
  is_transaction: { sql: "t.is_segment", type: "boolean", output: toBoolean },
  transaction: { sql: "t.transaction_name", type: "string" },
  timestamp: { sql: "t.start_timestamp", type: "date" },
  "precise.start_ts": { sql: "t.start_timestamp", type: "number" },
  "precise.finish_ts": { sql: "t.end_timestamp", type: "number" },
  environment: { sql: "t.environment", type: "string" },
  release: { sql: "t.release", type: "string" },
};

const LOG_COLUMNS: Record<string, Column> = {
  ...projectColumns(),
  id: { sql: "CAST(t.id AS TEXT)", type: "string" },
  "sentry.item_id": { sql: "CAST(t.id AS TEXT)", type: "string" },
  message: { sql: "t.body", type: "string", contains: true },
  severity: { sql: "t.level", type: "string" },
  "sentry.severity_text": { sql: "t.level", type: "string" },
  level: { sql: "t.level", type: "string" },
  severity_number: { sql: "t.severity_number", type: "integer" },
  "sentry.severity_number": { sql: "t.severity_number", type: "integer" },
  timestamp: { sql: "t.timestamp", type: "date" },
  timestamp_precise: { sql: "t.timestamp", type: "number" },
  trace: { sql: "t.trace_id", type: "string" },
  span_id: { sql: "t.span_id", type: "string" },
  environment: { sql: "t.environment", type: "string" },
  release: { sql: "t.release", type: "string" },
};

const DATASETS: Record<Dataset, DatasetTable> = {
  errors: eventsTable("t.type <> 'transaction'"),
  transactions: eventsTable("t.type = 'transaction'"),
  discover: eventsTable("1 = 1"),
  spans: {
    from: "spans t",
    base: "1 = 1",
    projectColumn: "t.project_id",
    timeColumn: "t.start_timestamp",
    environmentColumn: "t.environment",
    textColumns: ["t.description", "t.name"],
    tieBreaker: "t.span_id",
    columns: SPAN_COLUMNS,
    other: attribute,
    defaultMeasure: "span.duration",
  },
  logs: {
    from: "logs t",
    base: "1 = 1",
    projectColumn: "t.project_id",
    timeColumn: "t.timestamp",
    environmentColumn: "t.environment",
    textColumns: ["t.body"],
    tieBreaker: "t.id",
    columns: LOG_COLUMNS,
    other: attribute,
    defaultMeasure: null,
  },
};

/** Sentry's dataset names (and the aliases clients send) → Faultline's. */
export function datasetFor(name: string | null): Dataset {
  switch (name) {
    case null:
    case "":
    case "discover":
      return "discover";
    case "errors":
    case "error":
      return "errors";
    case "transactions":
    case "transaction":
      return "transactions";
    case "spans":
    case "spansIndexed":
    case "spansRpc":
      return "spans";
    case "logs":
    case "ourlogs":
      return "logs";
    default:
      throw badRequest(
        `${name} is not a valid dataset, the supported ones are errors, transactions, discover, spans and logs`,
      );
  }
}

export const datasetTable = (dataset: Dataset): DatasetTable => DATASETS[dataset];

/** A column of the dataset by field name; other names are tags or attributes. */
export function resolveColumn(table: DatasetTable, field: string): Column {
  const known = table.columns[field];
  if (known) return known;
  // `tags[key]`, Explore's typed `tags[key,number]` and `key[number]` name the same attribute.
  const tag = /^tags\[(.+)\]$/.exec(field)?.[1] ?? field;
  const typed = /^(.+?)(?:,\s*|\[)(number|string|boolean)\]?$/.exec(tag);
  const column = table.other(typed?.[1] ?? tag);
  return typed?.[2] === "number" ? { sql: `CAST(${column.sql} AS REAL)`, type: "number" } : column;
}
