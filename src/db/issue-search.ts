// Parsed issue searches (src/protocol/issue-search.ts) as SQL over the `issues` table (alias `i`) and
// its events (alias `e`), plus the sort orders. Builds fragments only; the callers bind and run them.
import { badRequest } from "../errors.ts";
import {
  type CompareOp,
  IS_VALUES,
  type IssueSort,
  type ParsedIssueQuery,
} from "../protocol/issue-search.ts";
import { projectionPath } from "./payload-shape-sql.ts";
import { marks } from "./sql.ts";

export interface SqlFragment {
  sql: string;
  params: (string | number)[];
}

/** A condition no row meets. */
export const NO_ROWS: SqlFragment = { sql: "0", params: [] };

export interface QueryContext {
  /** Unix seconds. */
  now: number;
  /** `assigned:` values (`me`, emails, `#team`, `user:1`) resolved to stored actors (`user:1`, `team:2`). */
  actors: ReadonlyMap<string, string>;
  /** The newest release of the searched projects, for `release:latest`. */
  latestRelease: string | null;
}

/**
 * The status an issue reads back as: an ignore whose time ran out, or whose count / user count was
 * reached since it was ignored, reads as unresolved (Sentry's snooze).
 */
export function effectiveStatusSql(now: number): string {
  const detail = (path: string) => `json_extract(i.status_details, '$.${path}')`;
  return `(CASE WHEN i.status = 'ignored' AND i.status_details IS NOT NULL AND (
    COALESCE(${detail("ignoreUntil")} <= ${Number(now)}, 0)
    OR COALESCE(i.times_seen - ${detail("countAtIgnore")} >= ${detail("ignoreCount")}, 0)
    OR COALESCE(i.user_count - ${detail("usersAtIgnore")} >= ${detail("ignoreUserCount")}, 0)
  ) THEN 'unresolved' ELSE i.status END)`;
}

