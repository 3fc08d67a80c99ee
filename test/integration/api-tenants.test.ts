// The tenant API through the real Worker (workerd, local D1): auth info, organizations, teams, projects,
// DSN keys (changes reach ingest at once), members, user tokens and sntrys_ organization tokens.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseOrgToken } from "../../src/api/token-format.ts";
import { createTenant, envelope, newEventId, send, type Tenant } from "./helpers.ts";
import {
  ALL_SCOPES,
  call,
  createUser,
  orgToken,
  signUpThroughInvite,
  userIdOf,
  userToken,
} from "./tenant-helpers.ts";

type Json = Record<string, unknown>;
type JsonList = Json[];

/** A tenant plus an owner with an all-scopes user token, and a team that owns the tenant's project. */
async function ownedTenant() {
  const t = await createTenant();
  const owner = await createUser(t.orgId, "owner");
  const team = await call<Json>(owner.token, "POST", `/api/0/organizations/${t.orgSlug}/teams/`, {
    slug: "core",
  });
  expect(team.status).toBe(201);
  return { t, owner };
}

function ingestEvent(publicKey: string, projectId: number): Promise<Response> {
  const eventId = newEventId();
  return send(`/api/${projectId}/envelope/`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${publicKey}, sentry_version=7` },
    body: envelope({ event_id: eventId }, [
      { type: "event" },
      JSON.stringify({ event_id: eventId, message: "tenant api test", level: "error" }),
    ]),
  });
}

describe("GET /api/0/", () => {
  it("user token: the user and the token's scopes", async () => {
    const t = await createTenant();
    const user = await createUser(t.orgId, "member", "project:read org:read");
    const res = await call<Json>(user.token, "GET", "/api/0/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      version: "0",
      auth: { scopes: ["org:read", "project:read"] },
      user: { id: String(user.userId), email: user.email, username: user.email },
    });
  });

  it("organization token: no user; no token: nulls; unknown token: 401 Invalid token", async () => {
    const t: Tenant = await createTenant();
    const org = await call<Json>(t.token, "GET", "/api/0/");
    expect(org.body).toMatchObject({ version: "0", user: null, auth: { scopes: expect.any(Array) } });
    expect(await call(null, "GET", "/api/0/").then((r) => r.body)).toEqual({
      version: "0",
      auth: null,
      user: null,
    });
    const bad = await call(`sntryu_${"0".repeat(64)}`, "GET", "/api/0/");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid token" });
  });
});

describe("GET /api/0/auth/ (the MCP server's whoami)", () => {
  it("a user token: that user; an organization token or none: 400; an unknown token: 401", async () => {
    const t = await createTenant();
    const user = await createUser(t.orgId, "member", "org:read");
    const res = await call<Json>(user.token, "GET", "/api/0/auth/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: String(user.userId), email: user.email, username: user.email });
    expect(res.body).toHaveProperty("name");
    for (const token of [t.token, null]) {
      const refused = await call(token, "GET", "/api/0/auth/");
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ detail: expect.any(String) });
    }
    expect((await call(`sntryu_${"0".repeat(64)}`, "GET", "/api/0/auth/")).status).toBe(401);
  });
});

describe("organizations", () => {
  it("lists only the caller's organizations, with the fields sentry-cli needs", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const user = await createUser(a.orgId, "member", "org:read");
    const list = await call<JsonList>(user.token, "GET", "/api/0/organizations/?cursor=");
    expect(list.status).toBe(200);
    expect(list.body.map((o) => o.slug)).toEqual([a.orgSlug]);
    expect(list.body[0]).toMatchObject({
      id: String(a.orgId),
      slug: a.orgSlug,
      name: expect.any(String),
      dateCreated: expect.stringMatching(/Z$/),
      isEarlyAdopter: false,
      require2FA: false,
      requireEmailVerification: false,
      features: [],
      status: { id: "active", name: "active" },
      avatar: expect.any(Object),
      links: { organizationUrl: "http://faultline.test", regionUrl: "http://faultline.test" },
    });
    expect(list.res.headers.get("link")).toContain('rel="next"; results="false"');
    expect(list.text).not.toContain(b.orgSlug);
  });

  it("detail: role, access, teams and projects; others' organizations are 404", async () => {
    const { t, owner } = await ownedTenant();
    const other = await createTenant();
    const detail = await call<Json>(owner.token, "GET", `/api/0/organizations/${t.orgSlug}/`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: String(t.orgId),
      slug: t.orgSlug,
      role: "owner",
      require2FA: false,
      isEarlyAdopter: false,
      features: [],
      teams: [expect.objectContaining({ slug: "core" })],
      projects: [expect.objectContaining({ slug: t.projectSlug })],
    });
    expect(detail.body.access).toContain("member:admin");
    const byId = await call<Json>(owner.token, "GET", `/api/0/organizations/${t.orgId}/`);
    expect(byId.body.slug).toBe(t.orgSlug);
    const foreign = await call(owner.token, "GET", `/api/0/organizations/${other.orgSlug}/`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "The requested resource does not exist" });
  });

  it("POST creates an organization owned by the calling user; slugs are unique; org tokens cannot", async () => {
    const user = await createUser(null, "owner", ALL_SCOPES);
    const slug = `new-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call<Json>(user.token, "POST", "/api/0/organizations/", { name: "New Org", slug });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug, name: "New Org" });
    const role = await env.DB.prepare(
      "SELECT m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.slug = ? AND m.user_id = ?",
    )
      .bind(slug, user.userId)
      .first<{ role: string }>();
    expect(role?.role).toBe("owner");
    const mine = await call<JsonList>(user.token, "GET", "/api/0/organizations/");
    expect(mine.body.map((o) => o.slug)).toEqual([slug]);
    expect((await call(user.token, "GET", `/api/0/organizations/${slug}/`)).status).toBe(200);
    const again = await call<Json>(user.token, "POST", "/api/0/organizations/", { name: "Again", slug });
    expect(again.status).toBe(409);
    const fromName = await call<Json>(user.token, "POST", "/api/0/organizations/", { name: `Named ${slug}` });
    expect(fromName.body.slug).toBe(`named-${slug}`);
    expect((await call(user.token, "POST", "/api/0/organizations/", {})).status).toBe(400);

    const t = await createTenant();
    expect((await call(t.token, "POST", "/api/0/organizations/", { slug: `${slug}-x` })).status).toBe(403);
    const weak = await createUser(null, "owner", "org:read");
    expect((await call(weak.token, "POST", "/api/0/organizations/", { slug: `${slug}-y` })).status).toBe(403);
  });
});

