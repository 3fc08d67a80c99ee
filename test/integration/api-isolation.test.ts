// Tenant isolation of every /api/0 route, as a table (append new routes to ROUTES; the coverage test
// fails while a registered /api/0 route has no row). For each route, against organization A's objects:
//   (a) a caller of organization B (owner user token with every scope, and B's sntrys_ org token) gets
//       404 (never 403, so existence does not leak) and no A data;
//   (b) a caller of A whose token lacks the route's scope gets 403 (this also proves the route matched);
//   (c) no token gets 401, an unknown token 401.
// Routes that act on the caller itself ("self": auth info, own organizations/projects, own tokens) are
// checked instead to answer B with B's data only.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildRouter } from "../../src/http/router.ts";
import { createTenant, envelope, newEventId, send, type Tenant } from "./helpers.ts";
import { call, createUser, type TestUser } from "./tenant-helpers.ts";

interface World {
  a: Tenant;
  b: Tenant;
  ownerA: TestUser;
  ownerB: TestUser;
  orgTokenB: string;
  params: Record<string, string>;
  /** Strings that must never appear in an answer to a caller of B. */
  secretsOfA: string[];
}

interface RouteCase {
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

const NOTHING = "alerts:read";

const ROUTES: RouteCase[] = [
  // auth info, organizations
  { route: "GET /api/0/", self: true, anonymous: 200 },
  { route: "GET /api/0/organizations/", self: true },
  { route: "POST /api/0/organizations/", self: true, body: { slug: "iso-new-org" } },
  { route: "GET /api/0/organizations/:org/" },
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
  { route: "GET /api/0/projects/:org/:project/ingest-stats/" },
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
  { route: "GET /api/0/organizations/:org/issues/:issueId/" },
  { route: "PUT /api/0/organizations/:org/issues/:issueId/", body: { status: "resolved" } },
  { route: "DELETE /api/0/organizations/:org/issues/:issueId/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/tags/" },
  { route: "GET /api/0/issues/:issueId/events/" },
  { route: "GET /api/0/issues/:issueId/events/:eventId/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/events/" },
  { route: "GET /api/0/organizations/:org/issues/:issueId/events/:eventId/" },
  { route: "GET /api/0/projects/:org/:project/events/" },
  { route: "GET /api/0/projects/:org/:project/events/:eventId/" },
  // events API (Discover / Explore), stats, traces
  { route: "GET /api/0/organizations/:org/events/", query: "?dataset=errors&field=id&field=message" },
  { route: "GET /api/0/organizations/:org/events/validate/", query: "?dataset=errors&field=id" },
  { route: "GET /api/0/organizations/:org/events-stats/", query: "?dataset=errors&interval=1h" },
  { route: "GET /api/0/organizations/:org/trace-meta/:traceId/" },
  { route: "GET /api/0/organizations/:org/trace/:traceId/" },
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
  { route: "GET /api/0/projects/:org/:project/stats/" },
];

const normalize = (route: string) => route.replace(/\/$/, "");

/** Every `METHOD /api/0/...` route the Worker registers. */
function registeredRoutes(): Set<string> {
  const routes = new Set<string>();
  for (const [method, , , path] of buildRouter().routes) {
    if (path?.startsWith("/api/0/") && method !== "ALL" && method !== "OPTIONS")
      routes.add(normalize(`${method} ${path}`));
  }
  return routes;
}

const REGISTERED = registeredRoutes();

const fill = (text: string, params: Record<string, string>) =>
  text.replace(/:([A-Za-z]+)/g, (whole, name: string) => params[name] ?? whole);

function fillBody(body: unknown, params: Record<string, string>): unknown {
  if (typeof body === "string") return body.startsWith(":") ? (params[body.slice(1)] ?? body) : body;
  if (Array.isArray(body)) return body.map((b) => fillBody(b, params));
  if (body && typeof body === "object")
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fillBody(v, params)]));
  return body;
}

function request(c: RouteCase, w: World) {
  const [method = "GET", path = "/"] = c.route.split(" ");
  return {
    method,
    path: fill(path, w.params) + (c.query ? fill(c.query, w.params) : ""),
    body: c.body === undefined ? undefined : fillBody(c.body, w.params),
  };
}

