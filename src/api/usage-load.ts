// Reading and changing a project's usage and budget, shared by the usage API and the settings page: the
// isolate's unwritten Worker usage is written first, the project object's unwritten usage added, and a
// changed budget handed to the project object at once.

import { shardDb } from "../db/shards.ts";
import { readBudgetState, setBudget, usageRows } from "../db/usage.ts";
import { hourOf, monthStartOf } from "../db/usage-ledger.ts";
import { flushWorkerUsage } from "../db/worker-usage.ts";
import type { Env } from "../env.ts";
import { usageCost } from "../limits/prices.ts";
import { forgetProjectBudget, pendingProjectUsage } from "../project/index.ts";
import { type ReportWindow, type UsageReport, usageReport } from "./usage-report.ts";

/** The window of a report: the month so far, and the series of the last `hours` hours. */
export function reportWindow(hours: number, nowMs = Date.now()): ReportWindow {
  const nowHour = hourOf(nowMs);
  return { monthStart: monthStartOf(nowMs), fromHour: nowHour - (hours - 1) * 3600, nowHour };
}

export async function loadProjectUsage(
  env: Env,
  org: { id: number; shard: string },
  projectId: number,
  window: ReportWindow,
): Promise<UsageReport> {
  await flushWorkerUsage(env);
  const from = Math.min(window.monthStart, window.fromHour);
  const events = shardDb(env, org.shard);
  const [rows, pending, budgets] = await Promise.all([
    usageRows(events, { projectId }, from),
    pendingProjectUsage(env, projectId).catch(() => []),
    readBudgetState(events, org.id, projectId, window.monthStart),
  ]);
  return usageReport(rows, pending, window, {
    monthlyBudgetUsd: budgets.projectBudgetUsd,
    organizationMonthlyBudgetUsd: budgets.organizationBudgetUsd,
    organizationSpendUsd: usageCost(budgets.organizationUsage).totalUsd,
  });
}

/** Sets (or with null removes) the project's monthly budget; its object applies it to the next envelope. */
export async function changeProjectBudget(
  env: Env,
  org: { id: number; shard: string },
  projectId: number,
  usd: number | null,
): Promise<void> {
  await setBudget(shardDb(env, org.shard), org.id, projectId, usd);
  await forgetProjectBudget(env, org.id, projectId);
}
