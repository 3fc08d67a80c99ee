// Sign in with email and password; sign out. The sign-in form is protected against CSRF by a
// double-submit cookie (there is no session yet); sign-out by the session's token like every other form.
import type { IRequest } from "itty-router";
import { userForSignIn } from "../../db/ui-auth.ts";
import type { Env } from "../../env.ts";
import { redirectTarget } from "../../http/redirect-target.ts";
import type { UiCall } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { barePage } from "../layout.ts";
import { loginSucceeded, takeLoginAttempt } from "../login-throttle.ts";
import { verifyPassword } from "../password.ts";
import { htmlResponse, redirectWithCookies } from "../respond.ts";
import {
  cookie,
  createSession,
  deleteSession,
  LOGIN_CSRF_COOKIE,
  parseCookies,
  randomToken,
  SESSION_COOKIE,
  SESSION_SECONDS,
  sameOrigin,
  sessionFrom,
  tokensEqual,
} from "../session.ts";

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null, request: Request): string {
  return redirectTarget(next ?? "", new URL(request.url).origin) ?? "/";
}

export function loginView(csrf: string, next: string, email: string, error: string | null): SafeHtml {
  return barePage(
    "Sign in",
    html`<div class="auth panel"><h1>Sign in to Faultline</h1>${error ? html`<div class="flash error" role="alert">${error}</div>` : ""}
<form method="post" action="/auth/login/"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}" style="width:100%" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required style="width:100%">
<p><button class="primary" type="submit">Sign in</button></p></form>
<p class="muted" style="font-size:12px">The first user's password is printed by <code>npm start</code> (FAULTLINE_PASSWORD). Reset it with <code>npm run faultline -- user password &lt;email&gt;</code>.</p></div>`,
  );
}

function formWithCookie(request: Request, next: string, email: string, error: string | null, status: number) {
  const csrf = randomToken(16);
  return htmlResponse(loginView(csrf, next, email, error), status, {
    "set-cookie": cookie(new URL(request.url), LOGIN_CSRF_COOKIE, csrf, 3600),
  });
}

export async function loginPage(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const next = safeNext(url.searchParams.get("next"), request);
  if (await sessionFrom(request, env.DB, Date.now() / 1000)) return redirectWithCookies(next, []);
  return formWithCookie(request, next, "", null, 200);
}

export async function loginSubmit(request: IRequest, env: Env): Promise<Response> {
  const form = await request.formData().catch(() => null);
  const field = (name: string) => {
    const v = form?.get(name);
    return typeof v === "string" ? v : "";
  };
  const next = safeNext(field("next"), request);
  const email = field("email").trim();
  const expected = parseCookies(request.headers.get("cookie")).get(LOGIN_CSRF_COOKIE) ?? "";
  if (!form || !sameOrigin(request) || expected === "" || !tokensEqual(field("_csrf"), expected))
    return formWithCookie(request, next, email, "The sign-in form expired. Please try again.", 403);
  const now = Date.now() / 1000;
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  // The attempt is counted before the password is checked, so concurrent guesses cannot overrun the limit.
  const wait = await takeLoginAttempt(env.DB, email, ip, now);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    const response = formWithCookie(
      request,
      next,
      email,
      `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      429,
    );
    response.headers.set("retry-after", String(wait));
    return response;
  }
  const user = await userForSignIn(env.DB, email);
  // Run the KDF even for unknown emails so response time does not reveal which emails exist.
  const ok = await verifyPassword(
    field("password"),
    user?.password_hash ?? "pbkdf2_sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
  );
  if (!user?.password_hash || !ok) {
    return formWithCookie(request, next, email, "Wrong email or password.", 401);
  }
  await loginSucceeded(env.DB, email, ip);
  const { token } = await createSession(env.DB, user.id, now);
  const url = new URL(request.url);
  return redirectWithCookies(next, [
    cookie(url, SESSION_COOKIE, token, SESSION_SECONDS),
    cookie(url, LOGIN_CSRF_COOKIE, "", 0),
  ]);
}

export async function logout({ request, env, session }: UiCall): Promise<Response> {
  await deleteSession(env.DB, session.id);
  return redirectWithCookies("/auth/login/", [cookie(new URL(request.url), SESSION_COOKIE, "", 0)]);
}
