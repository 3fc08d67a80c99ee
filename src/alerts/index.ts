// The face of the alerts service: the engine the project's Durable Object runs after each group
// commit, the queue consumer the Worker's `queue()` handler calls, and the rule model the API uses.

export type { BudgetAlert } from "./budget-alert.ts";
export { deliverBatch, retryDelay } from "./deliver.ts";
export { AlertEngine, type CommittedError, targetsOf, webhookUrls } from "./engine.ts";
export {
  type DeliveryMessage,
  type DeliveryTarget,
  newWebhookSecret,
  targetLabel,
  testMessage,
} from "./messages.ts";
export { signBody } from "./payloads.ts";
export {
  ACTION,
  type AlertRule,
  CONDITION,
  FILTER,
  parseRule,
  RuleValidationError,
  ruleOfRow,
  serializeRule,
} from "./rule-model.ts";
export { blockedReason } from "./url-guard.ts";