describe("teams", () => {
  it("create, list, detail, conflict, delete (projects stay)", async () => {
    const { t, owner } = await ownedTenant();
    const base = `/api/0/organizations/${t.orgSlug}/teams/`;
    const created = await call<Json>(owner.token, "POST", base, { name: "Platform Team" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: "platform-team",
      name: "Platform Team",
      isMember: true,
      memberCount: 1,
    });
    expect((await call(owner.token, "POST", base, { slug: "platform-team" })).status).toBe(409);
    const list = await call<JsonList>(owner.token, "GET", base);
    expect(list.body.map((x) => x.slug)).toEqual(["core", "platform-team"]);
    const detail = await call<Json>(owner.token, "GET", `/api/0/teams/${t.orgSlug}/platform-team/`);
    expect(detail.body).toMatchObject({ id: created.body.id, organization: { slug: t.orgSlug } });

    const project = await call<Json>(
      owner.token,
      "POST",
      `/api/0/teams/${t.orgSlug}/platform-team/projects/`,
      {
        name: "Gateway",
      },
    );
    expect(project.status).toBe(201);
    const teamProjects = await call<JsonList>(
      owner.token,
      "GET",
      `/api/0/teams/${t.orgSlug}/platform-team/projects/`,
    );
    expect(teamProjects.body.map((p) => p.slug)).toEqual(["gateway"]);
    expect((await call(owner.token, "DELETE", `/api/0/teams/${t.orgSlug}/platform-team/`)).status).toBe(204);
    expect((await call(owner.token, "GET", `/api/0/teams/${t.orgSlug}/platform-team/`)).status).toBe(404);
    const after = await call<Json>(owner.token, "GET", `/api/0/projects/${t.orgSlug}/gateway/`);
    expect(after.status).toBe(200);
    expect(after.body.team).toBeNull();
  });

  it("members cannot create or delete teams", async () => {
    const { t } = await ownedTenant();
    const member = await createUser(t.orgId, "member", ALL_SCOPES);
    expect(
      (await call(member.token, "POST", `/api/0/organizations/${t.orgSlug}/teams/`, { slug: "x" })).status,
    ).toBe(403);
    expect((await call(member.token, "DELETE", `/api/0/teams/${t.orgSlug}/core/`)).status).toBe(403);
    expect((await call(member.token, "GET", `/api/0/teams/${t.orgSlug}/core/`)).status).toBe(200);
  });
});

