// Organization members: `GET/POST /api/0/organizations/{org}/members/` and `GET/DELETE …/members/{id}/`.
// POST (email + role) creates a pending invitation, never an account or a membership: the invited
// account joins only by accepting the invite link (shown once, in the POST response only) while signed
// in as itself, so adding an email grants nobody anything. An accepted member's id is its user id; an
// invitation's id is its own (see src/db/members.ts). Managing members needs member:write, which owners
// and admins hold; only owners invite, cancel or remove owners, and the last owner cannot be removed.
import type { IRequest } from "itty-router";
import { deleteInvite, getInvite, isInviteId, listMembersAndInvites } from "../../db/members.ts";
import { getMember, listTeams, ownerCount, removeMember, roleOf } from "../../db/tenants.ts";
import { MAX_API_JSON_BYTES } from "../../debug-files/config.ts";
import { readJsonBody } from "../../debug-files/json-body.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { authenticate, type Caller, forbidden, notFound, type OrgRow } from "../access.ts";
import { inviteMember } from "../invitations.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { accountOf, parseMemberCreate, serializeInvite, serializeMember } from "../serializers/member.ts";
import { organizationWithAny, originOf } from "../tenant-access.ts";

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

const nowSeconds = () => Date.now() / 1000;

export function registerMemberRoutes(router: AppRouter): void {
  const base = "/api/0/organizations/:org/members";

  router.get(`${base}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:read"]);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const [{ rows, hasMore }, teams] = await Promise.all([
      listMembersAndInvites(env.DB, org.id, page),
      teamSlugs(env, org),
    ]);
    const now = nowSeconds();
    return json(
      rows.map((m) =>
        m.kind === "invite"
          ? serializeInvite(m, teams, now)
          : serializeMember(
              {
                id: m.id,
                email: m.email,
                name: m.name,
                hasPasswordAuth: m.has_password === 1,
                createdAt: m.user_created_at,
              },
              { role: m.role, createdAt: m.created_at },
              teams,
            ),
      ),
      200,
      { link: linkHeader(url, page, hasMore) },
    );
  });

  router.post(`${base}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:write"]);
    const input = parseMemberCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    if (input.role === "owner" && !(await callerIsOwner(env, caller, org))) throw forbidden();
    const outcome = await inviteMember(env.DB, {
      organizationId: org.id,
      email: input.email,
      role: input.role,
      invitedBy: caller.identity.userId,
      origin: originOf(req),
      refresh: false,
    });
    if (outcome === "member")
      throw new FaultlineError(409, "The user is already a member of this organization.");
    if (outcome === "invited") throw new FaultlineError(409, "The user has already been invited.");
    return json(
      {
        ...serializeInvite(outcome.invite, await teamSlugs(env, org), nowSeconds()),
        inviteLink: outcome.link,
      },
      201,
    );
  });

  router.get(`${base}/:memberId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:read"]);
    const id = memberId(req);
    if (isInviteId(id)) {
      const invite = await getInvite(env.DB, org.id, id);
      if (!invite) throw notFound();
      return json(serializeInvite(invite, await teamSlugs(env, org), nowSeconds()));
    }
    const member = await getMember(env.DB, org.id, id);
    if (!member) throw notFound();
    return json(serializeMember(accountOf(member.user), member, await teamSlugs(env, org)));
  });

  router.delete(`${base}/:memberId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["member:write"]);
    const id = memberId(req);
    if (isInviteId(id)) {
      const invite = await getInvite(env.DB, org.id, id);
      if (!invite) throw notFound();
      if (invite.role === "owner" && !(await callerIsOwner(env, caller, org))) throw forbidden();
      await deleteInvite(env.DB, org.id, id);
      return new Response(null, { status: 204 });
    }
    const member = await getMember(env.DB, org.id, id);
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
