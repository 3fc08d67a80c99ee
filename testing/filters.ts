// Matching views against the helpers' filters (types.ts): every field given must match; text fields
// match as substrings or regular expressions.
import type {
  EventFilter,
  IssueFilter,
  LogFilter,
  OutcomeFilter,
  Predicate,
  SinkEvent,
  SinkIssue,
  SinkLog,
  SinkOutcome,
  SinkTransaction,
  TextMatch,
  TransactionFilter,
} from "./types.js";

export function matchText(value: string | null | undefined, match: TextMatch): boolean {
  if (value === null || value === undefined) return false;
  if (typeof match === "string") return value.includes(match);
  match.lastIndex = 0;
  return match.test(value);
}

const same = (actual: string | null | undefined, wanted: string | undefined) =>
  wanted === undefined || actual === wanted;

function tagsMatch(tags: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => tags[key] === value);
}

/** The texts `message` is matched against: the message, the title, each exception's `Type: value`. */
export function eventTexts(e: SinkEvent): string[] {
  const exceptions = e.exceptions.map((x) => [x.type, x.value].filter((p) => p !== null).join(": "));
  return [e.message, e.title, ...exceptions];
}

export function eventMatches(e: SinkEvent, f: EventFilter): boolean {
  return (
    same(e.id, f.id?.replace(/-/g, "").toLowerCase()) &&
    same(e.level, f.level) &&
    (f.message === undefined || eventTexts(e).some((t) => matchText(t, f.message as TextMatch))) &&
    tagsMatch(e.tags, f.tags) &&
    same(e.release, f.release) &&
    same(e.environment, f.environment) &&
    same(e.traceId, f.traceId) &&
    same(e.transaction, f.transaction) &&
    same(e.issueId, f.issueId)
  );
}

/** The part of an issue filter its events must match (an issue matches when one of its events does). */
export function issueEventFilter(f: IssueFilter): EventFilter | null {
  const part: EventFilter = {};
  if (f.tags !== undefined) part.tags = f.tags;
  if (f.release !== undefined) part.release = f.release;
  if (f.environment !== undefined) part.environment = f.environment;
  if (f.traceId !== undefined) part.traceId = f.traceId;
  return Object.keys(part).length > 0 ? part : null;
}

/** The issue's own fields; `withEvents` holds the ids of issues whose events match the event part. */
export function issueMatches(i: SinkIssue, f: IssueFilter, withEvents: Set<string> | null): boolean {
  const texts = [i.title, i.culprit, typeof i.metadata.value === "string" ? i.metadata.value : null];
  return (
    same(i.id, f.id) &&
    same(i.level, f.level) &&
    same(i.status, f.status) &&
    (f.message === undefined || texts.some((t) => matchText(t, f.message as TextMatch))) &&
    (withEvents === null || withEvents.has(i.id))
  );
}

export function transactionMatches(t: SinkTransaction, f: TransactionFilter): boolean {
  return (
    (f.name === undefined || matchText(t.name, f.name)) &&
    (f.url === undefined || matchText(t.url, f.url)) &&
    same(t.traceId, f.traceId) &&
    same(t.op, f.op) &&
    same(t.status, f.status) &&
    same(t.release, f.release) &&
    same(t.environment, f.environment)
  );
}

export function logMatches(l: SinkLog, f: LogFilter): boolean {
  return (
    (f.message === undefined || matchText(l.message, f.message)) &&
    same(l.level, f.level) &&
    same(l.traceId, f.traceId) &&
    same(l.release, f.release) &&
    same(l.environment, f.environment)
  );
}

export function outcomeMatches(o: SinkOutcome, f: OutcomeFilter): boolean {
  return same(o.outcome, f.outcome) && same(o.reason, f.reason) && same(o.category, f.category);
}

/** A predicate from a filter or a function (a function that throws does not match). */
export function predicateOf<T, F>(
  predicate: Predicate<T, F> | undefined,
  matches: (item: T, filter: F) => boolean,
): (item: T) => boolean {
  if (predicate === undefined) return () => true;
  if (typeof predicate === "function") return predicate as (item: T) => boolean;
  return (item) => matches(item, predicate);
}

/** How a wait's predicate reads in an error message. */
export function describePredicate(predicate: unknown): string {
  if (predicate === undefined) return "any";
  if (typeof predicate === "function") return predicate.name ? `${predicate.name}()` : "a predicate";
  return JSON.stringify(predicate, (_key, value: unknown) =>
    value instanceof RegExp ? value.toString() : value,
  );
}
