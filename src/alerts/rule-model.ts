// Sentry's issue alert rule JSON: the condition, filter and action ids Faultline understands, parsing a
// rule the API receives (Sentry's field-error shape on bad input) and the rule as Sentry serializes it.
// Ids are Sentry's (src/sentry/rules/conditions/, rules/filters/, mail/actions.py); the Slack and Discord
// incoming-webhook actions are Faultline's own (Sentry's need its integrations).
import type { AlertRuleInput, AlertRuleRow } from "../db/alert-rules.ts";
import { FaultlineError } from "../errors.ts";
import { ALERT_FREQUENCY_MAX_MINUTES, ALERT_FREQUENCY_MIN_MINUTES, MAX_ALERT_RULE_NODES } from "../limits.ts";
import type { JsonObject, JsonValue } from "../protocol/types.ts";

export const CONDITION = {
  firstSeen: "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition",
  regression: "sentry.rules.conditions.regression_event.RegressionEventCondition",
  reappeared: "sentry.rules.conditions.reappeared_event.ReappearedEventCondition",
  frequency: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
  uniqueUsers: "sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition",
  /** Faultline's own: a monthly cost budget of the project or its organization is reached (docs/costs.md). */
  budgetExceeded: "faultline.rules.conditions.budget.BudgetExceededCondition",
} as const;

export const FILTER = {
  level: "sentry.rules.filters.level.LevelFilter",
  tagged: "sentry.rules.filters.tagged_event.TaggedEventFilter",
  age: "sentry.rules.filters.age_comparison.AgeComparisonFilter",
  latestRelease: "sentry.rules.filters.latest_release.LatestReleaseFilter",
  attribute: "sentry.rules.filters.event_attribute.EventAttributeFilter",
  category: "sentry.rules.filters.issue_category.IssueCategoryFilter",
} as const;

export const ACTION = {
  email: "sentry.mail.actions.NotifyEmailAction",
  service: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
  slack: "faultline.rules.actions.SlackWebhookAction",
  discord: "faultline.rules.actions.DiscordWebhookAction",
} as const;

/** Sentry's frequency intervals (1 minute to 1 week), in seconds. */
export const INTERVALS: Record<string, number> = {
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "1h": 3600,
  "1d": 86_400,
  "1w": 604_800,
};

/** Sentry's level numbers (LevelFilter compares them). */
export const LEVELS: Record<string, number> = { debug: 10, info: 20, warning: 30, error: 40, fatal: 50 };

export const MATCH_OPERATORS = ["eq", "ne", "sw", "ew", "co", "nc", "is", "ns"] as const;
export const ATTRIBUTES = ["message", "platform", "environment", "release", "type", "level", "culprit"];

/** One condition, filter or action as stored: Sentry's object with its `id` and fields. */
export type RuleNode = JsonObject & { id: string };
type Match = "all" | "any" | "none";

export interface AlertRule {
  id: number;
  projectId: number;
  name: string;
  status: "active" | "disabled";
  actionMatch: Match;
  filterMatch: Match;
  frequency: number;
  environment: string | null;
  conditions: RuleNode[];
  filters: RuleNode[];
  actions: RuleNode[];
  createdBy: number | null;
  createdAt: number;
}

