// Authorization for the REST API, in one place: every route names the scope it needs and resolves the
// organization/project from the URL through these functions, which only ever find objects of the
// caller's own organizations. A foreign object is a 404, so its existence is not revealed.

import type { IRequest } from "itty-router";
import { membershipsOfUser, organizationByRef, projectInOrgByRef } from "../db/access-reads.ts";
import type { MemberRole, OrgRow, ProjectRow } from "../db/rows.ts";
import { UNATTRIBUTED_PROJECT } from "../db/usage-ledger.ts";
import { attributeUsage } from "../db/worker-usage.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { param } from "../http/app-router.ts";
import { segmentRef } from "./slugs.ts";
import { authenticateToken, type TokenIdentity } from "./tokens.ts";

/** Every scope Sentry defines, in Sentry's order; tokens may carry any of them. */
export const KNOWN_SCOPES = [
  "org:read",
  "org:write",
  "org:admin",
  "org:integrations",
  "org:ci",
  "team:read",
  "team:write",
  "team:admin",
  "project:read",
  "project:write",
  "project:admin",
  "project:releases",
  "member:read",
  "member:write",
  "member:admin",
  "event:read",
  "event:write",
  "event:admin",
  "alerts:read",
  "alerts:write",
] as const;

/** Sentry scopes that no Faultline route checks and no role grants. */
const UNUSED_SCOPES = ["org:integrations"] as const;

/** The scopes Faultline routes require. */
export type Scope = Exclude<(typeof KNOWN_SCOPES)[number], (typeof UNUSED_SCOPES)[number]>;

const isUsed = (scope: string): scope is Scope => !(UNUSED_SCOPES as readonly string[]).includes(scope);

/** A member's role in an organization (stored in `memberships.role`). */
export type Role = MemberRole;

/** Scopes each role may exercise; a user token's scopes are capped by the user's role in that org. */
const ROLE_SCOPES: Record<Role, ReadonlySet<string>> = {
  owner: new Set(KNOWN_SCOPES.filter(isUsed)),
  admin: new Set([
    "org:read",
    "org:write",
    "org:ci",
    "team:read",
    "team:write",
    "team:admin",
    "project:read",
    "project:write",
    "project:admin",
    "project:releases",
    "member:read",
    // No manager role in Faultline: admins add and remove members (only owners touch owners).
    "member:write",
    "event:read",
    "event:write",
    "event:admin",
    "alerts:read",
    "alerts:write",
  ]),
  member: new Set([
    "org:read",
    "org:ci",
    "team:read",
    "project:read",
    "project:releases",
    "member:read",
    "event:read",
    "event:write",
    "event:admin",
    // Sentry's member role manages issue alerts (the organization's default "alerts_member_write").
    "alerts:read",
    "alerts:write",
  ]),
};

/** A scope is also granted by the stronger scopes of the same resource (write ⊃ read, admin ⊃ write). */
const IMPLIED_BY: Record<string, string[]> = {
  "org:read": ["org:write", "org:admin"],
  "org:write": ["org:admin"],
  "team:read": ["team:write", "team:admin"],
  "team:write": ["team:admin"],
  "project:read": ["project:write", "project:admin"],
  "project:write": ["project:admin"],
  // Sentry's release permission: the dedicated scope, or project write/admin; org tokens carry org:ci.
  "project:releases": ["project:write", "project:admin", "org:ci"],
  "member:read": ["member:write", "member:admin"],
  "member:write": ["member:admin"],
  "event:read": ["event:write", "event:admin"],
  "event:write": ["event:admin"],
  // Sentry's ProjectAlertRulePermission: project read/write/admin reach rules as alerts:read/alerts:write do.
  "alerts:read": ["alerts:write", "project:read", "project:write", "project:admin"],
  "alerts:write": ["project:write", "project:admin"],
};

export interface Caller {
  identity: TokenIdentity;
  /** Organization id → the scopes the caller holds there (token scopes ∩ role). */
  orgScopes: Map<number, Set<string>>;
}

export type { OrgRow, ProjectRow };

export const notFound = (): FaultlineError =>
  new FaultlineError(404, "The requested resource does not exist");
export const forbidden = (): FaultlineError =>
  new FaultlineError(403, "You do not have permission to perform this action.");

/** Authenticates the bearer token and works out what it may do in which organization. */
export async function authenticate(request: Request, env: Env): Promise<Caller> {
  const identity = await authenticateToken(env.DB, request.headers.get("authorization"));
  const orgScopes = new Map<number, Set<string>>();
  if (identity.organizationId !== null) {
    orgScopes.set(identity.organizationId, new Set(identity.scopes));
  } else if (identity.userId !== null) {
    // Accepted memberships only: invitations live in member_invites and grant nothing until accepted.
    for (const row of await membershipsOfUser(env.DB, identity.userId)) {
      const allowed = ROLE_SCOPES[row.role];
      orgScopes.set(row.organization_id, new Set([...identity.scopes].filter((s) => allowed.has(s))));
    }
  }
  return { identity, orgScopes };
}

export function hasScope(caller: Caller, organizationId: number, scope: Scope): boolean {
  const held = caller.orgScopes.get(organizationId);
  if (!held) return false;
  return held.has(scope) || (IMPLIED_BY[scope] ?? []).some((s) => held.has(s));
}

/** 404 when the organization is not the caller's, 403 when the caller lacks the scope there. */
export function requireScope(caller: Caller, organizationId: number, scope: Scope): void {
  if (!caller.orgScopes.has(organizationId)) throw notFound();
  if (!hasScope(caller, organizationId, scope)) throw forbidden();
}

/** Organization by slug or numeric id, among the caller's organizations only. */
export async function organizationFor(
  env: Env,
  caller: Caller,
  orgRef: string,
  scope: Scope,
): Promise<OrgRow> {
  const org = await organizationByRef(env.DB, segmentRef(orgRef));
  if (!org || !caller.orgScopes.has(org.id)) throw notFound();
  requireScope(caller, org.id, scope);
  attributeUsage(env, { projectId: UNATTRIBUTED_PROJECT, organizationId: org.id });
  return org;
}

/** Project by organization and project slug (or id), among the caller's organizations only. */
export async function projectFor(
  env: Env,
  caller: Caller,
  orgRef: string,
  projectRef: string,
  scope: Scope,
): Promise<{ org: OrgRow; project: ProjectRow }> {
  const org = await organizationFor(env, caller, orgRef, "org:read").catch((error: unknown) => {
    // A caller with only project scopes still reaches its org's projects; 404 stays 404.
    if (error instanceof FaultlineError && error.status === 403) return null;
    throw error;
  });
  const orgRow = org ?? (await organizationByRef(env.DB, segmentRef(orgRef)));
  if (!orgRow || !caller.orgScopes.has(orgRow.id)) throw notFound();
  const project = await projectInOrgByRef(env.DB, orgRow.id, segmentRef(projectRef));
  if (!project) throw notFound();
  requireScope(caller, orgRow.id, scope);
  // The cost meter: the request's work is for this project.
  attributeUsage(env, { projectId: project.id, organizationId: orgRow.id });
  return { org: orgRow, project };
}

/** The project a `…/:org/:project/…` route names, for the request's caller, who must hold `scope` there. */
export async function requestProject(request: IRequest, env: Env, scope: Scope) {
  const caller = await authenticate(request, env);
  const found = await projectFor(env, caller, param(request, "org"), param(request, "project"), scope);
  return { caller, ...found };
}
