// Signed-in browsers for the workerd integration tests of pages and redirects.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { hashPassword } from "../../src/ui/password.ts";
import { send, type Tenant } from "./helpers.ts";

export const ORIGIN = "http://faultline.test";

export interface Browser {
  cookie: string;
  csrf: string;
  userId: number;
  email: string;
}

export interface PasswordUser {
  id: number;
  email: string;
  password: string;
}

let users = 0;

export async function addUser(
  t: Tenant,
  role: "owner" | "admin" | "member",
  password = "correct horse battery",
): Promise<PasswordUser> {
  users += 1;
  const email = `edge${users}-${t.orgSlug}@example.test`;
  const row = await env.DB.prepare(
    "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
  )
    .bind(email, `User ${users}`, await hashPassword(password), Date.now() / 1000)
    .first<{ id: number }>();
  await env.DB.prepare(
    "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
  )
    .bind(t.orgId, row!.id, role, Date.now() / 1000)
    .run();
  return { id: row!.id, email, password };
}

export function cookieValue(res: Response, name: string): string | null {
  for (const c of (res.headers.get("set-cookie") ?? "").split(/,\s*(?=[\w-]+=)/))
    if (c.startsWith(`${name}=`)) return c.slice(name.length + 1).split(";")[0] ?? "";
  return null;
}

/** Posts the sign-in form with `next` as the hidden field holds it; answers the raw response. */
export async function submitLogin(user: PasswordUser, next: string): Promise<Response> {
  const form = await send("/auth/login/");
  const loginCsrf = cookieValue(form, "fl_login_csrf")!;
  return send("/auth/login/", {
    method: "POST",
    body: new URLSearchParams({ _csrf: loginCsrf, email: user.email, password: user.password, next }),
    headers: { cookie: `fl_login_csrf=${loginCsrf}`, origin: ORIGIN },
    redirect: "manual",
  });
}

export async function signIn(user: PasswordUser): Promise<Browser> {
  const res = await submitLogin(user, "/");
  expect(res.status).toBe(303);
  const session = cookieValue(res, "fl_session")!;
  const page = await send("/settings/account/api/auth-tokens/", {
    headers: { cookie: `fl_session=${session}` },
  });
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie: `fl_session=${session}`, csrf, userId: user.id, email: user.email };
}

export const get = (b: Browser | null, path: string) =>
  send(path, { headers: b ? { cookie: b.cookie } : {}, redirect: "manual" });

export const post = (b: Browser, path: string, fields: Record<string, string>) =>
  send(path, {
    method: "POST",
    body: new URLSearchParams({ _csrf: b.csrf, ...fields }),
    headers: { cookie: b.cookie, origin: ORIGIN },
    redirect: "manual",
  });
