// Teams: `GET/POST /api/0/organizations/{org}/teams/` and `GET/DELETE /api/0/teams/{org}/{team}/` (a
// deleted team's projects stay, without a team). The team's projects are in projects.ts.
import type { IRequest } from "itty-router";
import { createTeam, deleteTeam, getTeam, listTeams, memberCount, type TeamRow } from "../../db/tenants.ts";
import type { Env } from "../../env.ts";
import { FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { authenticate, type Caller, notFound, type OrgRow, type Scope } from "../access.ts";
import { linkHeader, pageFrom, textQuery } from "../pagination.ts";
import { serializeTeam } from "../serializers/team.ts";
import { nameAndSlug, objectBody } from "../slugs.ts";
import { effectiveScopes, isUserMember, organizationWithAny } from "../tenant-access.ts";

export async function teamJson(env: Env, caller: Caller, org: OrgRow, teams: readonly TeamRow[]) {
  const members = await memberCount(env.DB, org.id);
  const access = effectiveScopes(caller, org.id);
  const isMember = isUserMember(caller, org.id);
  return teams.map((t) => serializeTeam(t, { isMember, memberCount: members, access }));
}

/** The team of a `/teams/{org}/{team}/` route, among the caller's organizations only. */
export async function routeTeam(req: IRequest, env: Env, scope: Scope) {
  const caller = await authenticate(req, env);
  const org = await organizationWithAny(env, caller, param(req, "org"), [scope]);
  const team = await getTeam(env.DB, org.id, param(req, "team"));
  if (!team) throw notFound();
  return { caller, org, team };
}

export function registerTeamRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/teams/", async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["team:read", "org:read"]);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listTeams(env.DB, org.id, page, textQuery(url));
    return json(await teamJson(env, caller, org, rows), 200, { link: linkHeader(url, page, hasMore) });
  });

  router.post("/api/0/organizations/:org/teams/", async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["team:write"]);
    const input = nameAndSlug(objectBody(await readJsonBody(req, MAX_API_JSON_BYTES)), "Team");
    const team = await createTeam(env.DB, org.id, input);
    if (!team) throw new FaultlineError(409, "A team with this slug already exists.");
    const [body] = await teamJson(env, caller, org, [team]);
    return json(body, 201);
  });

  router.get("/api/0/teams/:org/:team/", async (req, env) => {
    const { caller, org, team } = await routeTeam(req, env, "team:read");
    const [body] = await teamJson(env, caller, org, [team]);
    return json({
      ...body,
      organization: { id: String(org.id), slug: org.slug, name: org.name },
    });
  });

  router.delete("/api/0/teams/:org/:team/", async (req, env) => {
    const { team } = await routeTeam(req, env, "team:admin");
    await deleteTeam(env.DB, team);
    return new Response(null, { status: 204 });
  });
}
