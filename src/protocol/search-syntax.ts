// Sentry's event search syntax, parsed into a tree the storage layer turns into SQL:
//   key:value  !key:value  key:"quoted value"  key:[a,b]  key:*wild*  key:>10  key:<=1.5s
//   has:key  !has:key  free text  "quoted free text"  AND / OR  ( … )
// Adjacent terms are AND-ed; AND binds tighter than OR, as in Sentry.

import { badRequest } from "../errors.ts";
import { MAX_QUERY_CHARS } from "../limits.ts";

export type Comparison = "=" | "!=" | ">" | "<" | ">=" | "<=";

export interface FilterTerm {
  kind: "filter";
  key: string;
  op: Comparison;
  /** One value, or several for `key:[a,b]` (any of them matches). */
  values: string[];
}

export interface HasTerm {
  kind: "has";
  key: string;
  negated: boolean;
}

export interface TextTerm {
  kind: "text";
  value: string;
  negated: boolean;
}

export type SearchNode =
  | FilterTerm
  | HasTerm
  | TextTerm
  | { kind: "and"; nodes: SearchNode[] }
  | { kind: "or"; nodes: SearchNode[] };

type Token = { type: "term"; text: string } | { type: "(" | ")" | "AND" | "OR" };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")") {
      tokens.push({ type: ch });
      i++;
      continue;
    }
    // A term runs to the next whitespace or unquoted parenthesis; quotes and [lists] may hold either.
    let text = "";
    let quoted = false;
    let bracket = false;
    let depth = 0;
    while (i < query.length) {
      const c = query.charAt(i);
      if (quoted) {
        if (c === "\\" && i + 1 < query.length) {
          text += c + query.charAt(i + 1);
          i += 2;
          continue;
        }
        if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === "[") bracket = true;
      else if (c === "]") bracket = false;
      else if (c === ")" && depth > 0) depth--;
      else if (!bracket && (/\s/.test(c) || c === ")" || (c === "(" && text === ""))) break;
      else if (!bracket && c === "(") {
        // `count()` / `p95(span.duration)` in a key: the parenthesis belongs to the term.
        if (!/^!?[A-Za-z_][A-Za-z0-9_.]*$/.test(text)) break;
        depth++;
      }
      text += c;
      i++;
    }
    if (quoted) throw badRequest(`Invalid query: unbalanced quotes in ${JSON.stringify(text)}`);
    if (text === "AND" || text === "OR") tokens.push({ type: text });
    else if (text !== "") tokens.push({ type: "term", text });
  }
  return tokens;
}

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, "$1")
    : value;

/** Splits `[a, "b c", d]` into its values. */
function listValues(value: string): string[] {
  const inner = value.slice(1, -1);
  const values: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charAt(i);
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      values.push(unquote(current.trim()));
      current = "";
    } else current += c;
  }
  values.push(unquote(current.trim()));
  return values.filter((v) => v !== "");
}

const KEY = /^(!?)([A-Za-z_][A-Za-z0-9_.\-@]*(?:\([^)]*\))?|tags\[[^\]]+\])(:)(.*)$/s;

function parseTerm(text: string): SearchNode {
  const match = KEY.exec(text);
  if (!match) {
    const negated = text.startsWith("!") && text.length > 1;
    return { kind: "text", value: unquote(negated ? text.slice(1) : text), negated };
  }
  const negated = match[1] === "!";
  const key = match[2] ?? "";
  let raw = match[4] ?? "";
  if (key === "has") {
    if (raw === "") throw badRequest("Invalid query: has: needs a key");
    return { kind: "has", key: unquote(raw), negated };
  }
  let op: Comparison = negated ? "!=" : "=";
  const comparison = /^(>=|<=|>|<|!=|=)/.exec(raw);
  if (comparison?.[1] && !raw.startsWith('"')) {
    const given = comparison[1] as Comparison;
    raw = raw.slice(given.length);
    if (given === "!=") op = negated ? "=" : "!=";
    else if (given !== "=") {
      if (negated) throw badRequest(`Invalid query: ${text} cannot be negated`);
      op = given;
    }
  }
  const values = raw.startsWith("[") && raw.endsWith("]") ? listValues(raw) : [unquote(raw)];
  if (values.length === 0) throw badRequest(`Invalid query: ${text} has an empty list`);
  return { kind: "filter", key, op, values };
}

/** Parses a query; `null` for an empty one. Throws a 400 for malformed input. */
export function parseSearchQuery(query: string | null): SearchNode | null {
  if (query === null || query.trim() === "") return null;
  if (query.length > MAX_QUERY_CHARS)
    throw badRequest(`Invalid query: longer than ${MAX_QUERY_CHARS} characters`);
  const tokens = tokenize(query);
  let position = 0;

  const parseOr = (): SearchNode | null => {
    const parts: SearchNode[] = [];
    let part = parseAnd();
    if (part) parts.push(part);
    while (tokens[position]?.type === "OR") {
      position++;
      part = parseAnd();
      if (!part) throw badRequest("Invalid query: OR needs a term on each side");
      parts.push(part);
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? (parts[0] ?? null) : { kind: "or", nodes: parts };
  };

  const parseAnd = (): SearchNode | null => {
    const parts: SearchNode[] = [];
    while (position < tokens.length) {
      const token = tokens[position];
      if (!token || token.type === ")" || token.type === "OR") break;
      if (token.type === "AND") {
        position++;
        continue;
      }
      if (token.type === "(") {
        position++;
        const inner = parseOr();
        if (tokens[position]?.type !== ")") throw badRequest("Invalid query: unbalanced parentheses");
        position++;
        if (inner) parts.push(inner);
        continue;
      }
      if (token.type === "term") parts.push(parseTerm(token.text));
      position++;
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? (parts[0] ?? null) : { kind: "and", nodes: parts };
  };

  const tree = parseOr();
  if (position < tokens.length) throw badRequest("Invalid query: unbalanced parentheses");
  return tree;
}

/** Every key a tree filters on (for validation). */
export function searchKeys(node: SearchNode | null): string[] {
  if (!node) return [];
  if (node.kind === "filter" || node.kind === "has") return [node.key];
  if (node.kind === "text") return [];
  return node.nodes.flatMap(searchKeys);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A number (`2k`, `1.5m` for thousands/millions), or with `durationMs` a duration (`1.5s`, `200ms`) in ms. */
export function parseNumeric(value: string, durationMs: boolean): number | null {
  const match = /^(-?\d+(?:\.\d+)?)([a-z]*)$/i.exec(value.trim());
  if (!match?.[1]) return null;
  const number = Number(match[1]);
  const unit = (match[2] ?? "").toLowerCase();
  if (unit === "") return number;
  const factor = durationMs ? DURATION_UNITS[unit] : NUMBER_UNITS[unit];
  return factor === undefined ? null : number * factor;
}

const NUMBER_UNITS: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

/** Unix seconds from an ISO date, or from a relative `-24h`/`+7d` (now minus the period). */
export function parseDateValue(value: string, now: number): number | null {
  const relative = /^([-+]?)(\d+)([smhdw])$/.exec(value);
  if (relative?.[2] && relative[3]) {
    const seconds = Number(relative[2]) * (PERIOD_SECONDS[relative[3]] ?? 0);
    return now - seconds;
  }
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

export const PERIOD_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export { MAX_QUERY_CHARS };
