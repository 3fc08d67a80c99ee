// Invitations instead of shared accounts: adding an email to an organization creates a pending
// invitation that grants nothing — to the inviter, to whoever holds an account with that email, or to
// anyone else — until the invited account accepts it with the invite token. Reproduces the cross-tenant
// takeover (an owner of org B adds org A's CFO by email, signs in as it, and later reads A's data once A
// adds the same email) end to end through the API and the web pages.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/ui/password.ts";
import { createTenant, send, type Tenant } from "./helpers.ts";
import {
  acceptSignedIn,
  call,
  createUser,
  sessionCookie,
  signInWithPassword,
  signUpThroughInvite,
  userIdOf,
} from "./tenant-helpers.ts";

type Json = Record<string, unknown>;

/** An account with a password, member of `t` with `role`; its email and signed-in session cookie. */
async function accountIn(t: Tenant, role: "owner" | "member", password: string) {
  const email = `acct-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const row = await env.DB.prepare(
    "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
  )
    .bind(email, email, await hashPassword(password), Date.now() / 1000)
    .first<{ id: number }>();
  await env.DB.prepare(
    "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
  )
    .bind(t.orgId, row!.id, role, Date.now() / 1000)
    .run();
  const session = await signInWithPassword(email, password);
  expect(session).not.toBeNull();
  return { id: row!.id, email, session: session! };
}

const csrfOf = async (session: string, path: string) =>
  /name="_csrf" value="([0-9a-f]+)"/.exec(
    await (await send(path, { headers: { cookie: session } })).text(),
  )?.[1] ?? "";

async function postForm(session: string, path: string, fields: Record<string, string>) {
  return send(path, {
    method: "POST",
    body: new URLSearchParams({ _csrf: await csrfOf(session, path), ...fields }),
    headers: { cookie: session, origin: "http://faultline.test" },
    redirect: "manual",
  });
}

/** Invites through Settings → Members; the page's HTML. */
async function inviteInUi(owner: { session: string }, t: Tenant, email: string, role = "owner") {
  const res = await postForm(owner.session, `/settings/${t.orgSlug}/members/`, {
    action: "create",
    email,
    role,
  });
  expect(res.status).toBe(201);
  return res.text();
}

const linkIn = (page: string): string => {
  const link = /id="invite-link" readonly value="([^"]+)"/.exec(page)?.[1];
  expect(link).toMatch(/^http:\/\/faultline\.test\/accept-invite\/\d+\/[0-9a-f]{64}\/$/);
  return link!;
};

/** Mints a personal API token on the tokens settings page, as a signed-in user would. */
async function mintToken(session: string, scope = "org:read"): Promise<string> {
  const res = await postForm(session, "/settings/account/api/auth-tokens/", {
    action: "create",
    name: "mine",
    scope,
  });
  const token = /sntryu_[0-9a-f]{64}/.exec(await res.text())?.[0];
  expect(token).toBeDefined();
  return token!;
}

/** Everything an account could reach of organization `a` through a token and a session. */
async function reachOf(a: Tenant, token: string, session: string) {
  const orgs = await call<Json[]>(token, "GET", "/api/0/organizations/");
  return {
    listed: orgs.body.some((o) => o.slug === a.orgSlug),
    org: (await call(token, "GET", `/api/0/organizations/${a.orgSlug}/`)).status,
    projects: (await call(token, "GET", `/api/0/organizations/${a.orgSlug}/projects/`)).status,
    page: (await send(`/organizations/${a.orgSlug}/`, { headers: { cookie: session } })).status,
    members: (await send(`/settings/${a.orgSlug}/members/`, { headers: { cookie: session } })).status,
  };
}
const NOTHING = { listed: false, org: 404, projects: 404, page: 404, members: 404 };

describe("adding an email to an organization", () => {
  it("does not let another organization's owner take the account or read the first organization through it", async () => {
    const a = await createTenant();
    const ownerA = await createUser(a.orgId, "owner");
    const b = await createTenant();
    const ownerB = await accountIn(b, "owner", "owner b password");
    const cfo = `cfo-${crypto.randomUUID().slice(0, 8)}@a.example`;

    // B adds the address first: it gets an invite link and nothing else — no password, no account.
    const page = await inviteInUi(ownerB, b, cfo);
    expect(page).not.toContain("new-password");
    expect(page).not.toMatch(/password; it is shown/i);
    expect(await signInWithPassword(cfo, "")).toBeNull();
    // B can use its own link to make an account under that name (it is B's own, fresh account)...
    const squat = await signUpThroughInvite(linkIn(page), "b controls this");
    expect(squat.status).toBe(303);
    const bSession = sessionCookie(squat);
    const bToken = await mintToken(bSession);

    // ...and when A later adds the same address, that account gains nothing of A.
    const invited = await call<Json>(ownerA.token, "POST", `/api/0/organizations/${a.orgSlug}/members/`, {
      email: cfo,
      role: "owner",
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ pending: true, user: null });
    expect(await reachOf(a, bToken, bSession)).toEqual(NOTHING);
    // Not by guessing at the invitation either: a wrong token finds nothing and grants nothing.
    const aLink = invited.body.inviteLink as string;
    const wrong = aLink.replace(/[0-9a-f]{64}/, "0".repeat(64));
    expect((await send(new URL(wrong).pathname, { headers: { cookie: bSession } })).status).toBe(404);
    expect((await acceptSignedIn(wrong, bSession)).status).toBe(404);
    expect(await reachOf(a, bToken, bSession)).toEqual(NOTHING);

    // Only accepting with A's invite token, signed in as the invited account, makes it a member of A.
    const accepted = await acceptSignedIn(aLink, bSession);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe(`/organizations/${a.orgSlug}/`);
    expect((await reachOf(a, bToken, bSession)).org).toBe(200);
    // The link is used up.
    expect((await acceptSignedIn(aLink, bSession)).status).toBe(404);
  });

  it("an existing account keeps its password and gains the membership only when it accepts", async () => {
    const a = await createTenant();
    const cfo = await accountIn(a, "member", "the cfo's own password");
    const b = await createTenant();
    const ownerB = await accountIn(b, "owner", "owner b password");
    const link = linkIn(await inviteInUi(ownerB, b, cfo.email, "member"));

    // B, holding the link, is only asked to sign in as that account; it cannot choose its password.
    const signedOut = await send(new URL(link).pathname);
    const text = await signedOut.text();
    expect(text).toContain("to accept");
    expect(text).not.toContain('name="password"');
    const forced = await signUpThroughInvite(link, "b wants in 123");
    expect([403, 409]).toContain(forced.status);
    expect(forced.headers.get("set-cookie") ?? "").not.toContain("fl_session=");
    expect(await signInWithPassword(cfo.email, "b wants in 123")).toBeNull();
    expect(await signInWithPassword(cfo.email, "the cfo's own password")).not.toBeNull();
    // Another signed-in account cannot accept it in the invitee's place.
    expect((await acceptSignedIn(link, ownerB.session)).status).toBe(403);

    // Until the CFO accepts, the invitation gives the CFO nothing of B either.
    const cfoToken = await mintToken(cfo.session);
    expect(await reachOf(b, cfoToken, cfo.session)).toEqual(NOTHING);
    expect((await acceptSignedIn(link, cfo.session)).status).toBe(303);
    expect((await reachOf(b, cfoToken, cfo.session)).org).toBe(200);
    expect((await reachOf(a, cfoToken, cfo.session)).org).toBe(200);
    const list = await call<Json[]>(
      await mintToken(ownerB.session, "member:read"),
      "GET",
      `/api/0/organizations/${b.orgSlug}/members/`,
    );
    expect(list.body.find((m) => m.email === cfo.email)).toMatchObject({
      pending: false,
      id: String(cfo.id),
    });
  });

  it("the members API does not reveal whether an invited email already has an account", async () => {
    const a = await createTenant();
    const owner = await createUser(a.orgId, "owner");
    const other = await createTenant();
    const existing = await accountIn(other, "member", "some password 1");
    const fresh = `fresh-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const base = `/api/0/organizations/${a.orgSlug}/members/`;
    const neutral = (m: Json) => {
      const { id, email, name, dateCreated, inviteLink, ...rest } = m;
      return rest;
    };
    const one = await call<Json>(owner.token, "POST", base, { email: existing.email });
    const two = await call<Json>(owner.token, "POST", base, { email: fresh });
    expect(one.status).toBe(two.status);
    expect(neutral(one.body)).toEqual(neutral(two.body));
    expect(one.text).not.toMatch(/hasPasswordAuth|dateJoined/);
    const listed = (await call<Json[]>(owner.token, "GET", base)).body.filter((m) => m.pending);
    expect(listed).toHaveLength(2);
    expect(neutral(listed[0]!)).toEqual(neutral(listed[1]!));
    expect(JSON.stringify(listed)).not.toMatch(/hasPasswordAuth|dateJoined/);
    const detail = await call<Json>(owner.token, "GET", `${base}${one.body.id}/`);
    expect(neutral(detail.body)).toEqual(
      neutral((await call<Json>(owner.token, "GET", `${base}${two.body.id}/`)).body),
    );
    expect(await userIdOf(existing.email)).toBe(existing.id);
  });
});
