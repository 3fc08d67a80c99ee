// A monthly budget as the API takes it: dollars as a number (or a numeric string, as Sentry's project
// options often carry), null or "" to remove it.
import { badRequest } from "../../errors.ts";
import { MAX_MONTHLY_BUDGET_USD } from "../../limits.ts";

/** The project option holding the project's monthly budget (PUT /api/0/projects/{org}/{project}/). */
export const BUDGET_OPTION = "faultline:monthlyBudgetUsd";

/** Dollars, or null to remove the budget; a 400 with the reason otherwise. */
export function parseBudget(value: unknown, name: string): number | null {
  if (value === null || value === "") return null;
  const usd = typeof value === "string" ? Number(value.trim()) : value;
  if (typeof usd !== "number" || !Number.isFinite(usd) || usd < 0 || usd > MAX_MONTHLY_BUDGET_USD)
    throw badRequest(`${name}: must be a number of dollars from 0 to ${MAX_MONTHLY_BUDGET_USD}, or null`);
  return usd;
}
