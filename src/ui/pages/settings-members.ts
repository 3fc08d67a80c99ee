// Members of an organization: everyone sees the list; owners add members (email, role and a generated
// password shown once), change roles and remove members.
import type { MemberRow, MemberRole as Role } from "../../db/rows.ts";
import { membersOf } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { formString, type OrgCall } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { isoDay } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { generatePassword, hashPassword } from "../password.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { settingsNav } from "../settings-nav.ts";

const ROLES: Role[] = ["member", "admin", "owner"];

export interface CreatedMember {
  email: string;
  password: string | null;
}

export function membersView(
  ctx: PageContext,
  orgSlug: string,
  members: MemberRow[],
  isOwner: boolean,
  message: string | null,
  created: CreatedMember | null,
  error: string | null = null,
): SafeHtml {
  const action = `/settings/${encodeURIComponent(orgSlug)}/members/`;
  const shown = created
    ? created.password
      ? html`<div class="flash" role="status"><p>Added <strong>${created.email}</strong>. Give them this password; it is shown only now:</p><div class="secret"><input id="new-password" readonly value="${created.password}" aria-label="New member's password"><button type="button" data-copy="new-password">Copy</button></div></div>`
      : html`<div class="flash" role="status">Added <strong>${created.email}</strong> (an existing user; they sign in with their own password).</div>`
    : "";
  return page(
    ctx,
    "settings",
    "Members",
    html`<h1>Settings</h1>${settingsNav(orgSlug, "members")}${flash(message)}${flash(error, "error")}${shown}
<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Member since</th>${isOwner ? html`<th></th>` : ""}</tr></thead><tbody>${members.map(
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
${isOwner ? html`<h2>Add a member</h2><form method="post" action="${action}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="create"><label for="memail">Email</label><input id="memail" name="email" type="email" required maxlength="200"><label for="mname">Name (optional)</label><input id="mname" name="name" maxlength="100"><label for="mrole">Role</label><select id="mrole" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select><p><button class="primary" type="submit">Add member</button></p></form>` : html`<p class="muted">Only owners can add or remove members.</p>`}`,
  );
}

export async function membersPage({ env, ctx, org }: OrgCall): Promise<Response> {
  return htmlResponse(
    membersView(
      ctx,
      org.slug,
      await membersOf(env.DB, org.id),
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
  const now = Date.now() / 1000;
  if (action === "create") {
    const email = formString(form, "email").toLowerCase().slice(0, 200);
    const role = formString(form, "role");
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || !isRole(role)) {
      return htmlResponse(
        membersView(
          ctx,
          org.slug,
          await membersOf(env.DB, org.id),
          true,
          null,
          null,
          "Enter an email address and a role.",
        ),
        400,
      );
    }
    const existing = await env.DB.prepare("SELECT id FROM users WHERE email = ? COLLATE NOCASE")
      .bind(email)
      .first<{ id: number }>();
    let password: string | null = null;
    let userId = existing?.id;
    if (!userId) {
      password = generatePassword();
      const row = await env.DB.prepare(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
      )
        .bind(
          email,
          formString(form, "name").slice(0, 100) || email.split("@")[0] || email,
          await hashPassword(password),
          now,
        )
        .first<{ id: number }>();
      userId = row?.id;
    }
    if (!userId) throw new FaultlineError(500, "user not created");
    await env.DB.prepare(
      "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET role = excluded.role",
    )
      .bind(org.id, userId, role, now)
      .run();
    return htmlResponse(
      membersView(ctx, org.slug, await membersOf(env.DB, org.id), true, null, { email, password }),
      201,
    );
  }
  const userId = Number.parseInt(formString(form, "user"), 10);
  if (userId === ctx.user.id) throw new FaultlineError(400, "You cannot change your own membership here.");
  const member = (await membersOf(env.DB, org.id)).find((m) => m.user_id === userId);
  if (!member) throw new FaultlineError(404, "not found");
  if (action === "role") {
    const role = formString(form, "role");
    if (!isRole(role)) throw new FaultlineError(400, "unknown role");
    await env.DB.prepare("UPDATE memberships SET role = ? WHERE organization_id = ? AND user_id = ?")
      .bind(role, org.id, userId)
      .run();
    return redirect(`${back}?done=saved`);
  }
  if (action === "remove") {
    await env.DB.prepare("DELETE FROM memberships WHERE organization_id = ? AND user_id = ?")
      .bind(org.id, userId)
      .run();
    return redirect(`${back}?done=removed`);
  }
  throw new FaultlineError(400, "unknown action");
}
