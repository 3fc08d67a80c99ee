// Organizations: `GET /api/0/organizations/` (only the caller's), `POST` (a user creates one and becomes
// its owner), `GET /api/0/organizations/{org}/` (detail with the caller's role, access, teams, projects
// and Faultline's `retentionDays`), `PUT /api/0/organizations/{org}/` (`{"retentionDays": n | null}`,
// owners and admins: the default retention of its projects, docs/retention.md).
import type { IRequest } from "itty-router";
import { readOrganizationRetention, setOrganizationRetention } from "../../db/organization-retention.ts";
import { placeNewOrganization } from "../../db/shards.ts";
import { listProjects } from "../../db/tenant-projects.ts";
import { createOrganization, listOrganizations, listTeams, memberCount, roleOf } from "../../db/tenants.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { authenticate, forbidden, type OrgRow } from "../access.ts";
import { linkHeader, pageFrom, textQuery } from "../pagination.ts";
import { serializeOrganization, serializeOrganizationDetail } from "../serializers/organization.ts";
import { parseRetentionDays, serializeProject } from "../serializers/project.ts";
import { serializeTeam } from "../serializers/team.ts";
import { nameAndSlug, objectBody } from "../slugs.ts";
import {
  effectiveScopes,
  isUserMember,
  organizationWithAny,
  originOf,
  requireUser,
} from "../tenant-access.ts";

const record = (org: OrgRow) => ({ id: org.id, slug: org.slug, name: org.name, createdAt: org.created_at });

async function organizationDetail(req: IRequest, env: Env) {
  const caller = await authenticate(req, env);
  // org:ci lets an organization token (sentry-cli in CI) read its organization.
  const org = await organizationWithAny(env, caller, param(req, "org"), ["org:read", "org:ci"]);
  const origin = originOf(req);
  const access = effectiveScopes(caller, org.id);
  const member = isUserMember(caller, org.id);
  const role =
    member && caller.identity.userId !== null ? await roleOf(env.DB, org.id, caller.identity.userId) : null;
  const page = { offset: 0, limit: 100 };
  const [teams, projects, members, retentionDays] = await Promise.all([
    listTeams(env.DB, org.id, page),
    listProjects(env.DB, [org.id], page),
    memberCount(env.DB, org.id),
    readOrganizationRetention(env.DB, org.id),
  ]);
  const byId = new Map(teams.rows.map((t) => [t.id, t]));
  return json(
    serializeOrganizationDetail(record(org), origin, {
      role,
      access,
      retentionDays,
      teams: teams.rows.map((t) => serializeTeam(t, { isMember: member, memberCount: members, access })),
      projects: projects.rows.map((p) =>
        serializeProject(p, {
          team: (p.teamId && byId.get(p.teamId)) || null,
          isMember: member,
          access,
          organizationRetentionDays: retentionDays,
        }),
      ),
    }),
  );
}

export function registerOrganizationRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/", async (req, env) => {
    const caller = await authenticate(req, env);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listOrganizations(
      env.DB,
      [...caller.orgScopes.keys()],
      page,
      textQuery(url),
    );
    const origin = originOf(req);
    return json(
      rows.map((o) => serializeOrganization(o, origin)),
      200,
      { link: linkHeader(url, page, hasMore) },
    );
  });

  router.post("/api/0/organizations/", async (req, env) => {
    const caller = await authenticate(req, env);
    const userId = requireUser(caller);
    if (!caller.identity.scopes.has("org:write") && !caller.identity.scopes.has("org:admin"))
      throw forbidden();
    const input = nameAndSlug(objectBody(await readJsonBody(req, MAX_API_JSON_BYTES)), "Organization");
    // The shard is chosen before the insert: two creations at once may pick the same least-full shard,
    // which only evens out the placement a little later.
    const shard = await placeNewOrganization(env);
    const org = await createOrganization(env.DB, { ...input, shard }, userId);
    if (!org) throw new FaultlineError(409, "An organization with this slug already exists.");
    return json(serializeOrganization(org, originOf(req)), 201);
  });

  router.get("/api/0/organizations/:org/", organizationDetail);
  router.put("/api/0/organizations/:org/", async (req, env) => {
    const caller = await authenticate(req, env);
    // An owner's or admin's setting, as the storage quota is (org:write).
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:write"]);
    const body = objectBody(await readJsonBody(req, MAX_API_JSON_BYTES));
    if (!("retentionDays" in body))
      throw badRequest("retentionDays: required (days from 1 to 90, or null for the default)");
    // Applies at each project's next sweep, which reads it (src/project/retention.ts).
    await setOrganizationRetention(env.DB, org.id, parseRetentionDays(body.retentionDays));
    return organizationDetail(req, env);
  });
}
