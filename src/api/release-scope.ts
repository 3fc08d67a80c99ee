// The organization (and project) of a release route, for reading or for writing, and the release a
// `…/releases/{version}/…` route names.
import type { IRequest } from "itty-router";
import { findRelease, releaseHasProject } from "../db/releases.ts";
import type { ReleaseRow } from "../db/rows.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { param } from "../http/app-router.ts";
import { authenticate, type Caller, notFound, type OrgRow, organizationFor, projectFor } from "./access.ts";

/**
 * Sentry lets release reads through with any of project:read/write/admin, project:releases or org:ci;
 * access.ts implies the rest from these two. Tries the read scope, then the release scope.
 */
async function anyScope<T>(resolve: (scope: "project:read" | "project:releases") => Promise<T>): Promise<T> {
  try {
    return await resolve("project:read");
  } catch (error) {
    if (error instanceof FaultlineError && error.status === 403) return resolve("project:releases");
    throw error;
  }
}

export const organizationForAnyScope = (env: Env, caller: Caller, orgRef: string): Promise<OrgRow> =>
  anyScope((scope) => organizationFor(env, caller, orgRef, scope));

export const projectForAnyScope = (env: Env, caller: Caller, orgRef: string, projectRef: string) =>
  anyScope((scope) => projectFor(env, caller, orgRef, projectRef, scope));

/** The release, or 404; with a project, also 404 unless the release belongs to it. */
export async function releaseOr404(
  db: D1Database,
  orgId: number,
  version: string,
  projectId?: number,
): Promise<ReleaseRow> {
  const release = await findRelease(db, orgId, version);
  if (!release) throw notFound();
  if (projectId !== undefined && !(await releaseHasProject(db, release.id, projectId))) throw notFound();
  return release;
}

/** Resolves org (and project) of a release route for reading or for writing. */
export async function releaseScopeOf(request: IRequest, env: Env, write: boolean) {
  const caller = await authenticate(request, env);
  const orgRef = param(request, "org");
  const projectRef = request.params.project === undefined ? null : param(request, "project");
  if (projectRef === null) {
    const org = write
      ? await organizationFor(env, caller, orgRef, "project:releases")
      : await organizationForAnyScope(env, caller, orgRef);
    return { org, project: null };
  }
  const found = write
    ? await projectFor(env, caller, orgRef, projectRef, "project:releases")
    : await projectForAnyScope(env, caller, orgRef, projectRef);
  return { org: found.org, project: found.project };
}

/** The release of a `…/releases/{version}/…` route, scoped to the route's org (and project). */
export async function routeRelease(request: IRequest, env: Env, write: boolean) {
  const { org, project } = await releaseScopeOf(request, env, write);
  // Releases, their links and deploys are on the organization's event shard.
  const events = shardDb(env, org.shard);
  const release = await releaseOr404(events, org.id, param(request, "version"), project?.id);
  return { org, project, release, events };
}
