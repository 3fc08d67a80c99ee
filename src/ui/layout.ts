// The page shell: head, top bar (organization switcher, sections, account, sign out) and main content.

import type { OrgSummary } from "../db/rows.ts";
import { type HtmlValue, html, type SafeHtml } from "./html.ts";
import type { UiUser } from "./session.ts";

export type Section =
  | "issues"
  | "releases"
  | "monitors"
  | "logs"
  | "traces"
  | "settings"
  | "home"
  | "account"
  | "none";

export interface PageContext {
  user: UiUser;
  orgs: OrgSummary[];
  org: OrgSummary | null;
  csrf: string;
  now: number;
  /** The current request URL (path + query) for return links. */
  url: URL;
}

export const csrfField = (ctx: { csrf: string }): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

function document(title: string, body: HtmlValue): SafeHtml {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · Faultline</title><link rel="stylesheet" href="/_ui/app.css"><script src="/_ui/app.js" defer></script></head><body>${body}</body></html>`;
}

export function page(ctx: PageContext, section: Section, title: string, content: HtmlValue): SafeHtml {
  // Pages outside an organization (account settings) still link to the first one.
  const org = ctx.org ?? ctx.orgs[0] ?? null;
  const link = (href: string, label: string, s: Section) =>
    html`<a href="${href}"${section === s ? html` aria-current="page"` : ""}>${label}</a>`;
  const switcher =
    ctx.orgs.length > 1
      ? html`<form method="get" action="/organizations/" class="inline"><label class="skip" for="org-switch">Organization</label><select id="org-switch" name="org" data-autosubmit>${ctx.orgs.map(
          (o) =>
            html`<option value="${o.slug}"${o.slug === org?.slug ? html` selected` : ""}>${o.name}</option>`,
        )}</select><noscript><button>Go</button></noscript></form>`
      : "";
  const nav = org
    ? html`${link(`/organizations/${org.slug}/`, "Projects", "home")}${link(`/organizations/${org.slug}/issues/`, "Issues", "issues")}${link(`/organizations/${org.slug}/explore/traces/`, "Traces", "traces")}${link(`/organizations/${org.slug}/explore/logs/`, "Logs", "logs")}${link(`/organizations/${org.slug}/releases/`, "Releases", "releases")}${link(`/organizations/${org.slug}/monitors/`, "Crons", "monitors")}${link(`/settings/${org.slug}/`, "Settings", "settings")}`
    : "";
  return document(
    title,
    html`<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">Faultline</a>${switcher}<nav aria-label="Sections">${nav}</nav>
<div class="me"><a href="/settings/account/api/auth-tokens/"${section === "account" ? html` aria-current="page"` : ""}>${ctx.user.email}</a>
<form method="post" action="/auth/logout/" class="inline">${csrfField(ctx)}<button type="submit">Sign out</button></form></div></header>
<main id="main">${content}</main>`,
  );
}

/** A page without the signed-in shell (sign-in, errors for anonymous visitors). */
export function barePage(title: string, content: HtmlValue): SafeHtml {
  return document(title, html`<main id="main">${content}</main>`);
}

export function flash(message: string | null | undefined, kind: "ok" | "error" = "ok"): SafeHtml | "" {
  return message
    ? html`<div class="flash${kind === "error" ? " error" : ""}" role="status">${message}</div>`
    : "";
}
