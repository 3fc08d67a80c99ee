// Sentry's issue search syntax (`is:unresolved level:error "some text"`), sort names, stats periods and
// short ids, parsed into plain values. Pure: src/db/issue-search.ts turns a parsed query into SQL.
import { badRequest } from "../errors.ts";
import { decodeShortNumber, encodeShortNumber } from "./short-id.ts";

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

/** Keys whose values name an assignee; the caller resolves them to stored actors before building SQL. */
export const ACTOR_KEYS = new Set(["assigned", "assigned_or_suggested"]);

/** `assigned:` values to resolve before `issueQuerySql`. */
export function actorValues(parsed: ParsedIssueQuery): string[] {
  return parsed.terms.flatMap((t) => (t.kind === "key" && ACTOR_KEYS.has(t.key) ? t.values : []));
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

export type IssueSort = "date" | "new" | "freq" | "user";

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

/** Sentry's short id: project slug upper-cased, a dash, the per-project number in base 32 (short-id.ts). */
export function formatShortId(projectSlug: string, number: number): string {
  return `${projectSlug.toUpperCase()}-${encodeShortNumber(number)}`;
}

export function parseShortId(value: string): { slug: string; number: number } | null {
  const match = /^(.+)-([0-9a-z]+)$/i.exec(value.trim());
  if (!match?.[1] || !match[2]) return null;
  const number = decodeShortNumber(match[2]);
  if (number === null || number <= 0) return null;
  return { slug: match[1].toLowerCase(), number };
}