function isSql(value: string, now: number): SqlFragment {
  const status = effectiveStatusSql(now);
  switch (value) {
    case "unresolved":
      return { sql: `${status} = 'unresolved'`, params: [] };
    case "resolved":
      return { sql: "i.status = 'resolved'", params: [] };
    case "ignored":
    case "archived":
    case "muted":
      return { sql: `${status} = 'ignored'`, params: [] };
    case "assigned":
      return { sql: "i.assigned_to IS NOT NULL", params: [] };
    case "unassigned":
      return { sql: "i.assigned_to IS NULL", params: [] };
    case "bookmarked":
      return { sql: "i.is_bookmarked = 1", params: [] };
    case "unbookmarked":
      return { sql: "i.is_bookmarked = 0", params: [] };
    case "new":
    case "ongoing":
    case "regressed":
    case "escalating":
      return { sql: `(${status} = 'unresolved' AND i.substatus = ?)`, params: [value] };
    case "for_review":
      return { sql: `(${status} = 'unresolved' AND i.substatus IN ('new', 'regressed'))`, params: [] };
    case "linked":
      return { sql: "0", params: [] };
    case "unlinked":
      return { sql: "1", params: [] };
    default:
      throw badRequest(`Invalid value for "is" search, valid values are [${IS_VALUES.join(", ")}]`);
  }
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `-24h` (within the last 24 hours), `+7d` (older than 7 days) or an ISO date with an operator. */
function dateSql(column: string, op: CompareOp, value: string, now: number): SqlFragment {
  const relative = /^([+-])(\d+)([smhdw])$/.exec(value);
  if (relative) {
    const seconds = Number(relative[2]) * (DURATION_UNITS[relative[3] ?? "s"] ?? 1);
    const at = now - seconds;
    return relative[1] === "-"
      ? { sql: `${column} >= ?`, params: [at] }
      : { sql: `${column} <= ?`, params: [at] };
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw badRequest(`Invalid date: ${value}`);
  return { sql: `${column} ${op === "=" ? ">=" : op} ?`, params: [ms / 1000] };
}

function numberSql(column: string, op: CompareOp, value: string): SqlFragment {
  const n = Number(value);
  if (!Number.isFinite(n)) throw badRequest(`Invalid number: ${value}`);
  return { sql: `${column} ${op} ?`, params: [n] };
}

/** `column IN (...)`, with `*` wildcards matched by LIKE. */
function valuesSql(column: string, values: string[]): SqlFragment {
  const exact = values.filter((v) => !v.includes("*"));
  const wild = values.filter((v) => v.includes("*"));
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (exact.length > 0) {
    parts.push(`${column} IN (${exact.map(() => "?").join(", ")})`);
    params.push(...exact);
  }
  for (const w of wild) {
    parts.push(`${column} LIKE ? ESCAPE '\\'`);
    params.push(w.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%"));
  }
  return { sql: parts.length === 1 ? (parts[0] ?? "0") : `(${parts.join(" OR ")})`, params };
}

const eventExists = (inner: SqlFragment): SqlFragment => ({
  sql: `EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id AND ${inner.sql})`,
  params: inner.params,
});

/**
 * Issues whose events carried the tag (any value when `values` is null): a probe of the issue's rows in
 * issue_tag_values (its events' tags, release, environment and server name), never the payloads.
 */
function tagSql(key: string, values: string[] | null): SqlFragment {
  const value = values ? valuesSql("v.value", values) : { sql: "1", params: [] };
  return {
    sql: `EXISTS (SELECT 1 FROM issue_tag_values v WHERE v.issue_id = i.id AND v.key = ? AND ${value.sql})`,
    params: [key, ...value.params],
  };
}

const PRIORITY_LEVELS: Record<string, string[]> = {
  high: ["fatal", "error"],
  medium: ["warning"],
  low: ["info", "debug"],
};

/**
 * Event columns (or payload paths) a key searches, for keys that are neither issue columns nor kept in
 * issue_tag_values (release, environment and server_name are: see tagSql).
 */
const EVENT_FIELDS: Record<string, string> = {
  transaction: "e.transaction_name",
  dist: "json_extract(e.payload, '$.dist')",
  url: "json_extract(e.payload, '$.request.url')",
  "user.id": projectionPath("e", "$.user.id"),
  "user.email": "json_extract(e.payload, '$.user.email')",
  "user.username": "json_extract(e.payload, '$.user.username')",
  "user.ip": "json_extract(e.payload, '$.user.ip_address')",
  user: "e.user_key",
  "event.type": "e.type",
};

function keySql(key: string, op: CompareOp, values: string[], ctx: QueryContext): SqlFragment {
  const first = values[0] ?? "";
  switch (key) {
    case "is": {
      const parts = values.map((v) => isSql(v.toLowerCase(), ctx.now));
      return {
        sql: parts.length === 1 ? (parts[0]?.sql ?? "0") : `(${parts.map((p) => p.sql).join(" OR ")})`,
        params: parts.flatMap((p) => p.params),
      };
    }
    case "level":
      return valuesSql("i.level", values);
    case "release": {
      const versions = values.map((v) => (v === "latest" ? (ctx.latestRelease ?? "") : v));
      return tagSql("release", versions);
    }
    case "firstrelease":
    case "first_release":
    case "first-release":
      return valuesSql("i.first_release", values);
    case "assigned":
    case "assigned_or_suggested": {
      const actors = values.map((v) => ctx.actors.get(v)).filter((a): a is string => a !== undefined);
      return actors.length > 0 ? valuesSql("i.assigned_to", actors) : { sql: "0", params: [] };
    }
    case "bookmarks":
      return { sql: "i.is_bookmarked = 1", params: [] };
    case "times_seen":
    case "timesseen":
      return numberSql("i.times_seen", op, first);
    case "user_count":
    case "usercount":
      return numberSql("i.user_count", op, first);
    case "firstseen":
    case "first_seen":
    case "age":
      return dateSql("i.first_seen", op, first, ctx.now);
    case "lastseen":
    case "last_seen":
      return dateSql("i.last_seen", op, first, ctx.now);
    case "issue.priority": {
      const levels = values.flatMap((v) => PRIORITY_LEVELS[v.toLowerCase()] ?? []);
      return levels.length > 0 ? valuesSql("i.level", levels) : { sql: "0", params: [] };
    }
    case "issue.category":
    case "issue.type":
      // Every Faultline issue is an error issue.
      return { sql: values.some((v) => v === "error") ? "1" : "0", params: [] };
    case "logger":
      return valuesSql("i.logger", values);
    case "message":
    case "title":
      return textSql(values.join(" "));
    case "culprit":
      return { sql: "instr(lower(i.culprit), lower(?)) > 0", params: [first] };
    case "has":
      return hasSql(first);
    default: {
      const field = EVENT_FIELDS[key];
      if (field) return eventExists(valuesSql(field, values));
      const tagKey = key.startsWith("tags[") && key.endsWith("]") ? key.slice(5, -1) : key;
      return tagSql(tagKey, values);
    }
  }
}

function hasSql(key: string): SqlFragment {
  const field = EVENT_FIELDS[key];
  if (field) return eventExists({ sql: `${field} IS NOT NULL`, params: [] });
  return tagSql(key, null);
}

function textSql(text: string): SqlFragment {
  return {
    sql: "(instr(lower(i.title), lower(?)) > 0 OR instr(lower(i.culprit), lower(?)) > 0)",
    params: [text, text],
  };
}

/** The WHERE condition of a parsed query (`1` when it has no terms). */
export function issueQuerySql(parsed: ParsedIssueQuery, ctx: QueryContext): SqlFragment {
  const parts: SqlFragment[] = [];
  const text = parsed.terms.flatMap((t) => (t.kind === "text" ? [t.value] : [])).join(" ");
  for (const term of parsed.terms) {
    if (term.kind !== "key") continue;
    const fragment = keySql(term.key, term.op, term.values, ctx);
    parts.push(term.negated ? { sql: `NOT (${fragment.sql})`, params: fragment.params } : fragment);
  }
  if (text) parts.push(textSql(text));
  if (parts.length === 0) return { sql: "1", params: [] };
  return { sql: parts.map((p) => `(${p.sql})`).join(" AND "), params: parts.flatMap((p) => p.params) };
}

const SORT_ORDER: Record<IssueSort, string> = {
  date: "i.last_seen DESC, i.id DESC",
  new: "i.first_seen DESC, i.id DESC",
  freq: "i.times_seen DESC, i.id DESC",
  user: "i.user_count DESC, i.id DESC",
};

/** ORDER BY for Sentry's `sort` (date by default); every order ends with the id so pages are stable. */
export function sortSql(sort: string | null): string {
  const key = sort === null || sort === "" ? "date" : sort;
  if (key in SORT_ORDER) return SORT_ORDER[key as IssueSort];
  // Orders Sentry computes from data Faultline does not keep fall back to the nearest one.
  if (key === "trends" || key === "priority" || key === "recommended") return SORT_ORDER.date;
  if (key === "inbox") return SORT_ORDER.new;
  throw badRequest(`Invalid sort: ${key}`);
}

/**
 * `i.project_id IN (...)`; many projects as one JSON parameter. The ids come from the control plane and
 * the issues from the organization's shard, so the condition never reads the projects table.
 */
export function projectsCondition(projectIds: readonly number[]): SqlFragment {
  if (projectIds.length === 0) return { sql: "0", params: [] };
  if (projectIds.length <= 40)
    return { sql: `i.project_id IN (${marks(projectIds.length)})`, params: [...projectIds] };
  return { sql: "i.project_id IN (SELECT value FROM json_each(?))", params: [JSON.stringify(projectIds)] };
}

/** Issues with at least one event in one of the environments. */
export function environmentsCondition(environments: readonly string[]): SqlFragment {
  return tagSql("environment", [...environments]);
}

/** Issues seen within [start, end): last seen at or after the start and first seen before the end. */
export function seenWithinCondition(start: number, end: number): SqlFragment {
  return { sql: "i.last_seen >= ? AND i.first_seen < ?", params: [start, end] };
}

/** The conjunction of fragments. */
export function allOf(parts: readonly SqlFragment[]): SqlFragment {
  return { sql: parts.map((p) => `(${p.sql})`).join(" AND "), params: parts.flatMap((p) => p.params) };
}
