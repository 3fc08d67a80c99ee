// Members of an organization: everyone sees the list; owners invite by email (the invite link is shown
// once — no account is created and no password is set or shown), cancel invitations, change roles and
// remove members. An invitation grants nothing until the invited account accepts it.
import { inviteMember } from "../../api/index.ts";
import { deleteInvite, type InviteRow, invitesOf, setMemberRole } from "../../db/members.ts";
import type { MemberRow, MemberRole as Role } from "../../db/rows.ts";
import { membersOf } from "../../db/tenant-reads.ts";
import { removeMember } from "../../db/tenants.ts";
import { FaultlineError } from "../../errors.ts";
import { formString, type OrgCall } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { isoDay } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { settingsNav } from "../settings-nav.ts";

const ROLES: Role[] = ["member", "admin", "owner"];

export interface CreatedInvite {
  email: string;
  link: string;
}

export interface MemberLists {
  members: MemberRow[];
  invites: InviteRow[];
}

async function listsOf(db: D1Database, orgId: number): Promise<MemberLists> {
  const [members, invites] = await Promise.all([membersOf(db, orgId), invitesOf(db, orgId)]);
  return { members, invites };
}

function invitesTable(ctx: PageContext, action: string, invites: InviteRow[], isOwner: boolean) {
  if (invites.length === 0) return "";
  return html`<h2>Pending invitations</h2><div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Email</th><th>Role</th><th>Invited</th><th>Status</th>${isOwner ? html`<th></th>` : ""}</tr></thead><tbody>${invites.map(
    (i) =>
      html`<tr><td>${i.email}</td><td>${i.role}</td><td>${isoDay(i.created_at)}</td><td>${i.expires_at <= ctx.now ? "expired" : "pending"}</td>${
        isOwner
          ? html`<td><form method="post" action="${action}" class="inline">${csrfField(ctx)}<input type="hidden" name="action" value="cancel"><input type="hidden" name="invite" value="${i.id}"><button class="danger" type="submit">Cancel</button></form></td>`
          : ""
      }</tr>`,
  )}</tbody></table></div>`;
}

export function membersView(
  ctx: PageContext,
  orgSlug: string,
  lists: MemberLists,
  isOwner: boolean,
  message: string | null,
  created: CreatedInvite | null,
  error: string | null = null,
): SafeHtml {
  const action = `/settings/${encodeURIComponent(orgSlug)}/members/`;
  const shown = created
    ? html`<div class="flash" role="status"><p>Invited <strong>${created.email}</strong>. Send them this link; it is shown only now. They join when they open it and sign in (or choose a password if they have no account yet):</p><div class="secret"><input id="invite-link" readonly value="${created.link}" aria-label="Invitation link"><button type="button" data-copy="invite-link">Copy</button></div></div>`
    : "";
  return page(
    ctx,
    "settings",
    "Members",
    html`<h1>Settings</h1>${settingsNav(orgSlug, "members")}${flash(message)}${flash(error, "error")}${shown}
<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Member since</th>${isOwner ? html`<th></th>` : ""}</tr></thead><tbody>${lists.members.map(
      (m) =>
        html`<tr><td>${m.email}${m.user_id === ctx.user.id ? html` <span class="badge">you</span>` : ""}</td><td>${m.name}</td><td>${
          isOwner && m.user_id !== ctx.user.id
            ? html`<form method="post" action="${action}" class="row">${csrfField(ctx)}<input type="hidden" name="action" value="role"><input type="hidden" name="user" value="${m.user_id}"><label class="skip" for="role-${m.user_id}">Role</label><select id="role-${m.user_id}" name="role">${ROLES.map((r) => html`<option${r === m.role ? html` selected` : ""}>${r}</option>`)}</select><button type="submit">Change</button></form>`
            : m.role
        }</td><td>${isoDay(m.created_at)}</td>${
          isOwner
            ? html`<td>${m.user_id !== ctx.user.id ? html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}<input type="hidden" name="action" value="remove"><input type="hidden" name="user" value="${m.user_id}"><button class="danger" type="submit" data-confirm="Remove ${m.email} from the organization?">Remove</button></form>` : ""}</td>`
            : ""
        }</tr>`,
    )}</tbody></table></div>
${invitesTable(ctx, action, lists.invites, isOwner)}
${isOwner ? html`<h2>Invite a member</h2><form method="post" action="${action}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="create"><label for="memail">Email</label><input id="memail" name="email" type="email" required maxlength="200"><label for="mrole">Role</label><select id="mrole" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select><p><button class="primary" type="submit">Invite</button></p><p class="muted" style="font-size:12px">Inviting an email again gives it a new link; the old one stops working.</p></form>` : html`<p class="muted">Only owners can invite or remove members.</p>`}`,
  );
}

export async function membersPage({ env, ctx, org }: OrgCall): Promise<Response> {
  return htmlResponse(
    membersView(
      ctx,
      org.slug,
      await listsOf(env.DB, org.id),
      org.role === "owner",
      doneMessage(ctx.url),
      null,
    ),
  );
}

const isRole = (v: string): v is Role => (ROLES as string[]).includes(v);

export async function membersSubmit({ env, ctx, org, form }: OrgCall): Promise<Response> {
  if (org.role !== "owner") throw new FaultlineError(403, "Only owners can manage members.");
  const action = formString(form, "action");
  const back = `/settings/${encodeURIComponent(org.slug)}/members/`;
  if (action === "create") {
    const email = formString(form, "email").toLowerCase().slice(0, 200);
    const role = formString(form, "role");
    const refuse = async (error: string) =>
      htmlResponse(
        membersView(ctx, org.slug, await listsOf(env.DB, org.id), true, null, null, error),
        error.startsWith("Enter") ? 400 : 409,
      );
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || !isRole(role))
      return refuse("Enter an email address and a role.");
    const outcome = await inviteMember(env.DB, {
      organizationId: org.id,
      email,
      role,
      invitedBy: ctx.user.id,
      origin: ctx.url.origin,
      refresh: true,
    });
    if (outcome === "member" || outcome === "invited")
      return refuse(`${email} is already a member of this organization.`);
    return htmlResponse(
      membersView(ctx, org.slug, await listsOf(env.DB, org.id), true, null, {
        email: outcome.invite.email,
        link: outcome.link,
      }),
      201,
    );
  }
  if (action === "cancel") {
    await deleteInvite(env.DB, org.id, Number.parseInt(formString(form, "invite"), 10) || 0);
    return redirect(`${back}?done=deleted`);
  }
  const userId = Number.parseInt(formString(form, "user"), 10);
  if (userId === ctx.user.id) throw new FaultlineError(400, "You cannot change your own membership here.");
  const member = (await membersOf(env.DB, org.id)).find((m) => m.user_id === userId);
  if (!member) throw new FaultlineError(404, "not found");
  if (action === "role") {
    const role = formString(form, "role");
    if (!isRole(role)) throw new FaultlineError(400, "unknown role");
    await setMemberRole(env.DB, org.id, userId, role);
    return redirect(`${back}?done=saved`);
  }
  if (action === "remove") {
    await removeMember(env.DB, org.id, userId);
    return redirect(`${back}?done=removed`);
  }
  throw new FaultlineError(400, "unknown action");
}
