// The budget alert: when a project's Durable Object starts shedding ingest because a monthly cost budget
// is reached, every active rule of the project with the budget condition is delivered once (then at most
// once per the rule's `frequency`), through the same outbox, queue and targets as issue alerts. The
// message carries no event: its summary says which budget, the spend and the budget.
import type { DeliveryMessage, DeliveryTarget } from "./messages.ts";
import { type AlertRule, CONDITION } from "./rule-model.ts";

/** What the project object knows when shedding starts. */
export interface BudgetAlert {
  scope: "project" | "organization";
  spendUsd: number;
  budgetUsd: number;
}

/** The rules a budget alert fires: active, with the budget condition (filters are about events: not applied). */
export function budgetRules(rules: readonly AlertRule[]): AlertRule[] {
  return rules.filter(
    (r) => r.status === "active" && r.conditions.some((c) => c.id === CONDITION.budgetExceeded),
  );
}

const dollars = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

/** One delivery of the budget alert to one target. */
export function budgetMessage(
  rule: AlertRule,
  target: DeliveryTarget,
  organizationId: number,
  alert: BudgetAlert,
  nowSeconds: number,
): DeliveryMessage {
  const title = `Monthly cost budget reached: ${dollars(alert.spendUsd)} of ${dollars(alert.budgetUsd)} (${alert.scope})`;
  return {
    key: crypto.randomUUID(),
    projectId: rule.projectId,
    organizationId,
    ruleId: rule.id,
    ruleName: rule.name,
    issueId: 0,
    target,
    test: false,
    event: {
      eventId: "0".repeat(32),
      title,
      culprit: "faultline cost meter",
      level: "warning",
      message: `${title}. Ingest is refused (429, reason cost_budget) until the budget is raised or the month ends.`,
      platform: "other",
      logger: null,
      release: null,
      environment: null,
      timestamp: nowSeconds,
      tags: [
        ["budget_scope", alert.scope],
        ["spend_usd", alert.spendUsd.toFixed(6)],
        ["budget_usd", alert.budgetUsd.toFixed(6)],
      ],
      frames: [],
      count: 1,
    },
  };
}
