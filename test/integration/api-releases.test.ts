// Releases and deploys through the real Worker (workerd, local D1): sentry-cli's calls and answers,
// idempotent create, per-release new-issue counts, release order, scopes and tenant isolation.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { releaseComparatorFor } from "../../src/api/release-order.ts";
import { sha256Hex } from "../../src/api/tokens.ts";
import { releaseSeenStatements } from "../../src/db/ingest-writes.ts";
import { newestReleaseFor } from "../../src/db/releases.ts";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await send(path, {
    method,
    headers: { ...bearer(token), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (text !== "") expect(res.headers.get("content-type")).toBe("application/json");
  return {
    status: res.status,
    body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>),
    res,
  };
}

async function tokenWith(t: Tenant, scopes: string): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = `sntryu_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  await env.DB.prepare(
    "INSERT INTO api_tokens (token_hash, token_last_characters, name, organization_id, scopes, created_at) VALUES (?, ?, 'scoped', ?, ?, ?)",
  )
    .bind(await sha256Hex(token), token.slice(-4), t.orgId, scopes, Date.now() / 1000)
    .run();
  return token;
}

async function addProject(t: Tenant, slug: string): Promise<number> {
  const row = await env.DB.prepare(
    "INSERT INTO projects (organization_id, slug, name, platform, created_at) VALUES (?, ?, ?, 'rust', ?) RETURNING id",
  )
    .bind(t.orgId, slug, slug.toUpperCase(), Date.now() / 1000)
    .first<{ id: number }>();
  return row?.id ?? 0;
}

async function addIssue(projectId: number, firstRelease: string, lastRelease: string, seenAt: number) {
  await env.DB.prepare(
    `INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, metadata,
       first_seen, last_seen, times_seen, first_release, last_release)
     VALUES (?, ?, 'error', 't', 'c', 'error', 'native', '{}', ?, ?, 1, ?, ?)`,
  )
    .bind(projectId, crypto.randomUUID(), seenAt, seenAt + 60, firstRelease, lastRelease)
    .run();
}

const orgReleases = (t: Tenant) => `/api/0/organizations/${t.orgSlug}/releases/`;
const releasePath = (t: Tenant, version: string) => `${orgReleases(t)}${encodeURIComponent(version)}/`;

describe("releases: sentry-cli's commands", () => {
  it("new (201), again (208), finalize, info, list, delete", async () => {
    const t = await createTenant();
    const created = await call(t.token, "POST", orgReleases(t), {
      version: "orderd@0.3.1",
      projects: [t.projectSlug],
      dateStarted: "2026-11-24T06:52:16.365495929Z",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: "orderd@0.3.1",
      shortVersion: "orderd@0.3.1",
      status: "open",
      dateReleased: null,
      newGroups: 0,
      lastCommit: null,
      deployCount: 0,
      projects: [{ id: t.projectId, slug: t.projectSlug, name: expect.any(String), newGroups: 0 }],
    });
    expect(typeof created.body?.dateCreated).toBe("string");

    const again = await call(t.token, "POST", orgReleases(t), {
      version: "orderd@0.3.1",
      projects: [t.projectSlug],
    });
    expect(again.status).toBe(208);
    expect(again.body?.id).toBe(created.body?.id);

    const finalized = await call(t.token, "PUT", releasePath(t, "orderd@0.3.1"), {
      projects: [t.projectSlug],
      dateReleased: "2026-11-24T06:52:16.426725617Z",
    });
    expect(finalized.status).toBe(200);
    expect(finalized.body?.dateReleased).toBe("2026-11-24T06:52:16.426Z");

    const info = await call(t.token, "GET", releasePath(t, "orderd@0.3.1"));
    expect(info.body).toMatchObject({ version: "orderd@0.3.1", dateReleased: "2026-11-24T06:52:16.426Z" });

    const list = await call(t.token, "GET", `${orgReleases(t)}?cursor=`);
    expect((list.body as unknown as { version: string }[]).map((r) => r.version)).toEqual(["orderd@0.3.1"]);
    expect(list.res.headers.get("link")).toContain('rel="next"; results="false"');

    const deleted = await call(t.token, "DELETE", releasePath(t, "orderd@0.3.1"));
    expect(deleted.status).toBe(204);
    expect((await call(t.token, "GET", releasePath(t, "orderd@0.3.1"))).status).toBe(404);
    expect((await call(t.token, "DELETE", releasePath(t, "orderd@0.3.1"))).status).toBe(404);
  });

  it("new --finalize with a numeric project id; archive and restore through create", async () => {
    const t = await createTenant();
    const res = await call(t.token, "POST", orgReleases(t), {
      version: "2.0",
      projects: [t.projectId],
      dateReleased: "2026-01-01T00:00:00Z",
    });
    expect(res.status).toBe(201);
    expect(res.body?.dateReleased).toBe("2026-01-01T00:00:00.000Z");
    const archived = await call(t.token, "POST", orgReleases(t), {
      version: "2.0",
      projects: [],
      status: "archived",
    });
    expect(archived).toMatchObject({ status: 208, body: { status: "archived" } });
    const restored = await call(t.token, "POST", orgReleases(t), {
      version: "2.0",
      projects: [],
      status: "open",
    });
    expect(restored.body?.status).toBe("open");
  });

  it("adding a project to an existing release is a 201", async () => {
    const t = await createTenant();
    const second = await addProject(t, `second-${t.projectId}`);
    await call(t.token, "POST", orgReleases(t), { version: "3", projects: [t.projectSlug] });
    const added = await call(t.token, "POST", orgReleases(t), { version: "3", projects: [second] });
    expect(added.status).toBe(201);
    expect(((added.body?.projects ?? []) as { id: number }[]).map((p) => p.id).sort()).toEqual(
      [t.projectId, second].sort(),
    );
  });

  it("refuses unknown and foreign projects with Sentry's field error", async () => {
    const t = await createTenant();
    const other = await createTenant();
    for (const projects of [["nope"], [other.projectSlug], [other.projectId]]) {
      const res = await call(t.token, "POST", orgReleases(t), { version: "1", projects });
      expect(res).toMatchObject({ status: 400, body: { projects: ["Invalid project slugs"] } });
    }
    expect((await call(t.token, "POST", orgReleases(t), { version: "latest", projects: [] })).status).toBe(
      400,
    );
    expect((await call(t.token, "GET", releasePath(t, "1"))).status).toBe(404);
  });

  it("stores commits and refs, shows lastCommit, serves commits and previous-with-commits", async () => {
    const t = await createTenant();
    await call(t.token, "POST", orgReleases(t), { version: "a", projects: [t.projectSlug] });
    expect((await call(t.token, "GET", `${releasePath(t, "a")}previous-with-commits/`)).body).toEqual({});
    const commits = [
      {
        id: "b".repeat(40),
        message: "newer",
        repository: "r",
        author_name: "A",
        author_email: "a@x",
        timestamp: "2026-01-02T03:00:00+03:00",
      },
      { id: "a".repeat(40), message: "older" },
    ];
    const refs = [{ repository: "r", commit: "b".repeat(40), previousCommit: null }];
    const put = await call(t.token, "PUT", releasePath(t, "a"), { commits, refs });
    // Commit dates are UTC and never null, as Sentry serializes them (its MCP server refuses anything else):
    // a commit without a timestamp is dated by its release.
    expect(put.body).toMatchObject({
      commitCount: 2,
      lastCommit: { id: "b".repeat(40), message: "newer", dateCreated: "2026-01-02T00:00:00.000Z" },
    });
    const expected = [
      {
        id: "b".repeat(40),
        message: "newer",
        dateCreated: "2026-01-02T00:00:00.000Z",
        author: { name: "A", email: "a@x" },
        repository: { name: "r" },
      },
      {
        id: "a".repeat(40),
        message: "older",
        dateCreated: put.body?.dateCreated,
        author: null,
        repository: null,
      },
    ];
    expect((await call(t.token, "GET", `${releasePath(t, "a")}commits/`)).body).toEqual(expected);
    const projectPath = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/a/commits/`;
    expect((await call(t.token, "GET", projectPath)).body).toEqual(expected);
    await call(t.token, "POST", orgReleases(t), { version: "b", projects: [t.projectSlug] });
    const previous = await call(t.token, "GET", `${releasePath(t, "b")}previous-with-commits/`);
    expect(previous.body).toMatchObject({ version: "a", lastCommit: { id: "b".repeat(40) } });
  });
});

