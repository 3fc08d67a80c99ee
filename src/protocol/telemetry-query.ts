// The search box of the logs explorer and trace search: `key:value` terms (values may be quoted) and
// free text. Pure; what each key means is decided by the page or endpoint that reads it.

export interface TelemetryQuery {
  /** `key:value` terms in order, keys lower-cased. */
  terms: [string, string][];
  /** The remaining words, joined by single spaces. */
  text: string;
}

const TOKEN = /([A-Za-z0-9_.\-[\]]+):("(?:[^"\\]|\\.)*"|\S+)|"((?:[^"\\]|\\.)*)"|(\S+)/g;

const unquote = (value: string) =>
  value.startsWith('"') && value.endsWith('"') && value.length >= 2
    ? value.slice(1, -1).replace(/\\(.)/g, "$1")
    : value;

export function parseTelemetryQuery(query: string): TelemetryQuery {
  const terms: [string, string][] = [];
  const words: string[] = [];
  for (const match of query.matchAll(TOKEN)) {
    const [, key, value, quoted, word] = match;
    if (key !== undefined && value !== undefined) terms.push([key.toLowerCase(), unquote(value)]);
    else if (quoted !== undefined) words.push(quoted.replace(/\\(.)/g, "$1"));
    else if (word !== undefined) words.push(word);
  }
  return { terms, text: words.join(" ") };
}

/** A duration bound such as `>250ms`, `<2s`, `>=1.5s`, `100` (ms); undefined when malformed. */
export function parseDurationBound(value: string): { op: "min" | "max"; ms: number } | undefined {
  const match = /^(>=|<=|>|<)?\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!match?.[2]) return undefined;
  const scale = match[3] === "s" ? 1000 : match[3] === "m" ? 60_000 : 1;
  const ms = Number(match[2]) * scale;
  return { op: match[1]?.startsWith("<") ? "max" : "min", ms };
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** What the logs explorer narrows by, besides projects and time range. */
export interface LogSearch {
  levels: string[];
  environment?: string;
  release?: string;
  /** Substring of the body. */
  text?: string;
  /** Attribute equality (`key:value` terms with any other key). */
  attributes: [string, string][];
  traceId?: string;
}

const LEVEL_ALIASES: Record<string, string> = { warning: "warn", log: "info", critical: "fatal" };

/** Reads a logs search box: `level:` (`severity:`), `environment:`, `release:`, `trace:`, other keys as attributes. */
export function logSearchOf(query: string): LogSearch {
  const parsed = parseTelemetryQuery(query);
  const search: LogSearch = { levels: [], attributes: [] };
  for (const [key, value] of parsed.terms) {
    if (key === "level" || key === "severity") {
      for (const one of value.split(",")) {
        const level = LEVEL_ALIASES[one.toLowerCase()] ?? one.toLowerCase();
        if ((LOG_LEVELS as readonly string[]).includes(level)) search.levels.push(level);
      }
    } else if (key === "environment") search.environment = value;
    else if (key === "release") search.release = value;
    else if (key === "trace" || key === "trace_id") search.traceId = value.toLowerCase().replaceAll("-", "");
    else search.attributes.push([key, value]);
  }
  if (parsed.text) search.text = parsed.text;
  return search;
}

/** What trace search narrows by. */
export interface TraceSearch {
  traceId?: string;
  /** Substring of the root span / transaction name. */
  name?: string;
  op?: string;
  status?: string;
  release?: string;
  environment?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
}

/**
 * Reads a trace search box: `trace:`, `transaction:` (`name:`), `op:` (`span.op:`), `status:`, `release:`,
 * `environment:`, `duration:` (`span.duration:`) bounds such as `>250ms`; free text is part of the name.
 * Unknown keys are an error the caller reports.
 */
export function traceSearchOf(query: string): { search: TraceSearch; unknown: string[] } {
  const parsed = parseTelemetryQuery(query);
  const search: TraceSearch = {};
  const unknown: string[] = [];
  for (const [key, value] of parsed.terms) {
    if (key === "trace" || key === "trace_id" || key === "id")
      search.traceId = value.toLowerCase().replaceAll("-", "");
    else if (key === "transaction" || key === "name") search.name = value;
    else if (key === "op" || key === "span.op" || key === "transaction.op") search.op = value;
    else if (key === "status" || key === "span.status") search.status = value;
    else if (key === "release") search.release = value;
    else if (key === "environment") search.environment = value;
    else if (key === "duration" || key === "span.duration" || key === "transaction.duration") {
      const bound = parseDurationBound(value);
      if (!bound) unknown.push(`${key}:${value}`);
      else if (bound.op === "min") search.minDurationMs = bound.ms;
      else search.maxDurationMs = bound.ms;
    } else unknown.push(key);
  }
  if (parsed.text) search.name = search.name ? `${search.name} ${parsed.text}` : parsed.text;
  return { search, unknown };
}

/** Where a page of trace search ends: the last root's start and trace id, as `<start>:<trace id>`. */
export function traceCursorText(row: { start_timestamp: number; trace_id: string }): string {
  return `${row.start_timestamp}:${row.trace_id}`;
}

/** Reads a trace search cursor; undefined when malformed. */
export function traceCursorOf(value: string): { startTimestamp: number; traceId: string } | undefined {
  const match = /^(\d{1,12}(?:\.\d{1,9})?):([0-9a-f]{1,64})$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  return { startTimestamp: Number(match[1]), traceId: match[2] };
}
