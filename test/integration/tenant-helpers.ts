// Users, memberships and tokens for the tenant API tests (createTenant in helpers.ts makes an org token).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { sha256Hex } from "../../src/api/tokens.ts";
import { send } from "./helpers.ts";

export const ALL_SCOPES =
  "org:read org:write org:admin team:read team:write team:admin project:read project:write project:admin project:releases member:read member:write member:admin event:read event:write event:admin";

const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

export interface TestUser {
  userId: number;
  email: string;
  token: string;
}

/** A user (member of `orgId` with `role` unless orgId is null) and a user token with `scopes`. */
export async function createUser(
  orgId: number | null,
  role: "owner" | "admin" | "member" = "owner",
  scopes = ALL_SCOPES,
): Promise<TestUser> {
  const email = `user-${hex(6)}@example.test`;
  const now = Date.now() / 1000;
  const user = await env.DB.prepare(
    "INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id",
  )
    .bind(email, email, now)
    .first<{ id: number }>();
  if (orgId !== null) {
    await env.DB.prepare(
      "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
    )
      .bind(orgId, user!.id, role, now)
      .run();
  }
  return { userId: user!.id, email, token: await userToken(user!.id, scopes) };
}

export async function userToken(userId: number, scopes: string): Promise<string> {
  const token = `sntryu_${hex(32)}`;
  await env.DB.prepare(
    "INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, scopes, created_at) VALUES (?, ?, 'test', ?, ?, ?)",
  )
    .bind(await sha256Hex(token), token.slice(-4), userId, scopes, Date.now() / 1000)
    .run();
  return token;
}

export async function orgToken(orgId: number, scopes: string): Promise<string> {
  const token = `sntryu_${hex(32)}`;
  await env.DB.prepare(
    "INSERT INTO api_tokens (token_hash, token_last_characters, name, organization_id, scopes, created_at) VALUES (?, ?, 'scoped', ?, ?, ?)",
  )
    .bind(await sha256Hex(token), token.slice(-4), orgId, scopes, Date.now() / 1000)
    .run();
  return token;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  res: Response;
  text: string;
}

/** Calls the API; checks that every JSON reply is served as exactly `application/json`. */
export async function call<T = Record<string, unknown>>(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await send(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (text !== "") expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, body: (text === "" ? null : JSON.parse(text)) as T, res, text };
}

/**
 * The organization's outcomes of the last day through stats_v2, keyed `category/outcome`, optionally
 * of one category only (what a user reads on the usage page).
 */
export async function outcomeTotals(
  t: { token: string; orgSlug: string },
  category?: string,
): Promise<Record<string, number>> {
  const only = category ? `&category=${category}` : "";
  const res = await call<{
    groups: { by: Record<string, string | number>; totals: Record<string, number> }[];
  }>(
    t.token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=category&groupBy=outcome${only}&statsPeriod=1d&interval=1h`,
  );
  expect(res.status, res.text).toBe(200);
  return Object.fromEntries(
    res.body.groups.map((g) => [`${g.by.category}/${g.by.outcome}`, g.totals["sum(quantity)"] ?? 0]),
  );
}

// --- invitations through the web pages ------------------------------------------------------------

const cookieFrom = (res: Response, name: string): string | null => {
  for (const c of (res.headers.get("set-cookie") ?? "").split(/,\s*(?=[\w-]+=)/))
    if (c.startsWith(`${name}=`)) return c.slice(name.length + 1).split(";")[0] ?? "";
  return null;
};

const pathOf = (link: string): string => new URL(link).pathname;
const ORIGIN = { origin: "http://faultline.test" };

/** Opens an invite link signed out and chooses a password; the response (303 with a session when it worked). */
export async function signUpThroughInvite(link: string, password: string): Promise<Response> {
  const form = await send(pathOf(link));
  const csrf = cookieFrom(form, "fl_login_csrf") ?? "";
  return send(pathOf(link), {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrf, action: "signup", name: "", password, password2: password }),
    headers: { cookie: `fl_login_csrf=${csrf}`, ...ORIGIN },
    redirect: "manual",
  });
}

/** The `fl_session=…` cookie a response set, for the next requests. */
export function sessionCookie(res: Response): string {
  const value = cookieFrom(res, "fl_session");
  expect(value).toMatch(/^[0-9a-f]{64}$/);
  return `fl_session=${value}`;
}

/** Signs in through the login form; the session cookie, or null when refused. */
export async function signInWithPassword(email: string, password: string): Promise<string | null> {
  const form = await send("/auth/login/");
  const csrf = cookieFrom(form, "fl_login_csrf") ?? "";
  const res = await send("/auth/login/", {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrf, email, password, next: "/" }),
    headers: { cookie: `fl_login_csrf=${csrf}`, ...ORIGIN },
    redirect: "manual",
  });
  return res.status === 303 ? sessionCookie(res) : null;
}

/** Opens an invite link signed in (`session` cookie) and presses the join button, if there is one. */
export async function acceptSignedIn(link: string, session: string): Promise<Response> {
  const page = await send(pathOf(link), { headers: { cookie: session } });
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1] ?? "";
  return send(pathOf(link), {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrf, action: "accept" }),
    headers: { cookie: session, ...ORIGIN },
    redirect: "manual",
  });
}

/** The id of the account with this email (tests name accounts by email, the API by id). */
export async function userIdOf(email: string): Promise<number> {
  const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?")
    .bind(email)
    .first<{ id: number }>();
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}
