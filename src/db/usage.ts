// D1 access of the cost meter: the upserts that add gathered usage to usage_hourly (one statement per
// project, hour and source), the hourly series and sums the API shows, the month-to-date spend the
// project's Durable Object checks budgets against, and the budgets themselves (migration 0024).
import { type PlatformUsage, USAGE_FIELDS, zeroUsage } from "../limits/prices.ts";
import { all, first } from "./sql.ts";
import type { UsageEntry, UsageSource } from "./usage-ledger.ts";

/** usage_hourly's counter columns, in PlatformUsage's field order. */
const COLUMNS: Record<keyof PlatformUsage, string> = {
  d1RowsRead: "d1_rows_read",
  d1RowsWritten: "d1_rows_written",
  r2ClassA: "r2_class_a",
  r2ClassB: "r2_class_b",
  r2BytesPut: "r2_bytes_put",
  doRequests: "do_requests",
  doActiveMs: "do_active_ms",
  queueMessages: "queue_messages",
  workerRequests: "worker_requests",
};
const COUNTER_COLUMNS = USAGE_FIELDS.map((f) => COLUMNS[f]);

const UPSERT_SQL = `INSERT INTO usage_hourly (project_id, hour, source, organization_id, ${COUNTER_COLUMNS.join(", ")})
  VALUES (?, ?, ?, ?, ${COUNTER_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (project_id, hour, source) DO UPDATE SET
  ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`;

/** One upsert per entry, adding its counters to the stored row. */
export function usageUpsertStatements(db: D1Database, entries: readonly UsageEntry[]): D1PreparedStatement[] {
  return entries.map((e) =>
    db
      .prepare(UPSERT_SQL)
      .bind(
        e.projectId,
        e.hour,
        e.source,
        e.organizationId,
        ...USAGE_FIELDS.map((f) => Math.round(e.usage[f])),
      ),
  );
}

/** Writes gathered usage (a Worker isolate's flush). */
export async function writeUsage(db: D1Database, entries: readonly UsageEntry[]): Promise<void> {
  if (entries.length > 0) await db.batch(usageUpsertStatements(db, entries));
}

const SELECT_COUNTERS = USAGE_FIELDS.map((f) => `${COLUMNS[f]} AS ${f}`).join(", ");
const SUM_COUNTERS = USAGE_FIELDS.map((f) => `COALESCE(SUM(${COLUMNS[f]}), 0) AS ${f}`).join(", ");

export interface UsageRow {
  projectId: number;
  hour: number;
  source: UsageSource;
  usage: PlatformUsage;
}

function usageOf(row: Record<string, unknown>): PlatformUsage {
  const u = zeroUsage();
  for (const f of USAGE_FIELDS) u[f] = Number(row[f] ?? 0);
  return u;
}

/** Which rows: one project's, or every row of an organization (its projects and its unattributed work). */
export type UsageScope = { projectId: number } | { organizationId: number };

function scopeSql(scope: UsageScope): { where: string; param: number } {
  return "projectId" in scope
    ? { where: "project_id = ?", param: scope.projectId }
    : { where: "organization_id = ?", param: scope.organizationId };
}

/** The hourly rows of a scope from `fromHour` on (Unix seconds), oldest first. */
export async function usageRows(db: D1Database, scope: UsageScope, fromHour: number): Promise<UsageRow[]> {
  const { where, param } = scopeSql(scope);
  const rows = await all<Record<string, unknown>>(
    db,
    `SELECT project_id AS projectId, hour, source, ${SELECT_COUNTERS} FROM usage_hourly
     WHERE ${where} AND hour >= ? ORDER BY hour ASC, project_id ASC, source ASC`,
    [param, fromHour],
  );
  return rows.map((r) => ({
    projectId: Number(r.projectId),
    hour: Number(r.hour),
    source: r.source as UsageSource,
    usage: usageOf(r),
  }));
}

/** What a project's Durable Object needs to check budgets: the budgets and the spend since `fromHour`. */
export interface BudgetState {
  projectBudgetUsd: number | null;
  organizationBudgetUsd: number | null;
  projectUsage: PlatformUsage;
  organizationUsage: PlatformUsage;
}

/** One round trip: the project's and organization's budgets and month-to-date usage. */
export async function readBudgetState(
  db: D1Database,
  organizationId: number,
  projectId: number,
  fromHour: number,
): Promise<BudgetState> {
  const [budgets, project, organization] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        "SELECT project_id, monthly_budget_usd FROM usage_budgets WHERE organization_id = ? AND project_id IN (0, ?)",
      )
      .bind(organizationId, projectId),
    db
      .prepare(`SELECT ${SUM_COUNTERS} FROM usage_hourly WHERE project_id = ? AND hour >= ?`)
      .bind(projectId, fromHour),
    db
      .prepare(`SELECT ${SUM_COUNTERS} FROM usage_hourly WHERE organization_id = ? AND hour >= ?`)
      .bind(organizationId, fromHour),
  ]);
  const budgetOf = (id: number) => {
    const row = budgets?.results.find((r) => Number(r.project_id) === id);
    return row ? Number(row.monthly_budget_usd) : null;
  };
  return {
    projectBudgetUsd: budgetOf(projectId),
    organizationBudgetUsd: budgetOf(0),
    projectUsage: usageOf(project?.results[0] ?? {}),
    organizationUsage: usageOf(organization?.results[0] ?? {}),
  };
}

/** The monthly budget of a project (projectId) or of the organization (projectId 0); null when none. */
export async function getBudget(
  db: D1Database,
  organizationId: number,
  projectId: number,
): Promise<number | null> {
  const row = await first<{ usd: number }>(
    db,
    "SELECT monthly_budget_usd AS usd FROM usage_budgets WHERE organization_id = ? AND project_id = ?",
    [organizationId, projectId],
  );
  return row ? row.usd : null;
}

/** Sets (a number) or removes (null) a monthly budget. */
export async function setBudget(
  db: D1Database,
  organizationId: number,
  projectId: number,
  usd: number | null,
): Promise<void> {
  if (usd === null) {
    await db
      .prepare("DELETE FROM usage_budgets WHERE organization_id = ? AND project_id = ?")
      .bind(organizationId, projectId)
      .run();
    return;
  }
  await db
    .prepare(
      `INSERT INTO usage_budgets (organization_id, project_id, monthly_budget_usd) VALUES (?, ?, ?)
       ON CONFLICT (organization_id, project_id) DO UPDATE SET monthly_budget_usd = excluded.monthly_budget_usd`,
    )
    .bind(organizationId, projectId, usd)
    .run();
}
