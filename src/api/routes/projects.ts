// Projects: `GET /api/0/projects/` (every project the caller may read), `GET
// /api/0/organizations/{org}/projects/`, `GET/POST /api/0/teams/{org}/{team}/projects/` (create: name,
// slug, platform; with one DSN key), `GET/PUT/DELETE /api/0/projects/{org}/{project}/` (PUT: name, slug,
// platform, rateLimit, data scrubbing, the inbound filters' `options` lists, the monthly cost budget
// option `faultline:monthlyBudgetUsd`, `retentionDays` (docs/retention.md); DELETE removes its rows, R2
// bytes and cached state).

import type { IRequest } from "itty-router";
import { deleteProjectBlobs } from "../../blobs/project-blobs.ts";
import { readOrganizationRetention, readOrganizationRetentions } from "../../db/organization-retention.ts";
import { anchorProjectOnShard, dropProjectFromShard, shardDb } from "../../db/shards.ts";
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  type ProjectRow,
  type ProjectUpdate,
  updateProject,
} from "../../db/tenant-projects.ts";
import { getOrganization, teamsById } from "../../db/tenants.ts";
import { getBudget } from "../../db/usage.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { forgetProjectKeys } from "../../ingest/index.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { forgetProjectIssues } from "../../project/index.ts";
import { parseStoredFilters, storeFilters } from "../../protocol/filters/index.ts";
import {
  authenticate,
  type Caller,
  forbidden,
  hasScope,
  notFound,
  requestProject,
  type Scope,
} from "../access.ts";
import { linkHeader, pageFrom, textQuery } from "../pagination.ts";
import { BUDGET_OPTION, parseBudget } from "../serializers/budget.ts";
import { parseProjectChanges, parseProjectCreate, serializeProject } from "../serializers/project.ts";
import { newKeyPair } from "../serializers/project-key.ts";
import { effectiveScopes, isUserMember, organizationWithAny } from "../tenant-access.ts";
import { changeProjectBudget } from "../usage-load.ts";
import { routeTeam } from "./teams.ts";

type OrgSummary = { id: number; slug: string; name: string; shard: string };

/** Project JSON for rows of any of the caller's organizations, with their teams (and organization). */
export async function projectJson(
  env: Env,
  caller: Caller,
  rows: readonly ProjectRow[],
  organizations?: Map<number, OrgSummary>,
) {
  const [teams, retentions] = await Promise.all([
    teamsById(
      env.DB,
      rows.flatMap((p) => (p.teamId === null ? [] : [p.teamId])),
    ),
    readOrganizationRetentions(
      env.DB,
      rows.map((p) => p.organizationId),
    ),
  ]);
  return rows.map((p) => {
    const organization = organizations?.get(p.organizationId);
    return serializeProject(p, {
      team: (p.teamId !== null && teams.get(p.teamId)) || null,
      isMember: isUserMember(caller, p.organizationId),
      access: effectiveScopes(caller, p.organizationId),
      organizationRetentionDays: retentions.get(p.organizationId) ?? null,
      ...(organization ? { organization } : {}),
    });
  });
}

async function oneProjectJson(env: Env, caller: Caller, project: ProjectRow, org: OrgSummary) {
  const [body] = await projectJson(env, caller, [project], new Map([[org.id, org]]));
  if (!body) return body;
  // The monthly cost budget is an option only while the project has one.
  const budget = await getBudget(shardDb(env, org.shard), org.id, project.id);
  return budget === null ? body : { ...body, options: { ...body.options, [BUDGET_OPTION]: String(budget) } };
}

/** The budget option of a PUT body: undefined when absent, null to remove, dollars otherwise. */
function budgetOption(body: unknown): number | null | undefined {
  if (typeof body !== "object" || body === null || !("options" in body)) return undefined;
  const options = (body as { options: unknown }).options;
  if (typeof options !== "object" || options === null || !(BUDGET_OPTION in options)) return undefined;
  return parseBudget((options as Record<string, unknown>)[BUDGET_OPTION], BUDGET_OPTION);
}

/** The project of a `/projects/{org}/{project}/` route as a typed row, among the caller's organizations. */
export async function routeProject(req: IRequest, env: Env, scope: Scope) {
  const found = await requestProject(req, env, scope);
  const project = await getProject(env.DB, found.org.id, found.project.id);
  if (!project) throw notFound();
  // `events`: the organization's event shard (alert rules and settings, deliveries, outcomes).
  return { caller: found.caller, org: found.org, project, events: shardDb(env, found.org.shard) };
}

