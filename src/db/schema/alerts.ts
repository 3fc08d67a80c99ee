// Drizzle tables (migration 0020 mirrored; numbered after main's 0018 and 0019): issue alert rules,
// per-project alert settings and the delivery log.
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const alertRules = sqliteTable(
  "alert_rules",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    name: text("name").notNull(),
    status: text("status").notNull().default("active"),
    actionMatch: text("action_match").notNull(),
    filterMatch: text("filter_match").notNull(),
    frequency: integer("frequency").notNull(),
    environment: text("environment"),
    conditions: text("conditions").notNull(),
    filters: text("filters").notNull(),
    actions: text("actions").notNull(),
    createdBy: integer("created_by"),
    createdAt: real("created_at").notNull(),
    updatedAt: real("updated_at").notNull(),
  },
  (t) => [index("alert_rules_project").on(t.projectId, t.id)],
);

export const alertSettings = sqliteTable("alert_settings", {
  projectId: integer("project_id").primaryKey(),
  webhookUrls: text("webhook_urls").notNull().default(""),
  webhookSecret: text("webhook_secret").notNull(),
  allowPrivateTargets: integer("allow_private_targets").notNull().default(0),
  baseUrl: text("base_url"),
});

export const alertDeliveries = sqliteTable(
  "alert_deliveries",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    deliveryKey: text("delivery_key").notNull(),
    ruleId: integer("rule_id"),
    ruleName: text("rule_name").notNull(),
    issueId: integer("issue_id"),
    target: text("target").notNull(),
    status: text("status").notNull(),
    statusCode: integer("status_code"),
    attempts: integer("attempts").notNull(),
    error: text("error"),
    createdAt: real("created_at").notNull(),
    updatedAt: real("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("alert_deliveries_key").on(t.projectId, t.deliveryKey),
    index("alert_deliveries_issue").on(t.projectId, t.issueId),
  ],
);
