// What the usage API asks of a project's Durable Object: the usage it metered since its last group
// commit (not in D1 yet), and to read its budgets again after the API changed one.
import type { Env } from "../env.ts";
import type { PlatformUsage } from "../limits/prices.ts";

const stubOf = (env: Env, projectId: number) => env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));

/** The project object's usage not yet written, hour by hour (Unix seconds). */
export async function pendingProjectUsage(
  env: Env,
  projectId: number,
): Promise<{ hour: number; usage: PlatformUsage }[]> {
  return stubOf(env, projectId).pendingUsage();
}

/** The project's (or its organization's) budget changed: its object reads budgets and spend again. */
export async function forgetProjectBudget(
  env: Env,
  organizationId: number,
  projectId: number,
): Promise<void> {
  await stubOf(env, projectId).forgetBudget(organizationId, projectId);
}
