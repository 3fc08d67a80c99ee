// Sign-in sessions for the web UI: a random token in an HttpOnly cookie (SameSite=Lax, Secure unless the
// site is served from localhost), its SHA-256 in `ui_sessions`, an expiry, and a per-session CSRF secret
// that every form POST must carry. Sign-in itself uses a short-lived double-submit cookie for CSRF.

import { deleteSessionRow, insertSession, sessionByTokenHash, touchSession } from "../db/ui-auth.ts";
import { SESSION_SECONDS } from "../limits.ts";
import { sha256Hex } from "../protocol/sha256.ts";

export const SESSION_COOKIE = "fl_session";
export const LOGIN_CSRF_COOKIE = "fl_login_csrf";
/** Sessions are extended on use at most this often, to keep page views free of writes. */
const TOUCH_SECONDS = 3600;

export interface UiUser {
  id: number;
  email: string;
  name: string;
}

export interface UiSession {
  id: number;
  user: UiUser;
  csrfToken: string;
}

export const randomToken = (bytes = 32): string =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Secure cookies everywhere except plain-http development on the loopback host. */
export function isLocalhost(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

export function cookie(url: URL, name: string, value: string, maxAgeSeconds: number): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (!isLocalhost(url)) parts.push("Secure");
  return parts.join("; ");
}

export async function createSession(
  db: D1Database,
  userId: number,
  nowSeconds: number,
): Promise<{ token: string; csrfToken: string }> {
  const token = randomToken();
  const csrfToken = randomToken();
  await insertSession(
    db,
    { tokenHash: await sha256Hex(token), userId, csrfToken, expiresAt: nowSeconds + SESSION_SECONDS },
    nowSeconds,
  );
  return { token, csrfToken };
}

export async function sessionFrom(
  request: Request,
  db: D1Database,
  nowSeconds: number,
): Promise<UiSession | null> {
  const token = parseCookies(request.headers.get("cookie")).get(SESSION_COOKIE);
  if (!token || !/^[0-9a-f]{64}$/.test(token)) return null;
  const row = await sessionByTokenHash(db, await sha256Hex(token));
  if (!row || row.expires_at <= nowSeconds) return null;
  if (nowSeconds - row.last_seen_at > TOUCH_SECONDS) {
    await touchSession(db, row.id, nowSeconds, nowSeconds + SESSION_SECONDS);
  }
  return {
    id: row.id,
    csrfToken: row.csrf_token,
    user: { id: row.user_id, email: row.email, name: row.name },
  };
}

export async function deleteSession(db: D1Database, sessionId: number): Promise<void> {
  await deleteSessionRow(db, sessionId);
}

/** Constant-time string equality (both sides are hex tokens we issued). */
export function tokensEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Rejects a cross-site POST: when the browser says where the form came from (Origin, else Referer), it
 * must be this site. The CSRF token is checked separately; this is defence in depth.
 */
export function sameOrigin(request: Request): boolean {
  const url = new URL(request.url);
  const origin = request.headers.get("origin") ?? request.headers.get("referer");
  if (!origin || origin === "null") return origin === null;
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false;
  }
}

export { SESSION_SECONDS };
