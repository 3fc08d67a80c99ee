// Accepting an invitation: /accept-invite/{id}/{token}/ (Sentry's path shape). The token is the secret
// the inviter passed on; only its SHA-256 is stored. Three cases:
//  - signed in as the invited email: one button joins the organization;
//  - not signed in, an account with that email exists: sign in first (then the link brings you back);
//  - not signed in, no account: the invitee chooses their own password, which creates the account.
// Acceptance is bound to the invited email as well as the token: the inviter approved that address, so a
// forwarded or leaked link cannot make some other signed-in account a member, and the member list never
// shows an account the inviter did not name. This is safe because the email binding only narrows who
// may accept; no one can accept without the token, and nobody but the invitee ever sets its password.
import type { IRequest } from "itty-router";
import { acceptInvite, type InviteForAcceptance, inviteByToken, signUpWithInvite } from "../../db/members.ts";
import type { Env } from "../../env.ts";
import { MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from "../../limits.ts";
import { sha256Hex } from "../../protocol/sha256.ts";
import { html, type SafeHtml } from "../html.ts";
import { barePage } from "../layout.ts";
import { hashPassword } from "../password.ts";
import { errorPage, htmlResponse, redirect, redirectWithCookies } from "../respond.ts";
import {
  cookie,
  createSession,
  LOGIN_CSRF_COOKIE,
  parseCookies,
  randomToken,
  SESSION_COOKIE,
  SESSION_SECONDS,
  sameOrigin,
  sessionFrom,
  tokensEqual,
  type UiSession,
} from "../session.ts";

const INVALID =
  "This invitation link is not valid: it was already used, cancelled, replaced by a newer one, or it expired. Ask the organization's owner for a new one.";

interface Found {
  invite: InviteForAcceptance;
  id: number;
  tokenHash: string;
  path: string;
}

async function findInvite(request: IRequest, env: Env, now: number): Promise<Found | null> {
  const id = request.params.id ?? "";
  const token = request.params.token ?? "";
  if (!/^\d{1,15}$/.test(id) || !/^[0-9a-f]{64}$/.test(token)) return null;
  const tokenHash = await sha256Hex(token);
  const invite = await inviteByToken(env.DB, Number(id), tokenHash, now);
  return invite ? { invite, id: Number(id), tokenHash, path: `/accept-invite/${id}/${token}/` } : null;
}

const panel = (title: string, body: SafeHtml | string): SafeHtml =>
  barePage(title, html`<div class="auth panel"><h1>${title}</h1>${body}</div>`);

function acceptView(found: Found, session: UiSession, error: string | null): SafeHtml {
  const { invite } = found;
  if (session.user.email.toLowerCase() !== invite.email.toLowerCase())
    return panel(
      "Join an organization",
      html`<p>This invitation to <strong>${invite.org_name}</strong> is for <strong>${invite.email}</strong>, but you are signed in as <strong>${session.user.email}</strong>.</p><p>Sign out, then open the link again and sign in as ${invite.email}.</p><form method="post" action="/auth/logout/"><input type="hidden" name="_csrf" value="${session.csrfToken}"><button type="submit">Sign out</button></form>`,
    );
  return panel(
    "Join an organization",
    html`${error ? html`<div class="flash error" role="alert">${error}</div>` : ""}<p>You were invited to join <strong>${invite.org_name}</strong> as <strong>${invite.role}</strong>.</p><form method="post" action="${found.path}"><input type="hidden" name="_csrf" value="${session.csrfToken}"><input type="hidden" name="action" value="accept"><p><button class="primary" type="submit">Join ${invite.org_name}</button></p></form>`,
  );
}

function signUpView(found: Found, csrf: string, error: string | null): SafeHtml {
  const { invite } = found;
  return panel(
    "Join an organization",
    html`${error ? html`<div class="flash error" role="alert">${error}</div>` : ""}<p>You were invited to join <strong>${invite.org_name}</strong> as <strong>${invite.role}</strong>. Choose a password for <strong>${invite.email}</strong>.</p>
<form method="post" action="${found.path}"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="action" value="signup">
<label for="name">Name</label><input id="name" name="name" maxlength="100" autocomplete="name" style="width:100%">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_CHARS}" maxlength="${MAX_PASSWORD_CHARS}" style="width:100%">
<label for="password2">Password again</label><input id="password2" name="password2" type="password" autocomplete="new-password" required style="width:100%">
<p><button class="primary" type="submit">Create account and join</button></p></form>`,
  );
}

function signInFirstView(found: Found): SafeHtml {
  return panel(
    "Join an organization",
    html`<p>You were invited to join <strong>${found.invite.org_name}</strong>. Sign in as <strong>${found.invite.email}</strong> to accept.</p><p><a class="button primary" href="/auth/login/?next=${encodeURIComponent(found.path)}">Sign in</a></p>`,
  );
}

function signUpResponse(request: Request, found: Found, error: string | null, status: number): Response {
  const csrf = randomToken(16);
  return htmlResponse(signUpView(found, csrf, error), status, {
    "set-cookie": cookie(new URL(request.url), LOGIN_CSRF_COOKIE, csrf, 3600),
  });
}

export async function acceptInvitePage(request: IRequest, env: Env): Promise<Response> {
  const now = Date.now() / 1000;
  const found = await findInvite(request, env, now);
  if (!found) return errorPage(404, null, INVALID);
  const session = await sessionFrom(request, env.DB, now);
  if (session) return htmlResponse(acceptView(found, session, null));
  if (found.invite.account_exists) return htmlResponse(signInFirstView(found));
  return signUpResponse(request, found, null, 200);
}

const joined = (found: Found) => `/organizations/${encodeURIComponent(found.invite.org_slug)}/`;

export async function acceptInviteSubmit(request: IRequest, env: Env): Promise<Response> {
  const now = Date.now() / 1000;
  const found = await findInvite(request, env, now);
  if (!found) return errorPage(404, null, INVALID);
  const form = await request.formData().catch(() => null);
  const field = (name: string) => {
    const v = form?.get(name);
    return typeof v === "string" ? v : "";
  };
  if (!form || !sameOrigin(request)) return errorPage(403, null, "The form came from another site.");
  const session = await sessionFrom(request, env.DB, now);
  if (field("action") === "accept") {
    if (!session || !tokensEqual(field("_csrf"), session.csrfToken))
      return errorPage(
        403,
        null,
        "Your session has ended or the form was stale. Sign in and open the link again.",
      );
    const accepted = await acceptInvite(env.DB, {
      id: found.id,
      tokenHash: found.tokenHash,
      userId: session.user.id,
      userEmail: session.user.email,
      now,
    });
    if (!accepted)
      return htmlResponse(acceptView(found, session, "This invitation is not for this account."), 403);
    return redirect(joined(found));
  }
  if (field("action") !== "signup") return errorPage(400, null);
  if (session) return htmlResponse(acceptView(found, session, "You are already signed in."), 409);
  const expected = parseCookies(request.headers.get("cookie")).get(LOGIN_CSRF_COOKIE) ?? "";
  if (expected === "" || !tokensEqual(field("_csrf"), expected))
    return signUpResponse(request, found, "The form expired. Please try again.", 403);
  if (found.invite.account_exists) return htmlResponse(signInFirstView(found), 409);
  const password = field("password");
  if (password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS)
    return signUpResponse(
      request,
      found,
      `Choose a password of ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters.`,
      400,
    );
  if (password !== field("password2"))
    return signUpResponse(request, found, "The two passwords differ.", 400);
  const name = field("name").trim().slice(0, 100) || found.invite.email.split("@")[0] || found.invite.email;
  const userId = await signUpWithInvite(env.DB, {
    id: found.id,
    tokenHash: found.tokenHash,
    name,
    passwordHash: await hashPassword(password),
    now,
  });
  // Someone created the account meanwhile (another invitation's link): its owner must sign in instead.
  if (userId === null) return htmlResponse(signInFirstView(found), 409);
  const { token } = await createSession(env.DB, userId, now);
  const url = new URL(request.url);
  return redirectWithCookies(joined(found), [
    cookie(url, SESSION_COOKIE, token, SESSION_SECONDS),
    cookie(url, LOGIN_CSRF_COOKIE, "", 0),
  ]);
}