export function ruleOfRow(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    status: row.status === "disabled" ? "disabled" : "active",
    actionMatch: asMatch(row.actionMatch),
    filterMatch: asMatch(row.filterMatch),
    frequency: row.frequency,
    environment: row.environment,
    conditions: JSON.parse(row.conditions) as RuleNode[],
    filters: JSON.parse(row.filters) as RuleNode[],
    actions: JSON.parse(row.actions) as RuleNode[],
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

const asMatch = (v: string): Match => (v === "any" || v === "none" ? v : "all");

/** Sentry's human labels, shown by its UI and ours (`name` of each node in the serializer). */
function label(node: RuleNode): string {
  const f = (k: string) => String(node[k] ?? "");
  switch (node.id) {
    case CONDITION.firstSeen:
      return "A new issue is created";
    case CONDITION.regression:
      return "The issue changes state from resolved to unresolved";
    case CONDITION.reappeared:
      return "The issue changes state from ignored to unresolved";
    case CONDITION.frequency:
      return `The issue is seen more than ${f("value")} times in ${f("interval")}`;
    case CONDITION.uniqueUsers:
      return `The issue is seen by more than ${f("value")} users in ${f("interval")}`;
    case CONDITION.budgetExceeded:
      return "The monthly cost budget is reached (ingest is shed)";
    case FILTER.level:
      return `The event's level is ${f("match")} ${f("level")}`;
    case FILTER.tagged:
      return `The event's tags match ${f("key")} ${f("match")} ${f("value")}`;
    case FILTER.age:
      return `The issue is ${f("comparison_type")} than ${f("value")} ${f("time")}`;
    case FILTER.latestRelease:
      return "The event is from the latest release";
    case FILTER.attribute:
      return `The event's ${f("attribute")} value ${f("match")} ${f("value")}`;
    case FILTER.category:
      return `The issue's category is equal to ${f("value") === "1" ? "Error" : f("value")}`;
    case ACTION.email:
      return `Send a notification to ${f("targetType")}`;
    case ACTION.service:
      return `Send a notification via ${f("service")}`;
    case ACTION.slack:
      return "Send a Slack message (incoming webhook)";
    case ACTION.discord:
      return "Send a Discord message (incoming webhook)";
    default:
      return node.id;
  }
}

/** The rule as Sentry's `RuleSerializer` answers it. */
export function serializeRule(rule: AlertRule, projectSlug: string): JsonObject {
  const withName = (n: RuleNode): JsonObject => ({ ...n, name: label(n) });
  return {
    id: String(rule.id),
    conditions: rule.conditions.map(withName),
    filters: rule.filters.map(withName),
    actions: rule.actions.map(withName),
    actionMatch: rule.actionMatch,
    filterMatch: rule.filterMatch,
    frequency: rule.frequency,
    name: rule.name,
    dateCreated: new Date(rule.createdAt * 1000).toISOString(),
    owner: null,
    createdBy: rule.createdBy === null ? null : { id: rule.createdBy },
    environment: rule.environment,
    projects: [projectSlug],
    status: rule.status,
    snooze: false,
  };
}

/** Field → messages, Sentry's validation error body; thrown as a 400. */
export class RuleValidationError extends FaultlineError {
  constructor(readonly fields: Record<string, string[]>) {
    super(400, Object.values(fields).flat().join(" "));
  }
}

/** Parses a POST (or, with `current`, a PUT where omitted fields keep their value) into a rule's fields. */
export function parseRule(body: unknown, current: AlertRule | null): AlertRuleInput {
  const errors: Record<string, string[]> = {};
  const fail = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new RuleValidationError({ nonFieldErrors: ["Expected a JSON object."] });
  const input = body as Record<string, JsonValue | undefined>;
  const has = (k: string) => input[k] !== undefined;

  const name = has("name") ? input.name : current?.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > 256)
    fail("name", "This field is required (at most 256 characters).");
  const actionMatch = has("actionMatch") ? input.actionMatch : (current?.actionMatch ?? "all");
  if (actionMatch !== "all" && actionMatch !== "any" && actionMatch !== "none")
    fail("actionMatch", `"${String(actionMatch)}" is not a valid choice.`);
  const filterMatch = has("filterMatch") ? input.filterMatch : (current?.filterMatch ?? "all");
  if (filterMatch !== "all" && filterMatch !== "any" && filterMatch !== "none")
    fail("filterMatch", `"${String(filterMatch)}" is not a valid choice.`);
  const frequency = has("frequency") ? Number(input.frequency) : (current?.frequency ?? 30);
  if (
    !Number.isInteger(frequency) ||
    frequency < ALERT_FREQUENCY_MIN_MINUTES ||
    frequency > ALERT_FREQUENCY_MAX_MINUTES
  )
    fail(
      "frequency",
      `Ensure this value is between ${ALERT_FREQUENCY_MIN_MINUTES} and ${ALERT_FREQUENCY_MAX_MINUTES}.`,
    );
  const environment = has("environment") ? input.environment : (current?.environment ?? null);
  if (environment !== null && typeof environment !== "string")
    fail("environment", "Must be a string or null.");
  const status = has("status") ? input.status : (current?.status ?? "active");
  if (status !== "active" && status !== "disabled")
    fail("status", `"${String(status)}" is not a valid choice.`);

  const conditions = nodes(input, "conditions", current?.conditions, fail);
  const filters = nodes(input, "filters", current?.filters, fail);
  const actions = nodes(input, "actions", current?.actions, fail);
  for (const c of conditions) validateCondition(c, (m) => fail("conditions", m));
  for (const f of filters) validateFilter(f, (m) => fail("filters", m));
  for (const a of actions) validateAction(a, (m) => fail("actions", m));
  if (actions.length === 0) fail("actions", "You must add an action for this alert to fire.");
  if (conditions.length === 0) fail("conditions", "You must add at least one condition.");
  if (Object.keys(errors).length > 0) throw new RuleValidationError(errors);
  return {
    name: (name as string).trim(),
    status: status as string,
    actionMatch: actionMatch as string,
    filterMatch: filterMatch as string,
    frequency,
    environment: (environment as string | null) || null,
    conditions: JSON.stringify(conditions),
    filters: JSON.stringify(filters),
    actions: JSON.stringify(actions),
  };
}

