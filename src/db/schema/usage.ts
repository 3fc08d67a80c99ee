// Drizzle tables (migration 0024 mirrored): the cost meter's hourly usage and the monthly budgets.
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const usageHourly = sqliteTable(
  "usage_hourly",
  {
    /** 0: the unattributed bucket. */
    projectId: integer("project_id").notNull(),
    /** Start of the hour, Unix seconds (UTC). */
    hour: integer("hour").notNull(),
    /** "project_object" or "worker". */
    source: text("source").notNull(),
    organizationId: integer("organization_id").notNull(),
    d1RowsRead: integer("d1_rows_read").notNull().default(0),
    d1RowsWritten: integer("d1_rows_written").notNull().default(0),
    r2ClassA: integer("r2_class_a").notNull().default(0),
    r2ClassB: integer("r2_class_b").notNull().default(0),
    r2BytesPut: integer("r2_bytes_put").notNull().default(0),
    doRequests: integer("do_requests").notNull().default(0),
    doActiveMs: integer("do_active_ms").notNull().default(0),
    queueMessages: integer("queue_messages").notNull().default(0),
    workerRequests: integer("worker_requests").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.hour, t.source] }),
    index("usage_hourly_organization").on(t.organizationId, t.hour),
  ],
);

export const usageBudgets = sqliteTable(
  "usage_budgets",
  {
    organizationId: integer("organization_id").notNull(),
    /** 0: the organization's own budget. */
    projectId: integer("project_id").notNull(),
    monthlyBudgetUsd: real("monthly_budget_usd").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.projectId] })],
);

/** Stored bytes per project (migration 0029, docs/retention.md): the storage quota's measure. */
export const storageUsage = sqliteTable(
  "storage_usage",
  {
    projectId: integer("project_id").primaryKey(),
    organizationId: integer("organization_id").notNull(),
    bytes: integer("bytes").notNull().default(0),
  },
  (t) => [index("storage_usage_organization").on(t.organizationId)],
);
