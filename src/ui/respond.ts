// Responses for UI pages: HTML with security headers, redirects after POST (303) and error pages.

import { redirectTarget } from "../http/redirect-target.ts";
import { html, type SafeHtml } from "./html.ts";
import { barePage, type PageContext, page } from "./layout.ts";

/** No inline script or style from anywhere but this site; no framing; no referrer leaks of issue URLs. */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export function htmlResponse(body: SafeHtml, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

/** Locations are paths of this site; any other target (however it is spelled) becomes the home page. */
const INTERNAL = "http://faultline.internal";
const sameSite = (location: string): string => redirectTarget(location, INTERNAL) ?? "/";

export function redirect(location: string, headers: Record<string, string> = {}, status = 303): Response {
  const h = new Headers({ location: sameSite(location), "cache-control": "no-store" });
  for (const [k, v] of Object.entries(headers)) h.append(k, v);
  return new Response(null, { status, headers: h });
}

export function redirectWithCookies(location: string, cookies: string[]): Response {
  const h = new Headers({ location: sameSite(location), "cache-control": "no-store" });
  for (const c of cookies) h.append("set-cookie", c);
  return new Response(null, { status: 303, headers: h });
}

const MESSAGES: Record<number, [string, string]> = {
  400: ["Bad request", "The form could not be read. Go back and try again."],
  403: ["Not allowed", "You do not have permission to do this. Ask an owner or admin of the organization."],
  404: ["Not found", "This page does not exist, or it belongs to an organization you are not a member of."],
  405: ["Not allowed", "This address does not take that method."],
  500: ["Something broke", "The page could not be rendered. Try again in a moment."],
};

export function errorPage(status: number, ctx: PageContext | null, detail?: string): Response {
  const [title, text] = MESSAGES[status] ?? MESSAGES[500] ?? ["Error", ""];
  const body = html`<h1>${title}</h1><p>${detail ?? text}</p><p><a href="/">Back to Faultline</a></p>`;
  return htmlResponse(ctx ? page(ctx, "none", title, body) : barePage(title, body), status);
}