describe("release lists, counts and deploys", () => {
  it("counts new issues per project, shows first/last events, pages with Link", async () => {
    const t = await createTenant();
    const second = await addProject(t, `p2-${t.projectId}`);
    for (const v of ["1.0", "1.1", "1.2"]) {
      await call(t.token, "POST", orgReleases(t), { version: v, projects: [t.projectId, second] });
    }
    await addIssue(t.projectId, "1.1", "1.2", 1_800_000_000);
    await addIssue(t.projectId, "1.1", "1.1", 1_800_000_100);
    await addIssue(second, "1.1", "1.1", 1_700_000_000);
    // The last event is the newest event ingested with the release (its per-release row), an issue of
    // the other project whose last release it is included.
    const seen = Math.floor(Date.now() / 1000) - 100;
    const event_id = newEventId();
    const event = { event_id, timestamp: seen, level: "error", release: "1.1", message: "late" };
    expect(
      (await postEnvelope(t, envelope({ event_id }, [{ type: "event" }, JSON.stringify(event)]))).status,
    ).toBe(200);
    const detail = await call(t.token, "GET", releasePath(t, "1.1"));
    expect(detail.body).toMatchObject({ newGroups: 4, firstEvent: "2023-11-14T22:13:20.000Z" });
    expect(detail.body?.lastEvent).toBe(new Date(seen * 1000).toISOString());
    const perProject = Object.fromEntries(
      ((detail.body?.projects ?? []) as { id: number; newGroups: number }[]).map((p) => [p.id, p.newGroups]),
    );
    expect(perProject).toEqual({ [t.projectId]: 3, [second]: 1 });
    // A release referenced as an issue's first release cannot be deleted (Sentry's rule).
    expect((await call(t.token, "DELETE", releasePath(t, "1.1"))).status).toBe(400);

    const page1 = await call(t.token, "GET", `${orgReleases(t)}?per_page=2`);
    expect((page1.body as unknown as { version: string }[]).map((r) => r.version)).toEqual(["1.2", "1.1"]);
    const link = page1.res.headers.get("link") ?? "";
    expect(link).toContain('rel="next"; results="true"; cursor="0:2:0"');
    const page2 = await call(t.token, "GET", `${orgReleases(t)}?per_page=2&cursor=0:2:0`);
    expect((page2.body as unknown as { version: string }[]).map((r) => r.version)).toEqual(["1.0"]);
    const filtered = await call(t.token, "GET", `${orgReleases(t)}?query=1.2`);
    expect((filtered.body as unknown as unknown[]).length).toBe(1);
  });

  it("lists a project's releases only, and 404s a release of another project", async () => {
    const t = await createTenant();
    const second = await addProject(t, `other-${t.projectId}`);
    await call(t.token, "POST", orgReleases(t), { version: "mine", projects: [t.projectSlug] });
    await call(t.token, "POST", orgReleases(t), { version: "theirs", projects: [second] });
    const list = await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/`);
    expect((list.body as unknown as { version: string }[]).map((r) => r.version)).toEqual(["mine"]);
    const foreign = await call(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/theirs/`,
    );
    expect(foreign.status).toBe(404);
    const created = await call(t.token, "POST", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/`, {
      version: "via-project",
    });
    expect(created).toMatchObject({ status: 201, body: { projects: [{ id: t.projectId }] } });
  });

  it("creates and lists deploys (deploys new / list)", async () => {
    const t = await createTenant();
    await call(t.token, "POST", orgReleases(t), { version: "orderd@0.3.1", projects: [t.projectSlug] });
    const path = `${releasePath(t, "orderd@0.3.1")}deploys/`;
    const deploy = await call(t.token, "POST", path, {
      environment: "production",
      name: null,
      url: null,
      dateStarted: null,
      dateFinished: "2026-11-24T06:52:16.486820496Z",
    });
    expect(deploy).toMatchObject({
      status: 201,
      body: {
        environment: "production",
        name: null,
        url: null,
        dateStarted: null,
        dateFinished: "2026-11-24T06:52:16.486Z",
      },
    });
    await call(t.token, "POST", path, { environment: "staging", name: "second" });
    const list = await call(t.token, "GET", path);
    expect((list.body as unknown as { environment: string }[]).map((d) => d.environment)).toEqual([
      "staging",
      "production",
    ]);
    const release = await call(t.token, "GET", releasePath(t, "orderd@0.3.1"));
    expect(release.body).toMatchObject({
      deployCount: 2,
      lastDeploy: { environment: "staging", name: "second" },
    });
    expect((await call(t.token, "POST", path, { name: "no env" })).status).toBe(400);
    expect(
      (await call(t.token, "POST", `${releasePath(t, "missing")}deploys/`, { environment: "p" })).status,
    ).toBe(404);
  });
});

describe("release scopes and tenants", () => {
  it("lets org CI tokens (org:ci) create and read releases, but not event-only tokens", async () => {
    const t = await createTenant();
    const ci = await tokenWith(t, "org:ci");
    expect(
      (await call(ci, "POST", orgReleases(t), { version: "ci", projects: [t.projectSlug] })).status,
    ).toBe(201);
    expect((await call(ci, "GET", releasePath(t, "ci"))).status).toBe(200);
    expect((await call(ci, "POST", `${releasePath(t, "ci")}deploys/`, { environment: "p" })).status).toBe(
      201,
    );
    const events = await tokenWith(t, "event:read");
    expect((await call(events, "GET", orgReleases(t))).status).toBe(403);
    expect((await call(events, "POST", orgReleases(t), { version: "x", projects: [] })).status).toBe(403);
    const reader = await tokenWith(t, "project:read");
    expect((await call(reader, "GET", orgReleases(t))).status).toBe(200);
    expect((await call(reader, "PUT", releasePath(t, "ci"), { url: "u" })).status).toBe(403);
  });

  it("answers 404 for every release route of another organization", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await call(a.token, "POST", orgReleases(a), { version: "secret", projects: [a.projectSlug] });
    const routes: [string, string, unknown?][] = [
      ["GET", orgReleases(a)],
      ["POST", orgReleases(a), { version: "x", projects: [] }],
      ["GET", releasePath(a, "secret")],
      ["PUT", releasePath(a, "secret"), { url: "u" }],
      ["DELETE", releasePath(a, "secret")],
      ["GET", `${releasePath(a, "secret")}deploys/`],
      ["POST", `${releasePath(a, "secret")}deploys/`, { environment: "p" }],
      ["GET", `${releasePath(a, "secret")}commits/`],
      ["GET", `/api/0/projects/${a.orgSlug}/${a.projectSlug}/releases/`],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(b.token, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ detail: "The requested resource does not exist" });
    }
    // B's own organization does not have A's release either.
    expect((await call(b.token, "GET", releasePath(b, "secret"))).status).toBe(404);
  });
});

describe("release order for resolutions", () => {
  it("orders by COALESCE(date_released, date_added), falls back to semver, finds the newest", async () => {
    const t = await createTenant();
    expect(await newestReleaseFor(env.DB, t.projectId)).toBeNull();
    // Created in this order, but 1.0.0 is finalized last: it is the newest by release date.
    await call(t.token, "POST", orgReleases(t), { version: "app@1.0.0", projects: [t.projectSlug] });
    await call(t.token, "POST", orgReleases(t), {
      version: "app@2.0.0",
      projects: [t.projectSlug],
      dateReleased: "2020-01-01T00:00:00Z",
    });
    await call(t.token, "PUT", releasePath(t, "app@1.0.0"), { dateReleased: "2030-01-01T00:00:00Z" });
    const compare = await releaseComparatorFor(env.DB, t.orgId);
    expect(compare("app@1.0.0", "app@2.0.0")).toBeGreaterThan(0);
    expect(compare("app@2.0.0", "app@1.0.0")).toBeLessThan(0);
    // Not releases of this organization: semantic versions decide, or nothing does.
    expect(compare("app@3.0.0", "app@2.5.0")).toBeGreaterThan(0);
    expect(compare("nightly", "app@2.0.0")).toBeNull();
    const only = await releaseComparatorFor(env.DB, t.orgId, ["app@1.0.0", "app@2.0.0"]);
    expect(only("app@1.0.0", "app@2.0.0")).toBeGreaterThan(0);
    expect(await newestReleaseFor(env.DB, t.projectId)).toBe("app@1.0.0");
  });

  it("records releases seen at ingest idempotently", async () => {
    const t = await createTenant();
    for (let i = 0; i < 2; i++) {
      await env.DB.batch(releaseSeenStatements(env.DB, t.orgId, t.projectId, "seen@1", Date.now() / 1000));
    }
    const list = await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/`);
    expect((list.body as unknown as { version: string }[]).map((r) => r.version)).toEqual(["seen@1"]);
  });
});

