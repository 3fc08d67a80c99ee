// The table of every /api/0 route the Worker registers, shared by the tests that walk all routes
// (tenant isolation, malformed parameters). Append new routes to ROUTES; api-isolation.test.ts fails
// while a registered /api/0 route has no row.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { buildRouter } from "../../src/http/router.ts";
import { envelope, newEventId, send, type Tenant } from "./helpers.ts";

export interface RouteCase {
  /** `METHOD /path/with/:params/` exactly as registered (trailing slash optional). */
  route: string;
  /** Query string appended to the path, e.g. `?id=1`. */
  query?: string;
  body?: unknown;
  /** Scopes of an A token that must be refused with 403 (default: a scope that grants nothing here). */
  lacking?: string;
  /** Expected status for B's callers (default 404; for "self" routes, a refusal allowed besides 2xx). */
  foreign?: number;
  /** The route acts on the caller itself: B's callers get their own data, never A's. */
  self?: boolean;
  /** Status without any token (default 401). */
  anonymous?: number;
}

export const NOTHING = "org:integrations";

/** A valid issue alert rule (new issue → the webhooks plugin). */
export const ALERT_RULE = {
  name: "iso rule",
  frequency: 5,
  conditions: [{ id: "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition" }],
  actions: [
    { id: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction", service: "webhooks" },
  ],
};

export const ROUTES: RouteCase[] = [
  // auth info, organizations
  { route: "GET /api/0/", self: true, anonymous: 200 },
  // the signed-in user (an organization token is no user: 400, as in Sentry)
  { route: "GET /api/0/auth/", self: true, foreign: 400, anonymous: 400 },
  { route: "GET /api/0/organizations/", self: true },
  { route: "POST /api/0/organizations/", self: true, body: { slug: "iso-new-org" } },
  { route: "GET /api/0/organizations/:org/" },
  { route: "PUT /api/0/organizations/:org/", body: { retentionDays: 30 }, lacking: "org:read" },
  // teams
  { route: "GET /api/0/organizations/:org/teams/" },
  {
    route: "POST /api/0/organizations/:org/teams/",
    body: { slug: "iso-team" },
    lacking: "team:read org:read",
  },
  { route: "GET /api/0/teams/:org/:team/" },
  { route: "DELETE /api/0/teams/:org/:team/", lacking: "team:write" },
  // projects
  { route: "GET /api/0/projects/", self: true },
  { route: "GET /api/0/organizations/:org/projects/" },
  { route: "GET /api/0/teams/:org/:team/projects/" },
  { route: "POST /api/0/teams/:org/:team/projects/", body: { slug: "iso-project" }, lacking: "project:read" },
  { route: "GET /api/0/projects/:org/:project/" },
  { route: "PUT /api/0/projects/:org/:project/", body: { name: "hijacked" }, lacking: "project:read" },
  { route: "DELETE /api/0/projects/:org/:project/", lacking: "project:write" },
  { route: "GET /api/0/projects/:org/:project/filters/" },
  { route: "GET /api/0/projects/:org/:project/events/:eventId/receipt/" },
  // Without `Upgrade: websocket` a member gets a 426 (with a detail), anyone else the usual refusal.
  { route: "GET /api/0/projects/:org/:project/tail/" },
  {
    route: "PUT /api/0/projects/:org/:project/filters/:filter/",
    body: { active: true },
    lacking: "project:read",
  },
  { route: "GET /api/0/projects/:org/:project/ingest-stats/" },
  // the cost meter: usage and monthly budgets (owners and admins change budgets)
  { route: "GET /api/0/projects/:org/:project/usage/" },
  {
    route: "PUT /api/0/projects/:org/:project/usage/",
    body: { monthlyBudgetUsd: 1 },
    lacking: "project:write",
  },
  { route: "GET /api/0/organizations/:org/usage/" },
  { route: "PUT /api/0/organizations/:org/usage/", body: { monthlyBudgetUsd: 1 }, lacking: "org:read" },
  // DSN keys
  { route: "GET /api/0/projects/:org/:project/keys/" },
  { route: "POST /api/0/projects/:org/:project/keys/", body: { name: "iso" }, lacking: "project:read" },
  { route: "GET /api/0/projects/:org/:project/keys/:keyId/" },
  {
    route: "PUT /api/0/projects/:org/:project/keys/:keyId/",
    body: { isActive: false },
    lacking: "project:read",
  },
  { route: "DELETE /api/0/projects/:org/:project/keys/:keyId/", lacking: "project:write" },
  // issue alert rules, webhooks plugin, alert settings and the delivery log
  { route: "GET /api/0/projects/:org/:project/rules/" },
  {
    route: "POST /api/0/projects/:org/:project/rules/",
    body: ALERT_RULE,
    lacking: "alerts:read project:read",
  },
  { route: "GET /api/0/projects/:org/:project/rules/:ruleId/" },
  {
    route: "PUT /api/0/projects/:org/:project/rules/:ruleId/",
    body: { name: "hijacked" },
    lacking: "alerts:read project:read",
  },
  { route: "DELETE /api/0/projects/:org/:project/rules/:ruleId/", lacking: "alerts:read project:read" },
  {
    route: "POST /api/0/projects/:org/:project/rule-actions/",
    body: { actions: ALERT_RULE.actions },
    lacking: "alerts:read project:read",
  },
  { route: "GET /api/0/projects/:org/:project/plugins/webhooks/" },
  {
    route: "PUT /api/0/projects/:org/:project/plugins/webhooks/",
    body: { urls: "https://hijack.example/" },
    lacking: "project:read alerts:write",
  },
  { route: "GET /api/0/projects/:org/:project/alert-settings/", lacking: "project:read alerts:write" },
  {
    route: "PUT /api/0/projects/:org/:project/alert-settings/",
    body: { allowPrivateTargets: true },
    lacking: "project:write alerts:write",
  },
  { route: "GET /api/0/projects/:org/:project/alert-deliveries/" },
  // members
  { route: "GET /api/0/organizations/:org/members/" },
  {
    route: "POST /api/0/organizations/:org/members/",
    body: { email: "iso@example.test" },
    lacking: "member:read org:read",
  },
  { route: "GET /api/0/organizations/:org/members/:memberId/" },
  { route: "DELETE /api/0/organizations/:org/members/:memberId/", lacking: "member:read" },
  // tokens
  { route: "GET /api/0/api-tokens/", self: true },
  { route: "POST /api/0/api-tokens/", self: true, body: { scopes: ["org:read"] } },
  { route: "DELETE /api/0/api-tokens/", self: true, body: { tokenId: ":userTokenId" }, foreign: 404 },
  { route: "GET /api/0/organizations/:org/org-auth-tokens/" },
  { route: "POST /api/0/organizations/:org/org-auth-tokens/", body: { name: "iso" }, lacking: "org:read" },
  { route: "GET /api/0/organizations/:org/org-auth-tokens/:tokenId/" },
  { route: "DELETE /api/0/organizations/:org/org-auth-tokens/:tokenId/", lacking: "org:read" },
  // releases and deploys
  { route: "GET /api/0/organizations/:org/releases/" },
  { route: "POST /api/0/organizations/:org/releases/", body: { version: "iso@9", projects: [":project"] } },
  { route: "GET /api/0/organizations/:org/releases/:version/" },
  { route: "PUT /api/0/organizations/:org/releases/:version/", body: { ref: "x" } },
  { route: "DELETE /api/0/organizations/:org/releases/:version/" },
  { route: "GET /api/0/organizations/:org/releases/:version/commits/" },
  { route: "GET /api/0/projects/:org/:project/releases/:version/commits/" },
  { route: "GET /api/0/organizations/:org/releases/:version/previous-with-commits/" },
  { route: "GET /api/0/organizations/:org/releases/:version/deploys/" },
  {
    route: "POST /api/0/organizations/:org/releases/:version/deploys/",
    body: { environment: "production" },
  },
  { route: "GET /api/0/projects/:org/:project/releases/" },
  { route: "POST /api/0/projects/:org/:project/releases/", body: { version: "iso@9" } },
  { route: "GET /api/0/projects/:org/:project/releases/:version/" },
  { route: "PUT /api/0/projects/:org/:project/releases/:version/", body: { ref: "x" } },
  { route: "DELETE /api/0/projects/:org/:project/releases/:version/" },
  // chunk upload and debug files
  { route: "GET /api/0/organizations/:org/chunk-upload/" },
  { route: "POST /api/0/organizations/:org/chunk-upload/" },
  { route: "POST /api/0/projects/:org/:project/files/difs/assemble/", body: {} },
  { route: "GET /api/0/projects/:org/:project/files/dsyms/" },
  { route: "DELETE /api/0/projects/:org/:project/files/dsyms/", query: "?id=1" },
  // issues and events
  { route: "GET /api/0/projects/:org/:project/issues/" },
  { route: "PUT /api/0/projects/:org/:project/issues/", query: "?id=:issueId", body: { status: "resolved" } },
  { route: "DELETE /api/0/projects/:org/:project/issues/", query: "?id=:issueId" },
  { route: "GET /api/0/organizations/:org/issues/" },
  { route: "PUT /api/0/organizations/:org/issues/", query: "?id=:issueId", body: { status: "resolved" } },
  { route: "DELETE /api/0/organizations/:org/issues/", query: "?id=:issueId" },
  { route: "GET /api/0/issues/:issueId/" },
  { route: "PUT /api/0/issues/:issueId/", body: { status: "resolved" } },
  { route: "DELETE /api/0/issues/:issueId/" },
  { route: "GET /api/0/issues/:issueId/tags/" },
  { route: "GET /api/0/issues/:issueId/user-reports/" },
  // activity and notes
  { route: "GET /api/0/issues/:issueId/activities/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/activities/" },
  { route: "GET /api/0/issues/:issueId/notes/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/notes/" },
  { route: "POST /api/0/issues/:issueId/notes/", body: { text: "iso note" } },
  { route: "POST /api/0/organizations/:org/issues/:issueId/notes/", body: { text: "iso note" } },
  { route: "DELETE /api/0/issues/:issueId/notes/:noteId/" },
  { route: "DELETE /api/0/organizations/:org/issues/:issueId/notes/:noteId/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/user-reports/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/" },
  { route: "PUT /api/0/organizations/:org/issues/:issueId/", body: { status: "resolved" } },
  { route: "DELETE /api/0/organizations/:org/issues/:issueId/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/tags/" },
  { route: "GET /api/0/issues/:issueId/hashes/" },
  {
    route: "DELETE /api/0/issues/:issueId/hashes/",
    query: "?id=0123456789abcdef0123456789abcdef",
    lacking: "event:read",
  },
  { route: "GET /api/0/organizations/:org/issues/:issueId/hashes/" },
  {
    route: "DELETE /api/0/organizations/:org/issues/:issueId/hashes/",
    query: "?id=0123456789abcdef0123456789abcdef",
    lacking: "event:read",
  },
  { route: "GET /api/0/issues/:issueId/tags/:key/" },
  { route: "GET /api/0/issues/:issueId/tags/:key/values/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/tags/:key/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/tags/:key/values/" },
  { route: "GET /api/0/issues/:issueId/events/" },
  { route: "GET /api/0/issues/:issueId/events/:eventId/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/events/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/events/:eventId/" },
  { route: "GET /api/0/projects/:org/:project/events/" },
  { route: "GET /api/0/projects/:org/:project/events/:eventId/" },
  { route: "GET /api/0/projects/:org/:project/events/:eventId/attachments/" },
  { route: "GET /api/0/projects/:org/:project/events/:eventId/attachments/:attachmentId/" },
  {
    route: "DELETE /api/0/projects/:org/:project/events/:eventId/attachments/:attachmentId/",
    lacking: "event:read event:write",
  },
  // events API (Discover / Explore), stats, traces
  { route: "GET /api/0/organizations/:org/events/", query: "?dataset=errors&field=id&field=message" },
  { route: "GET /api/0/organizations/:org/events/validate/", query: "?dataset=errors&field=id" },
  { route: "GET /api/0/organizations/:org/events-stats/", query: "?dataset=errors&interval=1h" },
  { route: "GET /api/0/organizations/:org/trace-meta/:traceId/" },
  { route: "GET /api/0/organizations/:org/trace/:traceId/" },
  { route: "GET /api/0/organizations/:org/traces/" },
  { route: "GET /api/0/organizations/:org/eventids/:eventId/" },
  // environments, user feedback, usage stats
  { route: "GET /api/0/organizations/:org/environments/" },
  { route: "GET /api/0/projects/:org/:project/environments/" },
  { route: "GET /api/0/projects/:org/:project/user-feedback/" },
  {
    route: "POST /api/0/projects/:org/:project/user-feedback/",
    body: { event_id: ":eventId", comments: "iso feedback", email: "iso@example.test" },
    lacking: "project:read",
  },
  { route: "GET /api/0/organizations/:org/stats_v2/", query: "?field=sum(quantity)&groupBy=outcome" },
  { route: "GET /api/0/organizations/:org/sessions/", query: "?field=sum(session)&groupBy=release" },
  { route: "GET /api/0/organizations/:org/monitors/" },
  {
    route: "POST /api/0/organizations/:org/monitors/",
    body: {
      name: "iso monitor",
      project: ":project",
      config: { schedule_type: "crontab", schedule: "0 * * * *" },
    },
    lacking: "org:read project:read",
  },
  { route: "GET /api/0/organizations/:org/monitors/:slug/" },
  {
    route: "PUT /api/0/organizations/:org/monitors/:slug/",
    body: { name: "renamed" },
    lacking: "org:read project:read",
  },
  { route: "DELETE /api/0/organizations/:org/monitors/:slug/", lacking: "org:read project:read" },
  { route: "GET /api/0/organizations/:org/monitors/:slug/checkins/" },
  { route: "GET /api/0/organizations/:org/monitors/:slug/stats/" },
  // the same monitor under its project's path
  { route: "GET /api/0/projects/:org/:project/monitors/:slug/" },
  {
    route: "PUT /api/0/projects/:org/:project/monitors/:slug/",
    body: { name: "renamed" },
    lacking: "org:read project:read",
  },
  { route: "DELETE /api/0/projects/:org/:project/monitors/:slug/", lacking: "org:read project:read" },
  { route: "GET /api/0/projects/:org/:project/monitors/:slug/checkins/" },
  { route: "GET /api/0/projects/:org/:project/monitors/:slug/stats/" },
  { route: "GET /api/0/projects/:org/:project/stats/" },
];

export const normalize = (route: string) => route.replace(/\/$/, "");

/** Every `METHOD /api/0/...` route the Worker registers. */
export function registeredRoutes(): Set<string> {
  const routes = new Set<string>();
  for (const [method, , , path] of buildRouter().routes) {
    if (path?.startsWith("/api/0/") && method !== "ALL" && method !== "OPTIONS")
      routes.add(normalize(`${method} ${path}`));
  }
  return routes;
}

export const REGISTERED = registeredRoutes();

export const fill = (text: string, params: Record<string, string>) =>
  text.replace(/:([A-Za-z]+)/g, (whole, name: string) => params[name] ?? whole);

export function fillBody(body: unknown, params: Record<string, string>): unknown {
  if (typeof body === "string") return body.startsWith(":") ? (params[body.slice(1)] ?? body) : body;
  if (Array.isArray(body)) return body.map((b) => fillBody(b, params));
  if (body && typeof body === "object")
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fillBody(v, params)]));
  return body;
}