describe("projects", () => {
  it("lists organizations, teams and projects narrowed by query (name or slug, any case)", async () => {
    const { t, owner } = await ownedTenant();
    for (const name of ["Web Frontend", "Billing API"]) {
      const res = await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, { name });
      expect(res.status).toBe(201);
    }
    const slugs = async (path: string) =>
      (await call<JsonList>(owner.token, "GET", path)).body.map((p) => String(p.slug)).sort();
    expect(await slugs(`/api/0/organizations/${t.orgSlug}/projects/?query=web`)).toEqual(["web-frontend"]);
    expect(await slugs(`/api/0/organizations/${t.orgSlug}/projects/?query=API`)).toEqual(["billing-api"]);
    expect(await slugs(`/api/0/projects/?query=frontend`)).toEqual(["web-frontend"]);
    expect(await slugs(`/api/0/teams/${t.orgSlug}/core/projects/?query=billing`)).toEqual(["billing-api"]);
    expect(await slugs(`/api/0/organizations/${t.orgSlug}/teams/?query=COR`)).toEqual(["core"]);
    expect(await slugs(`/api/0/organizations/${t.orgSlug}/teams/?query=nothing`)).toEqual([]);
    expect(await slugs(`/api/0/organizations/?query=${t.orgSlug.slice(0, 8)}`)).toEqual([t.orgSlug]);
    expect(await slugs(`/api/0/organizations/?query=zzz-no-such`)).toEqual([]);
  });

  it("create under a team with a DSN key that ingests; list; detail", async () => {
    const { t, owner } = await ownedTenant();
    const created = await call<Json>(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, {
      name: "Billing API",
      platform: "rust",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: "billing-api",
      name: "Billing API",
      platform: "rust",
      team: { slug: "core" },
      teams: [expect.objectContaining({ slug: "core" })],
      status: "active",
      hasAccess: true,
      isMember: true,
    });
    const projectId = Number(created.body.id);
    const keys = await call<JsonList>(owner.token, "GET", `/api/0/projects/${t.orgSlug}/billing-api/keys/`);
    expect(keys.body).toHaveLength(1);
    const key = keys.body[0] as { public: string; dsn: { public: string } };
    expect(key.dsn.public).toBe(`http://${key.public}@faultline.test/${projectId}`);
    expect((await ingestEvent(key.public, projectId)).status).toBe(200);

    expect(
      (await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, { slug: "billing-api" }))
        .status,
    ).toBe(409);
    const orgList = await call<JsonList>(
      owner.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/projects/?cursor=`,
    );
    expect(orgList.body.map((p) => p.slug).sort()).toEqual(["billing-api", t.projectSlug].sort());
    const all = await call<JsonList>(owner.token, "GET", "/api/0/projects/");
    expect(all.body.map((p) => p.slug).sort()).toEqual(["billing-api", t.projectSlug].sort());
    expect(all.body[0]?.organization).toMatchObject({ slug: t.orgSlug });
    const detail = await call<Json>(owner.token, "GET", `/api/0/projects/${t.orgSlug}/billing-api/`);
    expect(detail.body).toMatchObject({ id: String(projectId), slug: "billing-api" });
    const byId = await call<Json>(owner.token, "GET", `/api/0/projects/${t.orgSlug}/${projectId}/`);
    expect(byId.body.slug).toBe("billing-api");
  });

  it("paginates with Sentry's Link cursors", async () => {
    const { t, owner } = await ownedTenant();
    for (const slug of ["p-a", "p-b"]) {
      await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, { slug });
    }
    const first = await call<JsonList>(
      owner.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/projects/?per_page=2`,
    );
    expect(first.body).toHaveLength(2);
    const link = first.res.headers.get("link") ?? "";
    expect(link).toMatch(/rel="next"; results="true"; cursor="0:2:0"/);
    const second = await call<JsonList>(
      owner.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/projects/?per_page=2&cursor=0:2:0`,
    );
    expect(second.body).toHaveLength(1);
    expect(second.res.headers.get("link")).toMatch(/rel="next"; results="false"/);
  });

  it("PUT name, slug, platform and rate limit (enforced by ingest); slug conflicts are 400", async () => {
    const { t, owner } = await ownedTenant();
    const path = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    const updated = await call<Json>(owner.token, "PUT", path, {
      name: "Renamed",
      slug: "renamed",
      platform: "python",
      rateLimit: { count: 1, window: 3600 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: "Renamed",
      slug: "renamed",
      platform: "python",
      rateLimit: { count: 1, window: 3600 },
    });
    expect((await call(owner.token, "GET", path)).status).toBe(404);
    expect((await ingestEvent(t.publicKey, t.projectId)).status).toBe(200);
    expect((await ingestEvent(t.publicKey, t.projectId)).status).toBe(429);
    await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, { slug: "taken" });
    const conflict = await call<Json>(owner.token, "PUT", `/api/0/projects/${t.orgSlug}/renamed/`, {
      slug: "taken",
    });
    expect(conflict.status).toBe(400);
    const cleared = await call<Json>(owner.token, "PUT", `/api/0/projects/${t.orgSlug}/renamed/`, {
      rateLimit: null,
    });
    expect(cleared.body.rateLimit).toBeNull();
    expect((await ingestEvent(t.publicKey, t.projectId)).status).toBe(200);
  });

  it("DELETE removes the project, its rows and blobs; its DSN stops working at once", async () => {
    const { t, owner } = await ownedTenant();
    expect((await ingestEvent(t.publicKey, t.projectId)).status).toBe(200);
    await env.BLOBS.put(`projects/${t.projectId}/items/test/blob`, "x");
    const path = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    const member = await createUser(t.orgId, "member", ALL_SCOPES);
    expect((await call(member.token, "DELETE", path)).status).toBe(403);
    expect((await call(owner.token, "DELETE", path)).status).toBe(204);
    expect((await call(owner.token, "GET", path)).status).toBe(404);
    for (const table of ["projects", "project_keys", "events", "outcomes"]) {
      const column = table === "projects" ? "id" : "project_id";
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`)
        .bind(t.projectId)
        .first<{ n: number }>();
      expect(row?.n, table).toBe(0);
    }
    expect((await ingestEvent(t.publicKey, t.projectId)).status).toBe(403);
    let left = 1;
    for (let i = 0; i < 50 && left > 0; i++) {
      left = (await env.BLOBS.list({ prefix: `projects/${t.projectId}/` })).objects.length;
      if (left > 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(left).toBe(0);
  });
});

