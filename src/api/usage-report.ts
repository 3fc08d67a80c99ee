// The JSON of the usage endpoints (docs/costs.md): month-to-date usage in platform units and dollars,
// split by source, the hourly series of the last `hours`, and the budget state. Built from usage_hourly
// rows plus what the project's Durable Object has not written yet. Pure.
import type { UsageRow } from "../db/usage.ts";
import type { UsageSource } from "../db/usage-ledger.ts";
import {
  addUsage,
  type PlatformUsage,
  PRICES,
  PRICES_TAKEN,
  type UsageCost,
  usageCost,
  zeroUsage,
} from "../limits/prices.ts";
import { BUDGET_SHED_MARGIN } from "../limits.ts";

const SOURCES: readonly UsageSource[] = ["project_object", "worker"];

interface Priced {
  usage: PlatformUsage;
  cost: UsageCost;
}

const priced = (usage: PlatformUsage): Priced => ({ usage, cost: usageCost(usage) });
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export interface BudgetInput {
  /** The scope's own budget (the project's, or the organization's on the org endpoint). */
  monthlyBudgetUsd: number | null;
  /** The organization's budget, on the project endpoint (it sheds the project too). */
  organizationMonthlyBudgetUsd?: number | null;
  /** The organization's month-to-date spend, on the project endpoint. */
  organizationSpendUsd?: number;
}

export interface ReportWindow {
  monthStart: number;
  fromHour: number;
  nowHour: number;
}

function budgetJson(spendUsd: number, budget: BudgetInput) {
  const shedAt = (usd: number | null | undefined) => (usd == null ? null : usd * (1 - BUDGET_SHED_MARGIN));
  const own = shedAt(budget.monthlyBudgetUsd);
  const org = shedAt(budget.organizationMonthlyBudgetUsd);
  const shedding =
    (own !== null && spendUsd >= own) || (org !== null && (budget.organizationSpendUsd ?? 0) >= org);
  return {
    monthlyBudgetUsd: budget.monthlyBudgetUsd,
    ...(budget.organizationMonthlyBudgetUsd !== undefined
      ? { organizationMonthlyBudgetUsd: budget.organizationMonthlyBudgetUsd }
      : {}),
    shedAtUsd: own,
    shedMargin: BUDGET_SHED_MARGIN,
    state: shedding ? "shedding" : "ok",
  };
}

/** The report of `rows` (and `pending`, the project object's unwritten usage) for the window. */
export function usageReport(
  rows: readonly UsageRow[],
  pending: readonly { hour: number; usage: PlatformUsage }[],
  window: ReportWindow,
  budget: BudgetInput,
) {
  const all: UsageRow[] = [
    ...rows,
    ...pending.map((p) => ({
      projectId: 0,
      hour: p.hour,
      source: "project_object" as const,
      usage: p.usage,
    })),
  ];
  const bySource = new Map(SOURCES.map((s) => [s, zeroUsage()]));
  const month = zeroUsage();
  const hours = new Map<number, PlatformUsage>();
  for (let h = window.fromHour; h <= window.nowHour; h += 3600) hours.set(h, zeroUsage());
  for (const r of all) {
    if (r.hour >= window.monthStart) {
      addUsage(month, r.usage);
      addUsage(bySource.get(r.source) ?? zeroUsage(), r.usage);
    }
    const hour = hours.get(r.hour);
    if (hour) addUsage(hour, r.usage);
  }
  const monthToDate = priced(month);
  return {
    currency: "USD",
    pricesTaken: PRICES_TAKEN,
    prices: PRICES,
    monthToDate: {
      start: iso(window.monthStart),
      ...monthToDate,
      bySource: Object.fromEntries([...bySource].map(([s, u]) => [s, priced(u)])),
    },
    budget: budgetJson(monthToDate.cost.totalUsd, budget),
    hours: [...hours].map(([h, u]) => ({ hour: iso(h), ...priced(u) })),
  };
}

export type UsageReport = ReturnType<typeof usageReport>;
