// Small additions to access.ts for the tenant routes: resolving an organization with any of several
// scopes, the scopes a caller effectively holds (with implied ones), and routes that need a user.

import { organizationByRef } from "../db/access-reads.ts";
import { UNATTRIBUTED_PROJECT } from "../db/usage-ledger.ts";
import { attributeUsage } from "../db/worker-usage.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import {
  type Caller,
  forbidden,
  hasScope,
  KNOWN_SCOPES,
  notFound,
  type OrgRow,
  type Scope,
} from "./access.ts";
import { segmentRef } from "./slugs.ts";

/** 404 unless the organization is the caller's; 403 unless the caller holds one of `scopes` there. */
export function requireAnyScope(caller: Caller, organizationId: number, scopes: readonly Scope[]): void {
  if (!caller.orgScopes.has(organizationId)) throw notFound();
  if (!scopes.some((s) => hasScope(caller, organizationId, s))) throw forbidden();
}

/** The caller's organization by slug or id (else 404), requiring any one of `scopes` (else 403). */
export async function organizationWithAny(
  env: Env,
  caller: Caller,
  orgRef: string,
  scopes: readonly Scope[],
): Promise<OrgRow> {
  const org = await organizationByRef(env.DB, segmentRef(orgRef));
  if (!org || !caller.orgScopes.has(org.id)) throw notFound();
  requireAnyScope(caller, org.id, scopes);
  attributeUsage(env, { projectId: UNATTRIBUTED_PROJECT, organizationId: org.id });
  return org;
}

/** Every scope the caller effectively holds in an organization (stronger scopes imply weaker ones). */
export function effectiveScopes(caller: Caller, organizationId: number): string[] {
  return KNOWN_SCOPES.filter((s) => hasScope(caller, organizationId, s as Scope));
}

/** The user behind a user token; organization tokens have none and get 403. */
export function requireUser(caller: Caller): number {
  if (caller.identity.userId === null || caller.identity.organizationId !== null)
    throw new FaultlineError(
      403,
      "This action requires a user token; organization tokens cannot perform it.",
    );
  return caller.identity.userId;
}

/** Whether the caller is a user who belongs to the organization (organization tokens are not members). */
export const isUserMember = (caller: Caller, organizationId: number): boolean =>
  caller.identity.userId !== null &&
  caller.identity.organizationId === null &&
  caller.orgScopes.has(organizationId);

/** The origin requests came in on: DSNs, links and organization tokens point back to it. */
export const originOf = (request: Request): string => new URL(request.url).origin;