describe("DSN keys", () => {
  it("create, list, detail, PUT (name, isActive, rateLimit applied by ingest at once), DELETE", async () => {
    const { t, owner } = await ownedTenant();
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/keys/`;
    const created = await call<Json>(owner.token, "POST", base, {
      name: "CI",
      rateLimit: { count: 1, window: 600 },
    });
    expect(created.status).toBe(201);
    const key = created.body as {
      id: string;
      public: string;
      secret: string;
      projectId: number;
      dsn: Record<string, string>;
    };
    expect(created.body).toMatchObject({
      name: "CI",
      label: "CI",
      isActive: true,
      projectId: t.projectId,
      rateLimit: { window: 600, count: 1 },
      browserSdkVersion: expect.any(String),
      dateCreated: expect.any(String),
    });
    expect(key.id).toBe(key.public);
    expect(key.public).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(key.dsn).sort()).toEqual(
      [
        "cdn",
        "crons",
        "csp",
        "integration",
        "minidump",
        "nel",
        "otlp_logs",
        "otlp_traces",
        "playstation",
        "public",
        "secret",
        "security",
        "unreal",
      ].sort(),
    );
    expect(key.dsn.secret).toBe(`http://${key.public}:${key.secret}@faultline.test/${t.projectId}`);

    expect((await ingestEvent(key.public, t.projectId)).status).toBe(200);
    expect((await ingestEvent(key.public, t.projectId)).status).toBe(429);
    const raised = await call<Json>(owner.token, "PUT", `${base}${key.id}/`, {
      rateLimit: { count: 100, window: 60 },
    });
    expect(raised.body.rateLimit).toEqual({ window: 60, count: 100 });
    expect((await ingestEvent(key.public, t.projectId)).status).toBe(200);

    const disabled = await call<Json>(owner.token, "PUT", `${base}${key.id}/`, {
      isActive: false,
      name: "Old CI",
    });
    expect(disabled.body).toMatchObject({ isActive: false, name: "Old CI" });
    expect((await ingestEvent(key.public, t.projectId)).status).toBe(403);
    const inactive = await call<JsonList>(owner.token, "GET", `${base}?status=inactive`);
    expect(inactive.body.map((k) => k.id)).toEqual([key.id]);
    const all = await call<JsonList>(owner.token, "GET", base);
    expect(all.body.map((k) => k.id)).toEqual([t.publicKey, key.id]);
    expect((await call<Json>(owner.token, "GET", `${base}${key.id}/`)).body.id).toBe(key.id);
    expect((await call(owner.token, "PUT", `${base}${key.id}/`, { isActive: "no" })).status).toBe(400);

    expect((await call(owner.token, "DELETE", `${base}${key.id}/`)).status).toBe(204);
    expect((await call(owner.token, "GET", `${base}${key.id}/`)).status).toBe(404);
    expect((await ingestEvent(key.public, t.projectId)).status).toBe(403);
  });

  it("a key of another project is not found under this project", async () => {
    const { t, owner } = await ownedTenant();
    await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, { slug: "second" });
    const res = await call(owner.token, "GET", `/api/0/projects/${t.orgSlug}/second/keys/${t.publicKey}/`);
    expect(res.status).toBe(404);
  });
});