async function ingestOne(t: Tenant): Promise<{ eventId: string; issueId: number }> {
  const eventId = newEventId();
  const res = await send(`/api/${t.projectId}/envelope/`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${t.publicKey}, sentry_version=7` },
    body: envelope({ event_id: eventId }, [
      { type: "event" },
      JSON.stringify({ event_id: eventId, message: "isolation secret", level: "error" }),
    ]),
  });
  expect(res.status).toBe(200);
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, eventId)
      .first<{ issue_id: number | null }>();
    if (row?.issue_id) return { eventId, issueId: row.issue_id };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the event was not stored");
}

let world: World;

beforeAll(async () => {
  const a = await createTenant();
  const b = await createTenant();
  const ownerA = await createUser(a.orgId, "owner");
  const ownerB = await createUser(b.orgId, "owner");
  expect(
    (await call(ownerA.token, "POST", `/api/0/organizations/${a.orgSlug}/teams/`, { slug: "core" })).status,
  ).toBe(201);
  await env.DB.prepare(
    "UPDATE projects SET team_id = (SELECT id FROM teams WHERE organization_id = ?) WHERE id = ?",
  )
    .bind(a.orgId, a.projectId)
    .run();
  const release = await call(ownerA.token, "POST", `/api/0/organizations/${a.orgSlug}/releases/`, {
    version: "iso@1.0",
    projects: [a.projectSlug],
  });
  expect(release.status).toBe(201);
  const orgTokenA = await call<{ id: string; token: string }>(
    ownerA.token,
    "POST",
    `/api/0/organizations/${a.orgSlug}/org-auth-tokens/`,
    { name: "A ci" },
  );
  const orgTokenB = await call<{ token: string }>(
    ownerB.token,
    "POST",
    `/api/0/organizations/${b.orgSlug}/org-auth-tokens/`,
    { name: "B ci" },
  );
  const userTokenA = await call<{ id: string }>(ownerA.token, "POST", "/api/0/api-tokens/", {
    scopes: ["org:read"],
  });
  const { eventId, issueId } = await ingestOne(a);
  world = {
    a,
    b,
    ownerA,
    ownerB,
    orgTokenB: orgTokenB.body.token,
    params: {
      org: a.orgSlug,
      project: a.projectSlug,
      team: "core",
      keyId: a.publicKey,
      memberId: String(ownerA.userId),
      tokenId: orgTokenA.body.id,
      userTokenId: userTokenA.body.id,
      version: "iso@1.0",
      issueId: String(issueId),
      eventId,
      traceId: "0123456789abcdef0123456789abcdef",
    },
    secretsOfA: [a.publicKey, a.projectSlug, a.orgSlug, ownerA.email, "isolation secret", "iso@1.0", "A ci"],
  };
});

function expectNoDataOfA(text: string) {
  for (const secret of world.secretsOfA) expect(text, `leaks ${secret}`).not.toContain(secret);
}

describe("every /api/0 route is in the isolation table", () => {
  it("covers what the router registers", () => {
    const table = new Set(ROUTES.map((c) => normalize(c.route)));
    const missing = [...REGISTERED].filter((r) => !table.has(r));
    expect(missing, "add these routes to ROUTES").toEqual([]);
  });
});

describe.each(ROUTES.filter((c) => REGISTERED.has(normalize(c.route))))("$route", (c) => {
  it("(a) another organization's callers get 404 and none of its data", async () => {
    const r = request(c, world);
    for (const token of [world.ownerB.token, world.orgTokenB]) {
      const res = await call<Record<string, unknown>>(token, r.method, r.path, r.body);
      if (c.self) {
        // Their own data; routes that need a user refuse organization tokens with 403.
        const allowed =
          res.status < 300 || res.status === c.foreign || (token === world.orgTokenB && res.status === 403);
        expect(allowed, `${r.method} ${r.path}: ${res.status}`).toBe(true);
      } else {
        expect(res.status, `${r.method} ${r.path}`).toBe(c.foreign ?? 404);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      expectNoDataOfA(res.text);
    }
  });

  it.skipIf(c.self)("(b) a token of the organization lacking the scope gets 403", async () => {
    const r = request(c, world);
    const weak = await createUser(world.a.orgId, "owner", c.lacking ?? NOTHING);
    const res = await call(weak.token, r.method, r.path, r.body);
    expect(res.status, `${r.method} ${r.path}`).toBe(403);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it("(c) no token gets 401 and an unknown token 401", async () => {
    const r = request(c, world);
    const anonymous = await call(null, r.method, r.path, r.body);
    expect(anonymous.status, `${r.method} ${r.path}`).toBe(c.anonymous ?? 401);
    if ((c.anonymous ?? 401) === 401) expect(anonymous.body).toEqual({ detail: expect.any(String) });
    const unknown = await call(`sntryu_${"f".repeat(64)}`, r.method, r.path, r.body);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ detail: "Invalid token" });
  });
});

describe("after every refused call", () => {
  it("organization A's objects are all still there and unchanged", async () => {
    const { a, ownerA } = world;
    const project = await call<{ name: string }>(
      ownerA.token,
      "GET",
      `/api/0/projects/${a.orgSlug}/${a.projectSlug}/`,
    );
    expect(project.status).toBe(200);
    expect(project.body.name).not.toBe("hijacked");
    const key = await call<{ isActive: boolean }>(
      ownerA.token,
      "GET",
      `/api/0/projects/${a.orgSlug}/${a.projectSlug}/keys/${a.publicKey}/`,
    );
    expect(key.body.isActive).toBe(true);
    expect((await call(ownerA.token, "GET", `/api/0/teams/${a.orgSlug}/core/`)).status).toBe(200);
    expect(
      (await call(ownerA.token, "GET", `/api/0/organizations/${a.orgSlug}/releases/iso@1.0/`)).status,
    ).toBe(200);
    expect(
      (
        await call(
          ownerA.token,
          "GET",
          `/api/0/organizations/${a.orgSlug}/org-auth-tokens/${world.params.tokenId}/`,
        )
      ).status,
    ).toBe(200);
    const issue = await env.DB.prepare("SELECT status FROM issues WHERE id = ?")
      .bind(Number(world.params.issueId))
      .first<{ status: string }>();
    expect(issue?.status).toBe("unresolved");
    const created = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM teams WHERE slug = 'iso-team') + (SELECT count(*) FROM projects WHERE slug = 'iso-project') AS n",
    ).first<{ n: number }>();
    expect(created?.n).toBe(0);
    // B may create organizations of its own; A's owner is never made a member of them.
    const mine = await call<{ slug: string }[]>(ownerA.token, "GET", "/api/0/organizations/");
    expect(mine.body.map((o) => o.slug)).toEqual([a.orgSlug]);
    const tokens = await call<{ id: string }[]>(ownerA.token, "GET", "/api/0/api-tokens/");
    expect(tokens.body.map((t) => t.id)).toContain(world.params.userTokenId);
  });
});