function nodes(
  input: Record<string, JsonValue | undefined>,
  field: string,
  current: RuleNode[] | undefined,
  fail: (field: string, message: string) => void,
): RuleNode[] {
  const value = input[field] ?? current ?? [];
  if (!Array.isArray(value) || value.length > MAX_ALERT_RULE_NODES) {
    fail(field, `Must be a list of at most ${MAX_ALERT_RULE_NODES} objects.`);
    return [];
  }
  const out: RuleNode[] = [];
  for (const n of value) {
    if (typeof n !== "object" || n === null || Array.isArray(n) || typeof n.id !== "string") {
      fail(field, "Each entry must be an object with an id.");
      continue;
    }
    // Sentry echoes `name` back; it is derived, never stored.
    const { name: _name, ...rest } = n;
    out.push(rest as RuleNode);
  }
  return out;
}

const str = (n: RuleNode, k: string) => (typeof n[k] === "string" ? (n[k] as string) : null);
const num = (n: RuleNode, k: string) => {
  const v = Number(n[k]);
  return n[k] === undefined || n[k] === null || n[k] === "" || !Number.isFinite(v) ? null : v;
};

function validateCondition(n: RuleNode, fail: (m: string) => void): void {
  if (n.id === CONDITION.frequency || n.id === CONDITION.uniqueUsers) {
    if (!INTERVALS[str(n, "interval") ?? ""])
      fail(`Invalid interval (one of ${Object.keys(INTERVALS).join(", ")}).`);
    const value = num(n, "value");
    if (value === null || value < 0) fail("Value must be a number of 0 or more.");
    return;
  }
  if (!(Object.values(CONDITION) as string[]).includes(n.id)) fail(`Unknown condition: ${n.id}`);
}

function validateFilter(n: RuleNode, fail: (m: string) => void): void {
  switch (n.id) {
    case FILTER.level:
      if (!["eq", "gte", "lte"].includes(str(n, "match") ?? "")) fail("Level match must be eq, gte or lte.");
      if (!Object.values(LEVELS).includes(num(n, "level") ?? -1)) fail("Level must be 10, 20, 30, 40 or 50.");
      return;
    case FILTER.tagged:
    case FILTER.attribute: {
      const key = n.id === FILTER.tagged ? str(n, "key") : str(n, "attribute");
      if (!key || (n.id === FILTER.attribute && !ATTRIBUTES.includes(key))) fail("Invalid key or attribute.");
      const match = str(n, "match") ?? "";
      if (!(MATCH_OPERATORS as readonly string[]).includes(match)) fail(`Invalid match: ${match}`);
      if (match !== "is" && match !== "ns" && str(n, "value") === null) fail("Value is required.");
      return;
    }
    case FILTER.age:
      if (!["older", "newer"].includes(str(n, "comparison_type") ?? ""))
        fail("comparison_type must be older or newer.");
      if (!["minute", "hour", "day", "week"].includes(str(n, "time") ?? ""))
        fail("time must be minute, hour, day or week.");
      if ((num(n, "value") ?? -1) < 0) fail("Value must be a number of 0 or more.");
      return;
    case FILTER.latestRelease:
      return;
    case FILTER.category:
      if (num(n, "value") === null) fail("Issue category value is required.");
      return;
    default:
      fail(`Unknown filter: ${n.id}`);
  }
}

function validateAction(n: RuleNode, fail: (m: string) => void): void {
  switch (n.id) {
    case ACTION.email: {
      const type = str(n, "targetType");
      if (type !== "IssueOwners" && type !== "Team" && type !== "Member")
        fail("targetType must be IssueOwners, Team or Member.");
      if (type === "Member" && num(n, "targetIdentifier") === null)
        fail("targetIdentifier (a user id) is required.");
      return;
    }
    case ACTION.service:
      if (str(n, "service") !== "webhooks") fail("Only the webhooks service is available.");
      return;
    case ACTION.slack:
    case ACTION.discord: {
      const url = str(n, "webhook_url");
      if (!url || !/^https?:\/\//.test(url)) fail("webhook_url must be an http(s) URL.");
      return;
    }
    default:
      fail(`Unknown action: ${n.id}`);
  }
}
