// Web UI routes, server-rendered from the same Worker. Every page needs a signed-in session; every POST
// needs the session's CSRF token and a same-site origin; every organization in a URL is looked up among
// the signed-in user's memberships only (another tenant's page is a 404, as in the API).
import type { IRequest } from "itty-router";
import { orgForUser, orgsOfUser } from "../db/tenant-reads.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import type { AppRouter } from "../http/app-router.ts";
import { SCRIPT, STYLES } from "./assets.ts";
import { formString, type OrgCall, type UiCall } from "./call.ts";
import type { PageContext } from "./layout.ts";
import { acceptInvitePage, acceptInviteSubmit } from "./pages/accept-invite.ts";
import { findEventPage } from "./pages/event-receipt.ts";
import { attachmentDownload, issueActionSubmit, issueDetailPage } from "./pages/issue-detail.ts";
import { issueBulkSubmit, issueStreamPage } from "./pages/issues.ts";
import { liveTailPage, liveTailSocket } from "./pages/live-tail.ts";
import { loginPage, loginSubmit, logout } from "./pages/login.ts";
import { logsPage } from "./pages/logs.ts";
import { monitorDetailPage, monitorsPage } from "./pages/monitors.ts";
import { orgHomePage } from "./pages/org-home.ts";
import { releaseDetailPage, releasesPage } from "./pages/releases.ts";
import { alertsPage, alertsSubmit } from "./pages/settings-alerts.ts";
import { keysPage, keysSubmit } from "./pages/settings-keys.ts";
import { membersPage, membersSubmit } from "./pages/settings-members.ts";
import {
  projectSettingsPage,
  projectSettingsSubmit,
  projectsPage,
  projectsSubmit,
} from "./pages/settings-projects.ts";
import { tokensPage, tokensSubmit } from "./pages/settings-tokens.ts";
import { usagePage, usageSubmit } from "./pages/settings-usage.ts";
import { tracePage } from "./pages/trace.ts";
import { tracesPage } from "./pages/traces.ts";
import { errorPage, redirect } from "./respond.ts";
import { sameOrigin, sessionFrom, tokensEqual } from "./session.ts";

type Handler<C> = (call: C) => Promise<Response>;

const nowSeconds = () => Date.now() / 1000;

function withSession(handler: Handler<UiCall>, method: "GET" | "POST") {
  return async (request: IRequest, env: Env): Promise<Response> => {
    const url = new URL(request.url);
    const now = nowSeconds();
    let ctx: PageContext | null = null;
    try {
      const session = await sessionFrom(request, env.DB, now);
      if (!session) {
        if (method === "GET")
          return redirect(`/auth/login/?next=${encodeURIComponent(url.pathname + url.search)}`, {}, 302);
        return errorPage(403, null, "Your session has ended. Sign in again.");
      }
      const orgs = await orgsOfUser(env.DB, session.user.id);
      ctx = { user: session.user, orgs, org: null, csrf: session.csrfToken, now, url };
      let form: FormData | null = null;
      if (method === "POST") {
        form = await request.formData().catch(() => null);
        const token = formString(form, "_csrf");
        if (!form || !sameOrigin(request) || !tokensEqual(token, session.csrfToken))
          return errorPage(
            403,
            ctx,
            "The form was stale or came from another site. Reload the page and try again.",
          );
      }
      const param = (name: string) => decodeURIComponent(request.params[name] ?? "");
      return await handler({ request, env, ctx, session, form, param });
    } catch (error) {
      if (error instanceof FaultlineError)
        return errorPage(error.status, ctx, error.status === 403 ? error.detail : undefined);
      console.error("ui error", error);
      return errorPage(500, ctx);
    }
  };
}

function withOrg(handler: Handler<OrgCall>): Handler<UiCall> {
  return async (call) => {
    const org = await orgForUser(call.env.DB, call.session.user.id, call.param("org"));
    if (!org) throw new FaultlineError(404, "not found");
    call.ctx.org = org;
    return handler({ ...call, org });
  };
}

function asset(body: string, type: string): () => Response {
  return () =>
    new Response(body, {
      headers: {
        "content-type": type,
        "cache-control": "public, max-age=300",
        "x-content-type-options": "nosniff",
      },
    });
}