describe("an issue's first release through ingest", () => {
  it("is the release of its first event that names one, and stays that as later releases come", async () => {
    const t = await createTenant();
    const panic = (release: string | undefined, at: number) => {
      const event_id = newEventId();
      const body = {
        event_id,
        timestamp: at,
        platform: "rust",
        level: "error",
        ...(release ? { release } : {}),
        exception: { values: [{ type: "panic", value: "index out of bounds" }] },
      };
      return postEnvelope(t, envelope({ event_id }, [{ type: "event" }, JSON.stringify(body)]));
    };
    const now = Math.floor(Date.now() / 1000);
    expect((await panic(undefined, now - 30)).status).toBe(200);
    expect((await panic("app@2.0", now - 20)).status).toBe(200);
    expect((await panic("app@3.0", now - 10)).status).toBe(200);
    const issues = await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/`);
    const list = issues.body as unknown as { id: string }[];
    expect(list).toHaveLength(1);
    const issue = await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/issues/${list[0]?.id}/`);
    expect(issue.body).toMatchObject({
      count: "3",
      firstRelease: { version: "app@2.0" },
      lastRelease: { version: "app@3.0" },
    });
    expect((await call(t.token, "GET", releasePath(t, "app@2.0"))).body).toMatchObject({ newGroups: 1 });
    expect((await call(t.token, "GET", releasePath(t, "app@3.0"))).body).toMatchObject({ newGroups: 0 });
  });
});
