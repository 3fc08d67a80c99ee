// Organization members: `GET/POST /api/0/organizations/{org}/members/` (POST: email + role; the user is
// created when missing, there are no pending invitations) and `GET/DELETE …/members/{member_id}/` (a
// member's id is its user id). Managing members needs member:write, which owners and admins hold; only
// owners add or remove owners, and the last owner cannot be removed.
import type { IRequest } from "itty-router";
import {
  addMember,
  findOrCreateUser,
  getMember,
  listMembers,
  listTeams,
  ownerCount,
  removeMember,
  roleOf,
} from "../../db/tenants.ts";
import { MAX_API_JSON_BYTES } from "../../debug-files/config.ts";
import { readJsonBody } from "../../debug-files/json-body.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { authenticate, type Caller, forbidden, notFound, type OrgRow } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { parseMemberCreate, serializeMember } from "../serializers/member.ts";
import { organizationWithAny } from "../tenant-access.ts";

async function teamSlugs(env: Env, org: OrgRow): Promise<string[]> {
  const { rows } = await listTeams(env.DB, org.id, { offset: 0, limit: 100 });
  return rows.map((t) => t.slug);
}

/** Whether the caller is an owner of the organization (organization tokens never are). */
async function callerIsOwner(env: Env, caller: Caller, org: OrgRow): Promise<boolean> {
  const { userId, organizationId } = caller.identity;
  if (userId === null || organizationId !== null) return false;
  return (await roleOf(env.DB, org.id, userId)) === "owner";
}

function memberId(req: IRequest): number {
  const raw = param(req, "memberId");
  if (!/^\d{1,15}$/.test(raw)) throw notFound();
  return Number(raw);
}

export function registerMemberRoutes(router: AppRouter): void {
  const base = "/api/0/organizations/:org/members";

  router.get(`${base}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:read"]);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const [{ rows, hasMore }, teams] = await Promise.all([
      listMembers(env.DB, org.id, page),
      teamSlugs(env, org),
    ]);
    return json(
      rows.map((m) => serializeMember(m.user, m, teams)),
      200,
      { link: linkHeader(url, page, hasMore) },
    );
  });

  router.post(`${base}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:write"]);
    const input = parseMemberCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    if (input.role === "owner" && !(await callerIsOwner(env, caller, org))) throw forbidden();
    const user = await findOrCreateUser(env.DB, input.email);
    if (!(await addMember(env.DB, org.id, user.id, input.role)))
      throw new FaultlineError(409, "The user is already a member of this organization.");
    const member = await getMember(env.DB, org.id, user.id);
    if (!member) throw new Error("membership vanished while being created");
    return json(serializeMember(member.user, member, await teamSlugs(env, org)), 201);
  });

  router.get(`${base}/:memberId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:read"]);
    const member = await getMember(env.DB, org.id, memberId(req));
    if (!member) throw notFound();
    return json(serializeMember(member.user, member, await teamSlugs(env, org)));
  });

  router.delete(`${base}/:memberId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:write"]);
    const member = await getMember(env.DB, org.id, memberId(req));
    if (!member) throw notFound();
    if (member.role === "owner") {
      if (!(await callerIsOwner(env, caller, org))) throw forbidden();
      if ((await ownerCount(env.DB, org.id)) <= 1)
        throw badRequest("An organization needs at least one owner.");
    }
    await removeMember(env.DB, org.id, member.user.id);
    return new Response(null, { status: 204 });
  });
}