export function registerUiRoutes(router: AppRouter): void {
  router.get("/_ui/app.css", asset(STYLES, "text/css; charset=utf-8"));
  router.get("/_ui/app.js", asset(SCRIPT, "text/javascript; charset=utf-8"));
  router.get("/auth/login/", loginPage);
  router.post("/auth/login/", loginSubmit);
  router.post("/auth/logout/", withSession(logout, "POST"));
  // Open to visitors who are not signed in: the invite token in the path is the credential.
  router.get("/accept-invite/:id/:token/", acceptInvitePage);
  router.post("/accept-invite/:id/:token/", acceptInviteSubmit);
  router.get(
    "/",
    withSession(async ({ ctx }) => {
      const first = ctx.orgs[0];
      return redirect(
        first ? `/organizations/${encodeURIComponent(first.slug)}/` : "/settings/account/api/auth-tokens/",
        {},
        302,
      );
    }, "GET"),
  );
  router.get(
    "/organizations/",
    withSession(async ({ ctx }) => {
      const slug = ctx.url.searchParams.get("org") ?? ctx.orgs[0]?.slug;
      const org = ctx.orgs.find((o) => o.slug === slug);
      return redirect(org ? `/organizations/${encodeURIComponent(org.slug)}/` : "/", {}, 302);
    }, "GET"),
  );
  router.get("/settings/account/api/auth-tokens/", withSession(tokensPage, "GET"));
  router.post("/settings/account/api/auth-tokens/", withSession(tokensSubmit, "POST"));

  const get = (path: string, h: Handler<OrgCall>) => router.get(path, withSession(withOrg(h), "GET"));
  const post = (path: string, h: Handler<OrgCall>) => router.post(path, withSession(withOrg(h), "POST"));
  get("/organizations/:org/", orgHomePage);
  get("/organizations/:org/issues/", issueStreamPage);
  get("/organizations/:org/events/find/", findEventPage);
  get("/organizations/:org/projects/:project/tail/", liveTailPage);
  get("/organizations/:org/projects/:project/tail/socket/", liveTailSocket);
  post("/organizations/:org/issues/bulk/", issueBulkSubmit);
  get("/organizations/:org/issues/:issueId/", issueDetailPage);
  post("/organizations/:org/issues/:issueId/actions/", issueActionSubmit);
  get("/organizations/:org/issues/:issueId/events/:eventId/", issueDetailPage);
  get("/organizations/:org/issues/:issueId/events/:eventId/attachments/:attachmentId/", attachmentDownload);
  get("/organizations/:org/performance/trace/:traceId/", tracePage);
  get("/organizations/:org/explore/traces/", tracesPage);
  get("/organizations/:org/explore/logs/", logsPage);
  get("/organizations/:org/releases/", releasesPage);
  get("/organizations/:org/releases/:version/", releaseDetailPage);
  get("/organizations/:org/monitors/", monitorsPage);
  get("/organizations/:org/monitors/:slug/", monitorDetailPage);
  get("/settings/:org/", projectsPage);
  get("/settings/:org/projects/", projectsPage);
  post("/settings/:org/projects/", projectsSubmit);
  get("/settings/:org/projects/:project/", projectSettingsPage);
  post("/settings/:org/projects/:project/", projectSettingsSubmit);
  get("/settings/:org/projects/:project/keys/", keysPage);
  post("/settings/:org/projects/:project/keys/", keysSubmit);
  get("/settings/:org/projects/:project/alerts/", alertsPage);
  post("/settings/:org/projects/:project/alerts/", alertsSubmit);
  get("/settings/:org/projects/:project/usage/", usagePage);
  post("/settings/:org/projects/:project/usage/", usageSubmit);
  get("/settings/:org/members/", membersPage);
  post("/settings/:org/members/", membersSubmit);
}

/** The catch-all: JSON under /api (Sentry's error body), an HTML page everywhere else. */
export function uiNotFound(request: Request): Response | null {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/api/") || url.pathname === "/api") return null;
  if (request.method === "GET" && !url.pathname.endsWith("/") && !url.pathname.startsWith("/_"))
    return redirect(`${url.pathname}/${url.search}`, {}, 301);
  return errorPage(404, null);
}