export function routeRequest(c: RouteCase, params: Record<string, string>) {
  const [method = "GET", path = "/"] = c.route.split(" ");
  return {
    method,
    path: fill(path, params) + (c.query ? fill(c.query, params) : ""),
    body: c.body === undefined ? undefined : fillBody(c.body, params),
  };
}

/** One error event with one attachment in the tenant's project; its event, issue and attachment ids. */
export async function ingestOne(
  t: Tenant,
): Promise<{ eventId: string; issueId: number; attachmentId: string }> {
  const eventId = newEventId();
  const res = await send(`/api/${t.projectId}/envelope/`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${t.publicKey}, sentry_version=7` },
    body: envelope(
      { event_id: eventId },
      [{ type: "event" }, JSON.stringify({ event_id: eventId, message: "isolation secret", level: "error" })],
      [
        { type: "attachment", filename: "isolation-secret.txt", content_type: "text/plain" },
        "isolation secret bytes",
      ],
    ),
  });
  expect(res.status).toBe(200);
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare(
      "SELECT issue_id, (SELECT id FROM attachments a WHERE a.project_id = e.project_id AND a.event_id = e.event_id) AS attachment_id FROM events e WHERE project_id = ? AND event_id = ?",
    )
      .bind(t.projectId, eventId)
      .first<{ issue_id: number | null; attachment_id: number | null }>();
    if (row?.issue_id && row.attachment_id)
      return { eventId, issueId: row.issue_id, attachmentId: String(row.attachment_id) };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the event was not stored");
}