describe("members", () => {
  it("invite by email (pending, link once), duplicate 409, accept, remove; owners are protected", async () => {
    const { t, owner } = await ownedTenant();
    const base = `/api/0/organizations/${t.orgSlug}/members/`;
    const email = `new-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const added = await call<Json>(owner.token, "POST", base, {
      email: email.toUpperCase(),
      orgRole: "admin",
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      email,
      role: "admin",
      orgRole: "admin",
      pending: true,
      expired: false,
      inviteStatus: "approved",
      user: null,
      teams: ["core"],
    });
    const link = added.body.inviteLink as string;
    expect(link).toMatch(
      new RegExp(`^http://faultline\\.test/accept-invite/${added.body.id}/[0-9a-f]{64}/$`),
    );
    expect((await call(owner.token, "POST", base, { email, role: "member" })).status).toBe(409);
    const list = await call<JsonList>(owner.token, "GET", base);
    expect(list.body.map((m) => [m.email, m.pending]).sort()).toEqual(
      [
        [email, true],
        [owner.email, false],
      ].sort(),
    );
    expect(list.text).not.toContain(link.split("/")[5]);
    expect((await call(owner.token, "GET", `${base}${added.body.id}/`)).body).toMatchObject({
      email,
      pending: true,
      user: null,
    });

    expect((await signUpThroughInvite(link, "admin password 1")).status).toBe(303);
    const adminId = await userIdOf(email);
    const accepted = await call<Json>(owner.token, "GET", `${base}${adminId}/`);
    expect(accepted.body).toMatchObject({ id: String(adminId), email, pending: false, user: { email } });
    expect((await call(owner.token, "GET", `${base}${added.body.id}/`)).status).toBe(404);

    const admin = { token: await userToken(adminId, ALL_SCOPES) };
    const third = await call<Json>(admin.token, "POST", base, { email: `m-${email}` });
    expect(third.status).toBe(201);
    expect(third.body.role).toBe("member");
    expect((await call(admin.token, "POST", base, { email: `o-${email}`, role: "owner" })).status).toBe(403);
    expect((await call(admin.token, "DELETE", `${base}${owner.userId}/`)).status).toBe(403);
    expect((await signUpThroughInvite(third.body.inviteLink as string, "member password")).status).toBe(303);
    const thirdId = await userIdOf(`m-${email}`);
    const member = { token: await userToken(thirdId, ALL_SCOPES) };
    expect((await call(member.token, "POST", base, { email: `x-${email}` })).status).toBe(403);
    expect((await call(member.token, "GET", base)).status).toBe(200);

    expect((await call(owner.token, "DELETE", `${base}${owner.userId}/`)).status).toBe(400);
    expect((await call(admin.token, "DELETE", `${base}${thirdId}/`)).status).toBe(204);
    expect((await call(member.token, "GET", base)).status).toBe(404);
    expect((await call(owner.token, "GET", `${base}${adminId}/`)).body).toMatchObject({ email });
    expect((await call(owner.token, "GET", `${base}999999999/`)).status).toBe(404);

    // A cancelled invitation's link stops working.
    const cancelled = await call<Json>(admin.token, "POST", base, { email: `c-${email}` });
    expect((await call(admin.token, "DELETE", `${base}${cancelled.body.id}/`)).status).toBe(204);
    expect((await call(owner.token, "GET", `${base}${cancelled.body.id}/`)).status).toBe(404);
    expect((await send(new URL(cancelled.body.inviteLink as string).pathname)).status).toBe(404);
  });
});

