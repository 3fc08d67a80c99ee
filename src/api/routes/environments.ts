// Sentry's environment lists: `GET /organizations/{org}/environments/` (`[{id, name}]`) and
// `GET /projects/{org}/{project}/environments/` (`[{id, name, isHidden}]`), from the environments of
// the events of the last 90 days. Faultline hides none: `visibility=hidden` lists nothing.
import type { IRequest } from "itty-router";
import { environmentNames } from "../../db/environments.ts";
import { orgProjectRefs } from "../../db/org-projects.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_ENVIRONMENTS_LISTED, MAX_QUERY_PERIOD_SECONDS } from "../../limits.ts";
import { authenticate, organizationFor, requestProject } from "../access.ts";

/** A stable numeric id per name (Sentry's ids are numbers; Faultline keeps no environment rows). */
export function environmentId(name: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return String(hash);
}

function visible(request: IRequest): boolean {
  const visibility = new URL(request.url).searchParams.get("visibility") ?? "active";
  if (!["active", "hidden", "all"].includes(visibility))
    throw badRequest("Invalid value for 'visibility', valid values are: 'active', 'hidden', 'all'");
  return visibility !== "hidden";
}

const since = () => Date.now() / 1000 - MAX_QUERY_PERIOD_SECONDS;

async function orgEnvironments(request: IRequest, env: Env): Promise<Response> {
  const caller = await authenticate(request, env);
  const org = await organizationFor(env, caller, param(request, "org"), "org:read");
  if (!visible(request)) return json([]);
  const projects = await orgProjectRefs(env.DB, org.id);
  const names = await environmentNames(
    shardDb(env, org.shard),
    projects.map((p) => p.id),
    since(),
    MAX_ENVIRONMENTS_LISTED,
  );
  return json(names.map((name) => ({ id: environmentId(name), name })));
}

async function projectEnvironments(request: IRequest, env: Env): Promise<Response> {
  const { org, project } = await requestProject(request, env, "project:read");
  if (!visible(request)) return json([]);
  const names = await environmentNames(
    shardDb(env, org.shard),
    [project.id],
    since(),
    MAX_ENVIRONMENTS_LISTED,
  );
  return json(names.map((name) => ({ id: environmentId(name), name, isHidden: false })));
}

export function registerEnvironmentRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/environments/", (req, env) => orgEnvironments(req, env));
  router.get("/api/0/projects/:org/:project/environments/", (req, env) => projectEnvironments(req, env));
}
