// The cost meter's API (docs/costs.md): `GET /api/0/projects/{org}/{project}/usage/` and
// `GET /api/0/organizations/{org}/usage/` (month to date and the hourly series of the last `hours`,
// platform units and dollars, the budget state, the organization's storage against its quota), `PUT` on
// both (`{"monthlyBudgetUsd": n | null}`, owners and admins only; the organization's also takes
// `{"storageQuotaBytes": n | null}`, docs/retention.md). The project budget is also the project option
// `faultline:monthlyBudgetUsd`.
import type { IRequest } from "itty-router";
import { shardDb } from "../../db/shards.ts";
import { setStorageQuota } from "../../db/storage-usage.ts";
import { listProjects } from "../../db/tenant-projects.ts";
import { getBudget, setBudget, usageRows } from "../../db/usage.ts";
import { UNATTRIBUTED_PROJECT } from "../../db/usage-ledger.ts";
import { flushWorkerUsage } from "../../db/worker-usage.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { addUsage, type PlatformUsage, usageCost, zeroUsage } from "../../limits/prices.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { forgetProjectBudget } from "../../project/index.ts";
import { authenticate } from "../access.ts";
import { parseBudget } from "../serializers/budget.ts";
import { objectBody } from "../slugs.ts";
import { loadStorage, parseStorageQuota } from "../storage-quota.ts";
import { organizationWithAny } from "../tenant-access.ts";
import { changeProjectBudget, loadProjectUsage, reportWindow } from "../usage-load.ts";
import { type ReportWindow, usageReport } from "../usage-report.ts";
import { routeProject } from "./projects.ts";

/** Hours of the series at most (a month and a day). */
const MAX_SERIES_HOURS = 32 * 24;
const DEFAULT_SERIES_HOURS = 24;

function windowOf(req: IRequest): ReportWindow {
  const raw = new URL(req.url).searchParams.get("hours");
  const hours = raw === null ? DEFAULT_SERIES_HOURS : Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_SERIES_HOURS)
    throw badRequest(`hours: must be an integer from 1 to ${MAX_SERIES_HOURS}`);
  return reportWindow(hours);
}

async function budgetBody(req: IRequest): Promise<number | null> {
  const body = objectBody(await readJsonBody(req, MAX_API_JSON_BYTES));
  if (!("monthlyBudgetUsd" in body)) throw badRequest("monthlyBudgetUsd: required (dollars, or null)");
  return parseBudget(body.monthlyBudgetUsd, "monthlyBudgetUsd");
}

/** The organization's PUT: a budget, a storage quota, or both (undefined: unchanged). */
async function organizationBody(
  req: IRequest,
): Promise<{ budget: number | null | undefined; quota: number | null | undefined }> {
  const body = objectBody(await readJsonBody(req, MAX_API_JSON_BYTES));
  if (!("monthlyBudgetUsd" in body) && !("storageQuotaBytes" in body))
    throw badRequest("monthlyBudgetUsd (dollars, or null) or storageQuotaBytes (bytes, or null): required");
  return {
    budget: "monthlyBudgetUsd" in body ? parseBudget(body.monthlyBudgetUsd, "monthlyBudgetUsd") : undefined,
    quota:
      "storageQuotaBytes" in body
        ? parseStorageQuota(body.storageQuotaBytes, "storageQuotaBytes")
        : undefined,
  };
}

/** Every project object of the organization reads its budgets again (the organization's changed). */
export async function forgetOrganizationBudget(env: Env, organizationId: number): Promise<void> {
  const { rows } = await listProjects(env.DB, [organizationId], { offset: 0, limit: 1000 });
  await Promise.all(
    rows.map((p) =>
      forgetProjectBudget(env, organizationId, p.id).catch((error: unknown) =>
        console.error("budget: a project object did not read its budget again", error),
      ),
    ),
  );
}

async function projectUsage(req: IRequest, env: Env): Promise<Response> {
  const { org, project } = await routeProject(req, env, "project:read");
  const [report, storage] = await Promise.all([
    loadProjectUsage(env, org, project.id, windowOf(req)),
    loadStorage(env, org),
  ]);
  return json({
    project: { id: String(project.id), slug: project.slug },
    ...report,
    organizationStorage: storage,
  });
}

async function organizationUsage(req: IRequest, env: Env): Promise<Response> {
  const caller = await authenticate(req, env);
  const org = await organizationWithAny(env, caller, param(req, "org"), ["org:read"]);
  const window = windowOf(req);
  await flushWorkerUsage(env);
  const from = Math.min(window.monthStart, window.fromHour);
  const [rows, budget, projects, storage] = await Promise.all([
    usageRows(shardDb(env, org.shard), { organizationId: org.id }, from),
    getBudget(shardDb(env, org.shard), org.id, UNATTRIBUTED_PROJECT),
    listProjects(env.DB, [org.id], { offset: 0, limit: 1000 }),
    loadStorage(env, org),
  ]);
  const perProject = new Map<number, PlatformUsage>();
  for (const r of rows) {
    if (r.hour < window.monthStart) continue;
    const u = perProject.get(r.projectId) ?? zeroUsage();
    perProject.set(r.projectId, addUsage(u, r.usage));
  }
  const slugs = new Map(projects.rows.map((p) => [p.id, p.slug]));
  const report = usageReport(rows, [], window, { monthlyBudgetUsd: budget });
  return json({
    organization: { id: String(org.id), slug: org.slug },
    ...report,
    storage,
    projects: [...perProject].map(([id, usage]) => ({
      // The unattributed bucket: the organization's work that no one project was named for.
      id: id === UNATTRIBUTED_PROJECT ? null : String(id),
      slug: id === UNATTRIBUTED_PROJECT ? null : (slugs.get(id) ?? null),
      usage,
      cost: usageCost(usage),
    })),
  });
}

export function registerUsageRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/usage/", projectUsage);
  router.put("/api/0/projects/:org/:project/usage/", async (req, env) => {
    const { org, project } = await routeProject(req, env, "project:admin");
    await changeProjectBudget(env, org, project.id, await budgetBody(req));
    return projectUsage(req, env);
  });
  router.get("/api/0/organizations/:org/usage/", organizationUsage);
  router.put("/api/0/organizations/:org/usage/", async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:write"]);
    const { budget, quota } = await organizationBody(req);
    // The storage quota is an owner's or admin's, as the budget is (org:write).
    if (budget !== undefined) await setBudget(shardDb(env, org.shard), org.id, UNATTRIBUTED_PROJECT, budget);
    if (quota !== undefined) await setStorageQuota(env.DB, org.id, quota);
    await forgetOrganizationBudget(env, org.id);
    return organizationUsage(req, env);
  });
}