describe("API tokens", () => {
  it("user tokens: create (shown once), use, list without the token, no scope escalation, delete", async () => {
    const t = await createTenant();
    const user = await createUser(t.orgId, "owner", "org:read project:read project:write");
    const created = await call<Json>(user.token, "POST", "/api/0/api-tokens/", {
      name: "deploy",
      scopes: ["project:read"],
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    expect(created.body).toMatchObject({
      name: "deploy",
      scopes: ["project:read"],
      tokenLastCharacters: token.slice(-4),
    });
    const me = await call<Json>(token, "GET", "/api/0/");
    expect(me.body).toMatchObject({ auth: { scopes: ["project:read"] }, user: { email: user.email } });
    const stored = await env.DB.prepare("SELECT token_hash FROM api_tokens WHERE id = ?")
      .bind(Number(created.body.id))
      .first<{ token_hash: string }>();
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.token_hash).not.toContain(token.slice(7, 20));

    const list = await call<JsonList>(user.token, "GET", "/api/0/api-tokens/");
    expect(list.body.map((x) => x.id)).toContain(created.body.id);
    expect(list.text).not.toContain(token);
    expect((await call(user.token, "POST", "/api/0/api-tokens/", { scopes: ["org:admin"] })).status).toBe(
      403,
    );
    expect((await call(user.token, "POST", "/api/0/api-tokens/", { scopes: [] })).status).toBe(400);

    const other = await createUser(t.orgId, "owner");
    expect(
      (await call(other.token, "DELETE", "/api/0/api-tokens/", { tokenId: created.body.id })).status,
    ).toBe(404);
    expect(
      (await call(user.token, "DELETE", "/api/0/api-tokens/", { tokenId: created.body.id })).status,
    ).toBe(204);
    expect((await call(token, "GET", "/api/0/")).status).toBe(401);
    const second = await call<Json>(user.token, "POST", "/api/0/api-tokens/", { scopes: ["org:read"] });
    const byQuery = await call(user.token, "DELETE", `/api/0/api-tokens/?token=${second.body.id}`);
    expect(byQuery.status).toBe(204);
    expect((await call(t.token, "GET", "/api/0/api-tokens/")).status).toBe(403);
  });

  it("records when a token was last used (dateLastUsed), writing at most once a minute", async () => {
    const t = await createTenant();
    const user = await createUser(t.orgId, "owner", "org:read");
    const created = await call<Json>(user.token, "POST", "/api/0/api-tokens/", { scopes: ["org:read"] });
    const id = created.body.id;
    const listed = async () =>
      (await call<JsonList>(user.token, "GET", "/api/0/api-tokens/")).body.find((x) => x.id === id);
    const stored = async () =>
      (
        await env.DB.prepare("SELECT last_used_at FROM api_tokens WHERE id = ?")
          .bind(Number(id))
          .first<{ last_used_at: number | null }>()
      )?.last_used_at;
    expect((await listed())?.dateLastUsed).toBeNull();

    const token = created.body.token as string;
    expect((await call(token, "GET", `/api/0/organizations/${t.orgSlug}/`)).status).toBe(200);
    const first = await stored();
    expect(first).toBeGreaterThan(Date.now() / 1000 - 60);
    const shown = (await listed())?.dateLastUsed;
    expect(shown).toBe(new Date(first! * 1000).toISOString());

    // A second use within the minute writes nothing.
    expect((await call(token, "GET", `/api/0/organizations/${t.orgSlug}/`)).status).toBe(200);
    expect(await stored()).toBe(first);
    expect((await listed())?.dateLastUsed).toBe(shown);

    // Once the recorded use is over a minute old, the next use is recorded.
    await env.DB.prepare("UPDATE api_tokens SET last_used_at = last_used_at - 120 WHERE id = ?")
      .bind(Number(id))
      .run();
    expect((await call(token, "GET", "/api/0/")).status).toBe(200);
    expect(await stored()).toBeGreaterThan(first! - 60);
  });

  it("organization tokens: sntrys_ with this server's URL and the org slug, org:ci, usable by CI, revocable", async () => {
    const { t, owner } = await ownedTenant();
    const base = `/api/0/organizations/${t.orgSlug}/org-auth-tokens/`;
    const created = await call<Json>(owner.token, "POST", base, { name: "GitHub Actions" });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(parseOrgToken(token)).toMatchObject({
      url: "http://faultline.test",
      region_url: "http://faultline.test",
      org: t.orgSlug,
    });
    expect(created.body).toMatchObject({
      name: "GitHub Actions",
      scopes: ["org:ci"],
      tokenLastCharacters: token.slice(-4),
    });

    const me = await call<Json>(token, "GET", "/api/0/");
    expect(me.body).toEqual({ version: "0", auth: { scopes: ["org:ci"] }, user: null });
    const orgDetail = await call<Json>(token, "GET", `/api/0/organizations/${t.orgSlug}/`);
    expect(orgDetail.status).toBe(200);
    const release = await call<Json>(token, "POST", `/api/0/organizations/${t.orgSlug}/releases/`, {
      version: "ci@1.0.0",
      projects: [t.projectSlug],
    });
    expect(release.status).toBe(201);
    expect((await call(token, "GET", `/api/0/organizations/${t.orgSlug}/members/`)).status).toBe(403);
    expect((await call(token, "POST", base, { name: "from ci" })).status).toBe(403);

    const list = await call<JsonList>(owner.token, "GET", base);
    expect(list.body.map((x) => x.name)).toContain("GitHub Actions");
    expect(list.text).not.toContain(token);
    expect((await call<Json>(owner.token, "GET", `${base}${created.body.id}/`)).body.name).toBe(
      "GitHub Actions",
    );
    expect((await call(owner.token, "POST", base, {})).status).toBe(400);
    const member = await createUser(t.orgId, "member");
    expect((await call(member.token, "POST", base, { name: "m" })).status).toBe(403);
    expect((await call(member.token, "GET", base)).status).toBe(200);

    const other = await ownedTenant();
    expect(
      (
        await call(
          other.owner.token,
          "DELETE",
          `/api/0/organizations/${other.t.orgSlug}/org-auth-tokens/${created.body.id}/`,
        )
      ).status,
    ).toBe(404);
    expect((await call(owner.token, "DELETE", `${base}${created.body.id}/`)).status).toBe(204);
    expect((await call(token, "GET", "/api/0/")).status).toBe(401);
  });

  it("org tokens minted with scopes by the admin CLI work like Sentry's", async () => {
    const t = await createTenant();
    const token = await orgToken(t.orgId, "org:ci");
    expect((await call(token, "GET", `/api/0/organizations/${t.orgSlug}/chunk-upload/`)).status).toBe(200);
    expect((await call(token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/keys/`)).status).toBe(
      403,
    );
  });
});
