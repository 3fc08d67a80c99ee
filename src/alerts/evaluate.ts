// Whether one rule fires for one committed event: Sentry's semantics of `actionMatch` over the
// conditions ("when"), `filterMatch` over the filters ("if"), the rule's environment, and its
// `frequency` (the same issue fires a rule at most once per that many minutes). Pure: the Durable
// Object supplies the event's facts, the windows' counts and when the rule last fired.
import { type AlertRule, CONDITION, FILTER, INTERVALS, LEVELS, type RuleNode } from "./rule-model.ts";

/** What a group commit knows of one stored error event, as alert rules read it. */
export interface AlertEvent {
  issueId: number;
  /** The event created its issue (the first event of a new issue). */
  isNew: boolean;
  /** The event reopened a resolved issue. */
  regressed: boolean;
  /** The event arrived for an ignored issue. */
  reappeared: boolean;
  level: string;
  environment: string | null;
  release: string | null;
  message: string;
  platform: string;
  type: string;
  culprit: string;
  /** The event's tags, read from its payload only when a filter asks. */
  tags: () => [string, string][];
  /** The issue's first-seen time (seconds), when an age filter needs it. */
  issueFirstSeen: number | null;
}

/** The counts of the frequency windows, read from the object's storage on demand. */
export interface AlertWindows {
  events(issueId: number, seconds: number): number;
  users(issueId: number, seconds: number): number;
}

export interface AlertContext {
  now: number;
  latestRelease: string | null;
  windows: AlertWindows;
  lastFired(ruleId: number, issueId: number): number | null;
}

/** Whether `rule` fires for `event` now (conditions, filters, environment and frequency). */
export function ruleFires(rule: AlertRule, event: AlertEvent, ctx: AlertContext): boolean {
  if (rule.status !== "active") return false;
  if (rule.environment !== null && rule.environment !== event.environment) return false;
  // The frequency first: it is a memoized lookup, and a rule that fired for the issue within its
  // frequency needs neither the windows' counts nor the payload's tags (the answer is the same).
  const last = ctx.lastFired(rule.id, event.issueId);
  if (last !== null && ctx.now - last < rule.frequency * 60) return false;
  if (!matches(rule.actionMatch, rule.conditions, (c) => conditionPasses(c, event, ctx))) return false;
  return (
    rule.filters.length === 0 || matches(rule.filterMatch, rule.filters, (f) => filterPasses(f, event, ctx))
  );
}

function matches(
  match: AlertRule["actionMatch"],
  nodes: RuleNode[],
  test: (n: RuleNode) => boolean,
): boolean {
  if (nodes.length === 0) return match !== "any";
  if (match === "any") return nodes.some(test);
  if (match === "none") return !nodes.some(test);
  return nodes.every(test);
}

const numberOf = (v: unknown): number => (typeof v === "number" ? v : Number(v));

function conditionPasses(c: RuleNode, e: AlertEvent, ctx: AlertContext): boolean {
  switch (c.id) {
    case CONDITION.firstSeen:
      return e.isNew;
    case CONDITION.regression:
      return e.regressed;
    case CONDITION.reappeared:
      return e.reappeared;
    case CONDITION.frequency:
    case CONDITION.uniqueUsers: {
      const seconds = INTERVALS[String(c.interval)] ?? 60;
      const count =
        c.id === CONDITION.frequency
          ? ctx.windows.events(e.issueId, seconds)
          : ctx.windows.users(e.issueId, seconds);
      return count > numberOf(c.value);
    }
    default:
      return false;
  }
}

function filterPasses(f: RuleNode, e: AlertEvent, ctx: AlertContext): boolean {
  switch (f.id) {
    case FILTER.level: {
      const level = LEVELS[e.level] ?? LEVELS.error ?? 40;
      const wanted = numberOf(f.level);
      return f.match === "gte" ? level >= wanted : f.match === "lte" ? level <= wanted : level === wanted;
    }
    case FILTER.tagged: {
      const key = String(f.key ?? "");
      const values = e
        .tags()
        .filter(([k]) => k === key)
        .map(([, v]) => v);
      return compare(String(f.match), values, String(f.value ?? ""));
    }
    case FILTER.attribute: {
      const value = attribute(e, String(f.attribute));
      return compare(String(f.match), value === null ? [] : [value], String(f.value ?? ""));
    }
    case FILTER.age: {
      if (e.issueFirstSeen === null) return false;
      const unit = { minute: 60, hour: 3600, day: 86_400, week: 604_800 }[String(f.time)] ?? 60;
      const age = ctx.now - e.issueFirstSeen;
      const limit = numberOf(f.value) * unit;
      return f.comparison_type === "older" ? age > limit : age < limit;
    }
    case FILTER.latestRelease:
      return e.release !== null && e.release === ctx.latestRelease;
    case FILTER.category:
      // Faultline's issues are all errors (Sentry's category 1).
      return numberOf(f.value) === 1;
    default:
      return false;
  }
}

function attribute(e: AlertEvent, name: string): string | null {
  switch (name) {
    case "message":
      return e.message;
    case "platform":
      return e.platform;
    case "environment":
      return e.environment;
    case "release":
      return e.release;
    case "type":
      return e.type;
    case "level":
      return e.level;
    case "culprit":
      return e.culprit;
    default:
      return null;
  }
}

/** Sentry's MatchType over the values an event has for a key (case-insensitive, as Sentry compares). */
function compare(match: string, values: string[], wanted: string): boolean {
  const w = wanted.toLowerCase();
  const vs = values.map((v) => v.toLowerCase());
  switch (match) {
    case "is":
      return vs.length > 0;
    case "ns":
      return vs.length === 0;
    case "eq":
      return vs.includes(w);
    case "ne":
      return !vs.includes(w);
    case "sw":
      return vs.some((v) => v.startsWith(w));
    case "ew":
      return vs.some((v) => v.endsWith(w));
    case "co":
      return vs.some((v) => v.includes(w));
    case "nc":
      return !vs.some((v) => v.includes(w));
    default:
      return false;
  }
}

/** Whether any active rule needs the windows' counts kept (frequency or unique-user conditions). */
export function needsWindows(rules: readonly AlertRule[]): boolean {
  return rules.some(
    (r) =>
      r.status === "active" &&
      r.conditions.some((c) => c.id === CONDITION.frequency || c.id === CONDITION.uniqueUsers),
  );
}

/** Whether any active rule has an issue-age filter (the object then learns issues' first-seen times). */
export function needsIssueAge(rules: readonly AlertRule[]): boolean {
  return rules.some((r) => r.status === "active" && r.filters.some((f) => f.id === FILTER.age));
}
