// Sentry's issue search syntax (`is:unresolved level:error "some text"`), sort and stats-period
// parameters, turned into SQL over the `issues` table (alias `i`) and its events (alias `e`).
// Pure: the route binds the fragments' parameters to D1.
import { badRequest } from "../errors.ts";

export type CompareOp = "=" | ">" | ">=" | "<" | "<=";

export type QueryTerm =
  | { kind: "text"; value: string }
  | { kind: "key"; key: string; op: CompareOp; values: string[]; negated: boolean };

export interface ParsedIssueQuery {
  terms: QueryTerm[];
}

/** Splits a query into tokens: whitespace separates, except inside quotes or `[...]` lists. */
export function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let quote = false;
  let depth = 0;
  for (const ch of query) {
    if (ch === '"') quote = !quote;
    else if (!quote && ch === "[") depth += 1;
    else if (!quote && ch === "]" && depth > 0) depth -= 1;
    if (!quote && depth === 0 && /\s/.test(ch)) {
      if (current) tokens.push(current);
      current = "";
    } else current += ch;
  }
  if (current) tokens.push(current);
  return tokens;
}

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\"/g, '"')
    : value;

function splitList(value: string): string[] {
  if (!(value.startsWith("[") && value.endsWith("]"))) return [unquote(value)];
  const items: string[] = [];
  let current = "";
  let quote = false;
  for (const ch of value.slice(1, -1)) {
    if (ch === '"') quote = !quote;
    if (ch === "," && !quote) {
      items.push(current.trim());
      current = "";
    } else current += ch;
  }
  items.push(current.trim());
  return items.filter((v) => v.length > 0).map(unquote);
}

/** Parses a search query; free-text tokens are kept in order and later matched as one phrase. */
export function parseIssueQuery(query: string): ParsedIssueQuery {
  const terms: QueryTerm[] = [];
  for (const token of tokenize(query)) {
    const match = /^(!?)([A-Za-z_][A-Za-z0-9_.-]*):(.*)$/s.exec(token);
    if (!match || match[3] === "") {
      terms.push({ kind: "text", value: unquote(token) });
      continue;
    }
    const negated = match[1] === "!";
    const key = (match[2] ?? "").toLowerCase();
    let raw = match[3] ?? "";
    let op: CompareOp = "=";
    const opMatch = /^(>=|<=|>|<)/.exec(raw);
    if (opMatch?.[1]) {
      op = opMatch[1] as CompareOp;
      raw = raw.slice(op.length);
    }
    const values = splitList(raw);
    if (values.length === 0) throw badRequest(`Invalid search query: empty value for "${key}"`);
    terms.push({ kind: "key", key, op, values, negated });
  }
  return { terms };
}

export interface SqlFragment {
  sql: string;
  params: (string | number)[];
}

export interface QueryContext {
  /** Unix seconds. */
  now: number;
  /** `assigned:` values (`me`, emails, `#team`, `user:1`) resolved to stored actors (`user:1`, `team:2`). */
  actors: ReadonlyMap<string, string>;
  /** The newest release of the searched projects, for `release:latest`. */
  latestRelease: string | null;
}

/** Keys whose values name an assignee; the route resolves them into `QueryContext.actors`. */
export const ACTOR_KEYS = new Set(["assigned", "assigned_or_suggested"]);

/** `assigned:` values the route must resolve before `issueQuerySql`. */
export function actorValues(parsed: ParsedIssueQuery): string[] {
  return parsed.terms.flatMap((t) => (t.kind === "key" && ACTOR_KEYS.has(t.key) ? t.values : []));
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

export const IS_VALUES = [
  "unresolved",
  "resolved",
  "ignored",
  "archived",
  "muted",
  "assigned",
  "unassigned",
  "bookmarked",
  "unbookmarked",
  "new",
  "ongoing",
  "regressed",
  "escalating",
  "for_review",
  "linked",
  "unlinked",
] as const;

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

/** A custom tag sent on events: `tags` in the stored payload is a list of [key, value] pairs. */
function tagSql(key: string, values: string[] | null): SqlFragment {
  const value = values ? valuesSql("json_extract(t.value, '$[1]')", values) : { sql: "1", params: [] };
  return {
    sql: `EXISTS (SELECT 1 FROM events e, json_each(e.payload, '$.tags') t
      WHERE e.issue_id = i.id AND json_extract(t.value, '$[0]') = ? AND ${value.sql})`,
    params: [key, ...value.params],
  };
}

const PRIORITY_LEVELS: Record<string, string[]> = {
  high: ["fatal", "error"],
  medium: ["warning"],
  low: ["info", "debug"],
};

/** Event columns (or payload paths) a key searches, for keys that are not issue columns. */
const EVENT_FIELDS: Record<string, string> = {
  environment: "e.environment",
  transaction: "e.transaction_name",
  dist: "json_extract(e.payload, '$.dist')",
  url: "json_extract(e.payload, '$.request.url')",
  server_name: "json_extract(e.payload, '$.server_name')",
  "user.id": "json_extract(e.payload, '$.user.id')",
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
      return eventExists(valuesSql("e.release", versions));
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
  const field = EVENT_FIELDS[key] ?? (key === "release" ? "e.release" : null);
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

export type IssueSort = "date" | "new" | "freq" | "user";

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

export interface StatsPeriod {
  /** Key of the `stats` object: `24h` or `14d`/`30d`. */
  key: string;
  /** Bucket width in seconds. */
  bucket: number;
  buckets: number;
}

/** `statsPeriod`: 24h (hourly buckets, the default) or 14d (daily); `""` for no stats. */
export function parseStatsPeriod(value: string | null): StatsPeriod | null {
  if (value === null || value === "24h" || value === "auto") return { key: "24h", bucket: 3600, buckets: 24 };
  if (value === "") return null;
  if (value === "14d") return { key: "14d", bucket: 86400, buckets: 14 };
  throw badRequest("Invalid stats_period. Valid choices are '', '24h', '14d', and 'auto'");
}

/**
 * The stats resolution a list request asks for: `groupStatsPeriod`, else `statsPeriod` when it names one.
 * Sentry reads `statsPeriod` as the list's time range too (`30d`, `90d`…), so a plain period is not an
 * error here: it falls back to the default resolution.
 */
export function requestedStatsPeriod(params: URLSearchParams): string | null {
  const group = params.get("groupStatsPeriod");
  if (group !== null) return group;
  const value = params.get("statsPeriod");
  return value !== null && /^\d+[smhdw]$/.test(value) && value !== "24h" && value !== "14d" ? null : value;
}

/** Bucket start times (unix seconds) ending with the bucket that holds `now`. */
export function statsBuckets(period: StatsPeriod, now: number): number[] {
  const last = Math.floor(now / period.bucket) * period.bucket;
  return Array.from({ length: period.buckets }, (_, k) => last - (period.buckets - 1 - k) * period.bucket);
}

/** Sentry-style short id: project slug upper-cased, a dash, the per-project number in base 36. */
export function formatShortId(projectSlug: string, number: number): string {
  return `${projectSlug.toUpperCase()}-${number.toString(36).toUpperCase()}`;
}

export function parseShortId(value: string): { slug: string; number: number } | null {
  const match = /^(.+)-([0-9a-z]+)$/i.exec(value.trim());
  if (!match?.[1] || !match[2]) return null;
  const number = Number.parseInt(match[2], 36);
  if (!Number.isSafeInteger(number) || number <= 0) return null;
  return { slug: match[1].toLowerCase(), number };
}