const orgSummary = (org: { id: number; slug: string; name: string; shard: string }): OrgSummary => ({
  id: org.id,
  slug: org.slug,
  name: org.name,
  shard: org.shard,
});

export function registerProjectRoutes(router: AppRouter): void {
  router.get("/api/0/projects/", async (req, env) => {
    const caller = await authenticate(req, env);
    const readable = [...caller.orgScopes.keys()].filter((id) => hasScope(caller, id, "project:read"));
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listProjects(env.DB, readable, page, textQuery(url));
    const orgs = new Map<number, OrgSummary>();
    for (const id of new Set(rows.map((r) => r.organizationId))) {
      const org = await getOrganization(env.DB, id);
      if (org) orgs.set(id, orgSummary(org));
    }
    return json(await projectJson(env, caller, rows, orgs), 200, { link: linkHeader(url, page, hasMore) });
  });

  router.get("/api/0/organizations/:org/projects/", async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:read", "project:read"]);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listProjects(env.DB, [org.id], page, textQuery(url));
    return json(await projectJson(env, caller, rows), 200, { link: linkHeader(url, page, hasMore) });
  });

  router.get("/api/0/teams/:org/:team/projects/", async (req, env) => {
    const { caller, team } = await routeTeam(req, env, "project:read");
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listProjects(
      env.DB,
      [team.organizationId],
      { offset: 0, limit: 10_000 },
      textQuery(url),
    );
    const mine = rows.filter((p) => p.teamId === team.id);
    const shown = mine.slice(page.offset, page.offset + page.limit);
    return json(await projectJson(env, caller, shown), 200, {
      link: linkHeader(url, page, hasMore || mine.length > page.offset + page.limit),
    });
  });

  router.post("/api/0/teams/:org/:team/projects/", async (req, env) => {
    const { caller, org, team } = await routeTeam(req, env, "project:write");
    const input = parseProjectCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    const project = await createProject(env.DB, org.id, team.id, input, newKeyPair());
    if (!project) throw new FaultlineError(409, "A project with this slug already exists.");
    await anchorProjectOnShard(env, org.shard, org.id, project.id);
    return json(await oneProjectJson(env, caller, project, orgSummary(org)), 201);
  });

  router.get("/api/0/projects/:org/:project/", async (req, env) => {
    const { caller, org, project } = await routeProject(req, env, "project:read");
    return json(await oneProjectJson(env, caller, project, orgSummary(org)));
  });

  router.put("/api/0/projects/:org/:project/", async (req, env) => {
    const { caller, org, project } = await routeProject(req, env, "project:write");
    const body = await readJsonBody(req, MAX_API_JSON_BYTES);
    // A project's retention may only be lower than its organization's (docs/retention.md).
    const organizationRetention = await readOrganizationRetention(env.DB, org.id);
    const { filterLists, ...changes } = parseProjectChanges(body, organizationRetention);
    // The monthly cost budget (docs/costs.md): an owner's or admin's change, applied by the project's object.
    const budget = budgetOption(body);
    if (budget !== undefined) {
      if (!hasScope(caller, org.id, "project:admin")) throw forbidden();
      await changeProjectBudget(env, org, project.id, budget);
    }
    const update: ProjectUpdate = changes;
    if (filterLists) {
      update.inboundFilters = storeFilters({ ...parseStoredFilters(project.inboundFilters), ...filterLists });
    }
    const updated = await updateProject(env.DB, project, update);
    if (updated === "conflict") throw badRequest(`Another project is already using the slug ${changes.slug}`);
    // Limits and status are read through the per-isolate key cache: drop it so they apply at once here.
    forgetProjectKeys();
    return json(await oneProjectJson(env, caller, updated, orgSummary(org)));
  });

  router.delete("/api/0/projects/:org/:project/", async (req, env, ctx) => {
    const { org, project } = await routeProject(req, env, "project:admin");
    await deleteProject(env.DB, project.id);
    await dropProjectFromShard(env, org.shard, project.id);
    forgetProjectKeys();
    try {
      await forgetProjectIssues(env, project.id);
    } catch (error) {
      console.error("project object did not forget its issues", error);
    }
    ctx.waitUntil(
      deleteProjectBlobs(env.BLOBS, project.id).catch((error: unknown) =>
        console.error("deleting project blobs failed", error),
      ),
    );
    return new Response(null, { status: 204 });
  });
}
