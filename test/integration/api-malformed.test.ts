// Malformed parameters on every /api/0 route (the route table of api-isolation.test.ts): cursors, ids
// in the path (huge, negative, non-numeric, unicode) and query values. None may answer 5xx; every 4xx
// carries Sentry's `{"detail": ...}` body.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ALERT_RULE, ingestOne, REGISTERED, ROUTES, type RouteCase, routeRequest } from "./api-routes.ts";
import { createTenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

const CURSORS = ["0:99999999999999999999:0", "0:-1:0", "zzz"];

const QUERY_VALUES = [
  "per_page=-1&statsPeriod=zzz",
  "per_page=1e99&statsPeriod=99999999999999999999d",
  `start=garbage&end=1e99&query=${encodeURIComponent('is:unresolved "abc')}`,
  `query=${encodeURIComponent("firstSeen:>zzz age:-99999999999999999999d times_seen:>abc ☃:(")}`,
  "sort=zzz&project=99999999999999999999&environment=%00&id=99999999999999999999&id=abc",
];

const BAD_IDS = ["99999999999999999999", "-1", "%E2%98%83"];

let params: Record<string, string>;
let token: string;

beforeAll(async () => {
  const a = await createTenant();
  const owner = await createUser(a.orgId, "owner");
  token = owner.token;
  expect(
    (await call(token, "POST", `/api/0/organizations/${a.orgSlug}/teams/`, { slug: "core" })).status,
  ).toBe(201);
  await env.DB.prepare(
    "UPDATE projects SET team_id = (SELECT id FROM teams WHERE organization_id = ?) WHERE id = ?",
  )
    .bind(a.orgId, a.projectId)
    .run();
  expect(
    (
      await call(token, "POST", `/api/0/organizations/${a.orgSlug}/releases/`, {
        version: "bad@1.0",
        projects: [a.projectSlug],
      })
    ).status,
  ).toBe(201);
  const orgToken = await call<{ id: string }>(
    token,
    "POST",
    `/api/0/organizations/${a.orgSlug}/org-auth-tokens/`,
    {
      name: "ci",
    },
  );
  const userToken = await call<{ id: string }>(token, "POST", "/api/0/api-tokens/", { scopes: ["org:read"] });
  const { eventId, issueId, attachmentId } = await ingestOne(a);
  const rule = await call<{ id: string }>(
    token,
    "POST",
    `/api/0/projects/${a.orgSlug}/${a.projectSlug}/rules/`,
    ALERT_RULE,
  );
  expect(rule.status).toBe(200);
  const monitor = await call<{ slug: string }>(token, "POST", `/api/0/organizations/${a.orgSlug}/monitors/`, {
    name: "Nightly iso",
    project: a.projectSlug,
    config: { schedule_type: "crontab", schedule: "0 3 * * *" },
  });
  expect(monitor.status).toBe(201);
  params = {
    org: a.orgSlug,
    project: a.projectSlug,
    team: "core",
    keyId: a.publicKey,
    memberId: String(owner.userId),
    tokenId: orgToken.body.id,
    userTokenId: userToken.body.id,
    version: "bad@1.0",
    issueId: String(issueId),
    eventId,
    attachmentId,
    key: "level",
    filter: "localhost",
    ruleId: rule.body.id,
    slug: monitor.body.slug,
  };
});

async function expectWellFormedAnswer(method: string, path: string, body: unknown) {
  const res = await call(token, method, path, body);
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400)
    expect(res.body, `${method} ${path}`).toEqual(expect.objectContaining({ detail: expect.any(String) }));
  return res;
}

const routes = ROUTES.filter((c) => REGISTERED.has(c.route.replace(/\/$/, "")));

/** The same route with one path parameter replaced by a malformed value. */
function withBadParam(
  c: RouteCase,
  name: string,
  value: string,
): { method: string; path: string; body: unknown } {
  const r = routeRequest(c, { ...params, [name]: value });
  return r;
}

describe.each(routes)("$route", (c) => {
  const names = [...c.route.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? "");

  it.skipIf(names.length === 0)("answers malformed path ids with a 4xx and a detail", async () => {
    for (const name of names)
      for (const bad of BAD_IDS) {
        const r = withBadParam(c, name, bad);
        const res = await expectWellFormedAnswer(r.method, r.path, r.body);
        // A malformed id names nothing: never a success on another object.
        if (r.method !== "GET") expect(res.status, `${r.method} ${r.path}`).toBeGreaterThanOrEqual(400);
      }
  });

  it.skipIf(!c.route.startsWith("GET "))(
    "answers malformed cursors and query values without a 5xx",
    async () => {
      const r = routeRequest(c, params);
      const join = r.path.includes("?") ? "&" : "?";
      for (const cursor of CURSORS)
        await expectWellFormedAnswer(
          r.method,
          `${r.path}${join}cursor=${encodeURIComponent(cursor)}`,
          r.body,
        );
      for (const query of QUERY_VALUES)
        await expectWellFormedAnswer(r.method, `${r.path}${join}${query}`, r.body);
    },
  );
});

describe("malformed list parameters", () => {
  it("a cursor beyond any offset is a 400 with a detail, not a database error", async () => {
    const res = await call(
      token,
      "GET",
      `/api/0/organizations/${params.org}/issues/?cursor=0:99999999999999999999:0`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: "Invalid cursor parameter." });
  });

  it("a per_page that is not a positive integer is a 400", async () => {
    for (const perPage of ["-1", "0", "abc", "1e99"]) {
      const res = await call(
        token,
        "GET",
        `/api/0/organizations/${params.org}/projects/?per_page=${perPage}`,
      );
      expect(res.status, perPage).toBe(400);
      expect(res.body).toEqual({ detail: expect.stringContaining("per_page") });
    }
  });
});
