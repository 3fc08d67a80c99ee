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
import { ALERT_RULE, ingestOne, NOTHING, normalize, REGISTERED, ROUTES, routeRequest } from "./api-routes.ts";
import { createTenant, type Tenant } from "./helpers.ts";
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
  const { eventId, issueId, attachmentId } = await ingestOne(a);
  const rule = await call<{ id: string }>(
    ownerA.token,
    "POST",
    `/api/0/projects/${a.orgSlug}/${a.projectSlug}/rules/`,
    ALERT_RULE,
  );
  expect(rule.status).toBe(200);
  const monitor = await call<{ slug: string }>(
    ownerA.token,
    "POST",
    `/api/0/organizations/${a.orgSlug}/monitors/`,
    {
      name: "Nightly iso",
      project: a.projectSlug,
      config: { schedule_type: "crontab", schedule: "0 3 * * *" },
    },
  );
  expect(monitor.status).toBe(201);
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
      attachmentId,
      key: "level",
      ruleId: rule.body.id,
      slug: monitor.body.slug,
      traceId: "0123456789abcdef0123456789abcdef",
      filter: "localhost",
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
    const r = routeRequest(c, world.params);
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
    const r = routeRequest(c, world.params);
    const weak = await createUser(world.a.orgId, "owner", c.lacking ?? NOTHING);
    const res = await call(weak.token, r.method, r.path, r.body);
    expect(res.status, `${r.method} ${r.path}`).toBe(403);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it("(c) no token gets 401 and an unknown token 401", async () => {
    const r = routeRequest(c, world.params);
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
    const rule = await call<{ name: string }>(
      ownerA.token,
      "GET",
      `/api/0/projects/${a.orgSlug}/${a.projectSlug}/rules/${world.params.ruleId}/`,
    );
    expect(rule.status).toBe(200);
    expect(rule.body.name).toBe("iso rule");
    const hooks = await call<{ enabled: boolean }>(
      ownerA.token,
      "GET",
      `/api/0/projects/${a.orgSlug}/${a.projectSlug}/plugins/webhooks/`,
    );
    expect(hooks.body.enabled).toBe(false);
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
