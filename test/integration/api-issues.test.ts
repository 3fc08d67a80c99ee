// Issues and events API through the real Worker: events ingested as SDKs send them, then listed,
// searched, sorted, paged, resolved (and regressed), ignored, assigned, bookmarked, deleted; event
// detail with Sentry's entries; tenant isolation and scopes.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createTenant,
  envelope,
  newEventId,
  postEnvelope,
  send,
  storedPayload,
  type Tenant,
} from "./helpers.ts";
import { ALL_SCOPES, createUser, orgToken } from "./tenant-helpers.ts";

type Json = Record<string, unknown>;

function api(token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return send(path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function apiJson<T = Json>(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
) {
  const res = await api(token, path, init);
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${init.method ?? "GET"} ${path} → ${res.status}: ${text}`);
  expect(res.headers.get("content-type")).toBe("application/json");
  return JSON.parse(text) as T;
}

interface EventOptions {
  fingerprint: string;
  level?: string;
  release?: string;
  environment?: string;
  message?: string;
  exception?: { type: string; value: string };
  tags?: Record<string, string>;
  user?: Json;
  timestamp?: number;
}

function eventPayload(id: string, o: EventOptions): Json {
  return {
    event_id: id,
    timestamp: o.timestamp ?? Date.now() / 1000,
    platform: "python",
    level: o.level ?? "error",
    fingerprint: [o.fingerprint],
    ...(o.release ? { release: o.release } : {}),
    ...(o.environment ? { environment: o.environment } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.user ? { user: o.user } : {}),
    ...(o.message ? { logentry: { formatted: o.message } } : {}),
    ...(o.exception
      ? {
          exception: {
            values: [
              {
                ...o.exception,
                mechanism: { type: "generic", handled: false },
                stacktrace: {
                  frames: [
                    {
                      function: "<module>",
                      filename: "manage.py",
                      module: "manage",
                      lineno: 3,
                      in_app: false,
                    },
                    {
                      function: "load_config",
                      filename: "app/config.py",
                      abs_path: "/srv/app/config.py",
                      module: "app.config",
                      lineno: 22,
                      colno: 5,
                      in_app: true,
                      pre_context: ["def load_config(path):", "    data = read(path)"],
                      context_line: "    return data['key']",
                      post_context: [""],
                      vars: { path: "'/etc/app.toml'" },
                    },
                  ],
                },
              },
            ],
          },
        }
      : {}),
    breadcrumbs: {
      values: [{ timestamp: Date.now() / 1000 - 1, category: "http", message: "GET /health", level: "info" }],
    },
    request: {
      url: "https://shop.example.com/cart",
      method: "POST",
      headers: { "User-Agent": "pytest", "Content-Type": "application/json" },
      query_string: "step=2",
    },
    contexts: { runtime: { name: "CPython", version: "3.12.1" } },
    sdk: { name: "sentry.python", version: "2.19.0" },
  };
}

async function sendEvent(t: Tenant, o: EventOptions): Promise<string> {
  const id = newEventId();
  const res = await postEnvelope(
    t,
    envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(eventPayload(id, o))]),
  );
  expect(res.status).toBe(200);
  return id;
}

async function createRelease(t: Tenant, version: string) {
  const res = await api(t.token, `/api/0/organizations/${t.orgSlug}/releases/`, {
    method: "POST",
    body: { version, projects: [t.projectSlug] },
  });
  expect(res.status).toBe(201);
}

interface IssueJson {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  status: string;
  substatus: string | null;
  statusDetails: Json;
  count: string;
  userCount: number;
  level: string;
  isBookmarked: boolean;
  hasSeen: boolean;
  assignedTo: Json | null;
  project: Json;
  stats?: Record<string, [number, number][]>;
  firstSeen: string;
  lastSeen: string;
  permalink: string;
  tags?: { key: string; totalValues: number; topValues: { value: string; count: number }[] }[];
  firstRelease?: Json | null;
}

const issueIdOf = async (t: Tenant, fingerprint: string): Promise<string> => {
  // The fingerprint is in the whole payload only (the row keeps the fields queries read).
  const { results } = await env.DB.prepare(
    "SELECT event_id, issue_id FROM events WHERE project_id = ? AND issue_id IS NOT NULL",
  )
    .bind(t.projectId)
    .all<{ event_id: string; issue_id: number }>();
  for (const row of results) {
    const payload = JSON.parse(String(await storedPayload(t.projectId, row.event_id)));
    if (payload.fingerprint?.[0] === fingerprint) return String(row.issue_id);
  }
  throw new Error(`no issue for ${fingerprint}`);
};

describe("issues API", () => {
  let t: Tenant;
  let listPath: string;
  let ids: { a: string; b: string; c: string };

  beforeAll(async () => {
    t = await createTenant();
    listPath = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/`;
    await createRelease(t, "1.1");
    await sendEvent(t, {
      fingerprint: "a",
      release: "1.0",
      environment: "production",
      exception: { type: "KeyError", value: "'key'" },
      tags: { browser: "Chrome 120" },
      user: { id: "u1" },
    });
    await sendEvent(t, {
      fingerprint: "b",
      level: "warning",
      environment: "staging",
      message: "hello world",
    });
    for (const user of ["u1", "u2", "u2"]) {
      await sendEvent(t, {
        fingerprint: "c",
        exception: { type: "ValueError", value: "bad cart" },
        user: { id: user },
        release: "1.1",
      });
    }
    ids = { a: await issueIdOf(t, "a"), b: await issueIdOf(t, "b"), c: await issueIdOf(t, "c") };
  });

  it("lists unresolved issues in Sentry's shape with hourly stats and a Link header", async () => {
    const res = await api(t.token, listPath);
    expect(res.status).toBe(200);
    expect(res.headers.get("link")).toContain('rel="next"; results="false"');
    const issues = (await res.json()) as IssueJson[];
    expect(issues.map((i) => i.id).sort()).toEqual([ids.a, ids.b, ids.c].sort());
    const c = issues.find((i) => i.id === ids.c)!;
    expect(c).toMatchObject({
      title: "ValueError: bad cart",
      status: "unresolved",
      substatus: "new",
      count: "3",
      userCount: 2,
      level: "error",
      isBookmarked: false,
      assignedTo: null,
      project: { id: String(t.projectId), slug: t.projectSlug },
    });
    expect(c.shortId).toMatch(new RegExp(`^${t.projectSlug.toUpperCase()}-[0-9A-Z]+$`));
    expect(c.permalink).toContain(`/organizations/${t.orgSlug}/issues/${ids.c}/`);
    const stats = c.stats?.["24h"] ?? [];
    expect(stats).toHaveLength(24);
    expect(stats.reduce((n, [, v]) => n + v, 0)).toBe(3);
    const daily = (await apiJson<IssueJson[]>(t.token, `${listPath}?statsPeriod=14d`))[0]?.stats?.["14d"];
    expect(daily).toHaveLength(14);
    const none = await apiJson<IssueJson[]>(t.token, `${listPath}?statsPeriod=`);
    expect(none[0]?.stats).toBeUndefined();
  });

  it("searches by level, environment, release, tags, free text and negation", async () => {
    const search = async (query: string) =>
      (await apiJson<IssueJson[]>(t.token, `${listPath}?query=${encodeURIComponent(query)}`))
        .map((i) => i.id)
        .sort();
    expect(await search("level:warning")).toEqual([ids.b]);
    expect(await search("!level:error")).toEqual([ids.b]);
    expect(await search("environment:staging")).toEqual([ids.b]);
    expect(await search("release:1.0")).toEqual([ids.a]);
    expect(await search('browser:"Chrome 120"')).toEqual([ids.a]);
    expect(await search("world")).toEqual([ids.b]);
    expect(await search("is:unresolved bad cart")).toEqual([ids.c]);
    expect(await search("times_seen:>2")).toEqual([ids.c]);
    expect(await search("")).toEqual([ids.a, ids.b, ids.c].sort());
    const bad = await api(t.token, `${listPath}?query=is:sleeping`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).detail).toContain("is");
  });

  it("sorts by last seen, first seen, frequency and users", async () => {
    const order = async (sort: string) =>
      (await apiJson<IssueJson[]>(t.token, `${listPath}?sort=${sort}`)).map((i) => i.id);
    expect((await order("freq"))[0]).toBe(ids.c);
    expect((await order("user"))[0]).toBe(ids.c);
    expect(await order("new")).toEqual([ids.c, ids.b, ids.a]);
    expect((await order("date"))[0]).toBe(ids.c);
    expect((await api(t.token, `${listPath}?sort=random`)).status).toBe(400);
  });

  it("serves the issue detail with releases and a tag summary, by id and by short id", async () => {
    const detail = await apiJson<IssueJson>(t.token, `/api/0/issues/${ids.c}/`);
    expect(detail.id).toBe(ids.c);
    expect(detail.firstRelease).toMatchObject({ version: "1.1" });
    const tags = new Map((detail.tags ?? []).map((tag) => [tag.key, tag]));
    expect(tags.get("level")?.topValues[0]).toMatchObject({ value: "error", count: 3 });
    expect(tags.get("user")?.topValues[0]).toMatchObject({ value: "id:u2", count: 2 });
    expect(tags.get("release")?.totalValues).toBe(3);
    const byShort = await apiJson<IssueJson>(
      t.token,
      `/api/0/organizations/${t.orgSlug}/issues/${detail.shortId}/`,
    );
    expect(byShort.id).toBe(ids.c);
    const lookup = await apiJson<IssueJson[]>(t.token, `${listPath}?query=${detail.shortId}`);
    expect(lookup.map((i) => i.id)).toEqual([ids.c]);
  });

  it("resolves through the Durable Object; a new event regresses the issue", async () => {
    const t2 = await createTenant();
    await sendEvent(t2, { fingerprint: "r", exception: { type: "E", value: "x" } });
    const id = await issueIdOf(t2, "r");
    const resolved = await apiJson<IssueJson>(t2.token, `/api/0/issues/${id}/`, {
      method: "PUT",
      body: { status: "resolved" },
    });
    expect(resolved.status).toBe("resolved");
    const path = `/api/0/projects/${t2.orgSlug}/${t2.projectSlug}/issues/`;
    expect(await apiJson<IssueJson[]>(t2.token, path)).toEqual([]);
    expect((await apiJson<IssueJson[]>(t2.token, `${path}?query=is:resolved`)).map((i) => i.id)).toEqual([
      id,
    ]);
    await sendEvent(t2, { fingerprint: "r", exception: { type: "E", value: "x" } });
    const after = await apiJson<IssueJson>(t2.token, `/api/0/issues/${id}/`);
    expect(after).toMatchObject({ status: "unresolved", substatus: "regressed", count: "2" });
    expect((await apiJson<IssueJson[]>(t2.token, `${path}?query=is:regressed`)).map((i) => i.id)).toEqual([
      id,
    ]);
  });

  it("resolves in the next release without regressing on events of the current release", async () => {
    const t2 = await createTenant();
    await createRelease(t2, "app@1.0.0");
    await sendEvent(t2, { fingerprint: "n", release: "app@1.0.0", exception: { type: "E", value: "x" } });
    const id = await issueIdOf(t2, "n");
    const body = await apiJson<IssueJson>(t2.token, `/api/0/organizations/${t2.orgSlug}/issues/${id}/`, {
      method: "PUT",
      body: { status: "resolvedInNextRelease" },
    });
    expect(body).toMatchObject({ status: "resolved", statusDetails: { inNextRelease: true } });
    await sendEvent(t2, { fingerprint: "n", release: "app@1.0.0", exception: { type: "E", value: "x" } });
    expect((await apiJson<IssueJson>(t2.token, `/api/0/issues/${id}/`)).status).toBe("resolved");
    await sendEvent(t2, { fingerprint: "n", release: "app@1.1.0", exception: { type: "E", value: "x" } });
    expect((await apiJson<IssueJson>(t2.token, `/api/0/issues/${id}/`)).substatus).toBe("regressed");
  });

  it("ignores (forever and for a while), reopens, bookmarks, marks seen and assigns", async () => {
    const path = `/api/0/issues/${ids.b}/`;
    const ignored = await apiJson<IssueJson>(t.token, path, { method: "PUT", body: { status: "ignored" } });
    expect(ignored).toMatchObject({ status: "ignored", substatus: "archived_forever" });
    expect((await apiJson<IssueJson[]>(t.token, `${listPath}?query=is:ignored`)).map((i) => i.id)).toEqual([
      ids.b,
    ]);
    const snoozed = await apiJson<IssueJson>(t.token, path, {
      method: "PUT",
      body: { status: "ignored", statusDetails: { ignoreDuration: 30 } },
    });
    expect(snoozed.substatus).toBe("archived_until_condition_met");
    expect(typeof snoozed.statusDetails.ignoreUntil).toBe("string");
    // A snooze that ran out reads back as unresolved.
    await env.DB.prepare(
      "UPDATE issues SET status_details = json_set(status_details, '$.ignoreUntil', 1) WHERE id = ?",
    )
      .bind(Number(ids.b))
      .run();
    expect((await apiJson<IssueJson>(t.token, path)).status).toBe("unresolved");
    expect((await apiJson<IssueJson[]>(t.token, listPath)).map((i) => i.id)).toContain(ids.b);

    const reopened = await apiJson<IssueJson>(t.token, path, {
      method: "PUT",
      body: { status: "unresolved" },
    });
    expect(reopened).toMatchObject({ status: "unresolved", substatus: "ongoing", statusDetails: {} });

    const flags = await apiJson<IssueJson>(t.token, path, {
      method: "PUT",
      body: { isBookmarked: true, hasSeen: true },
    });
    expect(flags).toMatchObject({ isBookmarked: true, hasSeen: true });
    expect((await apiJson<IssueJson[]>(t.token, `${listPath}?query=is:bookmarked`)).map((i) => i.id)).toEqual(
      [ids.b],
    );

    const member = await createUser(t.orgId, "member");
    const assigned = await apiJson<IssueJson>(t.token, path, {
      method: "PUT",
      body: { assignedTo: member.email },
    });
    expect(assigned.assignedTo).toMatchObject({
      type: "user",
      id: String(member.userId),
      email: member.email,
    });
    expect((await apiJson<IssueJson[]>(t.token, `${listPath}?query=is:assigned`)).map((i) => i.id)).toEqual([
      ids.b,
    ]);
    const mine = await apiJson<IssueJson[]>(member.token, `${listPath}?query=assigned:me`);
    expect(mine.map((i) => i.id)).toEqual([ids.b]);
    const stranger = await createUser(null);
    const refused = await api(t.token, path, { method: "PUT", body: { assignedTo: stranger.email } });
    expect(refused.status).toBe(400);
    const cleared = await apiJson<IssueJson>(t.token, path, { method: "PUT", body: { assignedTo: "" } });
    expect(cleared.assignedTo).toBeNull();
    expect(await apiJson<IssueJson[]>(t.token, `${listPath}?query=is:assigned`)).toEqual([]);
  });

  it("serves events of an issue: list, full, latest, oldest, by id, with Sentry's entries", async () => {
    const list = await apiJson<Json[]>(t.token, `/api/0/issues/${ids.c}/events/`);
    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({
      groupID: ids.c,
      projectID: String(t.projectId),
      title: "ValueError: bad cart",
    });
    expect(list[0]?.tags).toContainEqual({ key: "release", value: "1.1" });
    expect(list[0]?.user).toMatchObject({ id: expect.any(String) });

    const full = await apiJson<Json[]>(t.token, `/api/0/issues/${ids.c}/events/?full=true`);
    expect(full[0]?.entries).toBeDefined();

    const latest = await apiJson<Json>(t.token, `/api/0/issues/${ids.c}/events/latest/`);
    const oldest = await apiJson<Json>(t.token, `/api/0/issues/${ids.c}/events/oldest/`);
    expect(latest.eventID).toBe(list[0]?.eventID);
    expect(oldest.eventID).toBe(list[2]?.eventID);
    expect(latest.nextEventID).toBeNull();
    expect(latest.previousEventID).toBe(list[1]?.eventID);
    expect(oldest.previousEventID).toBeNull();
    expect((await apiJson<Json>(t.token, `/api/0/issues/${ids.c}/events/recommended/`)).eventID).toBe(
      latest.eventID,
    );

    const entries = latest.entries as { type: string; data: Json }[];
    expect(entries.map((e) => e.type)).toEqual(["exception", "breadcrumbs", "request"]);
    const exception = entries[0]?.data as {
      values: { type: string; stacktrace: { frames: Json[] } }[];
      hasSystemFrames: boolean;
    };
    expect(exception.hasSystemFrames).toBe(true);
    const frame = exception.values[0]?.stacktrace.frames[1];
    expect(frame).toMatchObject({
      function: "load_config",
      absPath: "/srv/app/config.py",
      lineNo: 22,
      colNo: 5,
      inApp: true,
      context: [
        [20, "def load_config(path):"],
        [21, "    data = read(path)"],
        [22, "    return data['key']"],
        [23, ""],
      ],
    });
    const request = entries[2]?.data;
    expect(request).toMatchObject({ method: "POST", query: [["step", "2"]] });
    expect(latest).toMatchObject({
      groupID: ids.c,
      type: "error",
      platform: "python",
      sdk: { name: "sentry.python", version: "2.19.0" },
      contexts: { runtime: { name: "CPython" } },
      release: { version: "1.1" },
    });
    expect((latest.fingerprints as string[]).length).toBeGreaterThan(0);

    const byId = await apiJson<Json>(t.token, `/api/0/issues/${ids.c}/events/${String(oldest.eventID)}/`);
    expect(byId.eventID).toBe(oldest.eventID);
    const message = await apiJson<Json>(t.token, `/api/0/issues/${ids.b}/events/latest/`);
    expect((message.entries as { type: string; data: Json }[])[0]).toMatchObject({
      type: "message",
      data: { formatted: "hello world" },
    });
    expect((await api(t.token, `/api/0/issues/${ids.b}/events/${String(oldest.eventID)}/`)).status).toBe(404);
  });

  it("serves project events and reads payloads kept in R2", async () => {
    const path = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/`;
    const list = await apiJson<Json[]>(t.token, path);
    expect(list).toHaveLength(5);
    const eventId = String(list[0]?.eventID);
    const key = `projects/${t.projectId}/events/${eventId}.json`;
    await env.BLOBS.put(key, String(await storedPayload(t.projectId, eventId)));
    await env.DB.prepare(
      "UPDATE events SET payload = NULL, payload_key = ?, payload_ref = NULL WHERE project_id = ? AND event_id = ?",
    )
      .bind(key, t.projectId, eventId)
      .run();
    const detail = await apiJson<Json>(t.token, `${path}${eventId}/`);
    expect(detail.eventID).toBe(eventId);
    expect((detail.entries as unknown[]).length).toBeGreaterThan(0);
    expect(detail.size).toBeGreaterThan(0);
    expect((await api(t.token, `${path}${"0".repeat(32)}/`)).status).toBe(404);
    const paged = await api(t.token, `${path}?limit=2`);
    expect(paged.headers.get("link")).toContain('rel="next"; results="true"');
  });

  it("deletes an issue with its events (event:admin), and 404s afterwards", async () => {
    const t2 = await createTenant();
    await sendEvent(t2, { fingerprint: "d", exception: { type: "E", value: "gone" } });
    await sendEvent(t2, { fingerprint: "d", exception: { type: "E", value: "gone" } });
    const id = await issueIdOf(t2, "d");
    expect((await api(t2.token, `/api/0/issues/${id}/`, { method: "DELETE" })).status).toBe(403);
    const admin = await orgToken(t2.orgId, ALL_SCOPES);
    expect((await api(admin, `/api/0/issues/${id}/`, { method: "DELETE" })).status).toBe(202);
    expect((await api(admin, `/api/0/issues/${id}/`)).status).toBe(404);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t2.projectId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const hashes = await env.DB.prepare("SELECT COUNT(*) AS n FROM issue_hashes WHERE project_id = ?")
      .bind(t2.projectId)
      .first<{ n: number }>();
    expect(hashes?.n).toBe(0);
    // The same fingerprint now starts a new issue.
    await sendEvent(t2, { fingerprint: "d", exception: { type: "E", value: "gone" } });
    const again = await issueIdOf(t2, "d");
    expect(again).not.toBe(id);
  });

  it("deletes the bytes of a deleted issue's events: payloads kept in R2 and attachments", async () => {
    const t2 = await createTenant();
    const eventId = newEventId();
    const sent = await postEnvelope(
      t2,
      envelope(
        { event_id: eventId },
        [{ type: "event" }, JSON.stringify(eventPayload(eventId, { fingerprint: "bytes" }))],
        [{ type: "attachment", filename: "log.txt", content_type: "text/plain" }, "attached bytes"],
      ),
    );
    expect(sent.status).toBe(200);
    const attachment = await env.DB.prepare(
      "SELECT blob_key FROM attachments WHERE project_id = ? AND event_id = ?",
    )
      .bind(t2.projectId, eventId)
      .first<{ blob_key: string }>();
    expect(attachment).not.toBeNull();
    expect(await env.BLOBS.head(attachment!.blob_key)).not.toBeNull();
    const id = await issueIdOf(t2, "bytes");
    // The payload as a large one is stored: in R2, named by the row.
    const payloadKey = `projects/${t2.projectId}/events/${eventId}.json`;
    await env.BLOBS.put(payloadKey, String(await storedPayload(t2.projectId, eventId)));
    await env.DB.prepare(
      "UPDATE events SET payload = NULL, payload_key = ?, payload_ref = NULL WHERE project_id = ? AND event_id = ?",
    )
      .bind(payloadKey, t2.projectId, eventId)
      .run();

    const admin = await orgToken(t2.orgId, ALL_SCOPES);
    expect((await api(admin, `/api/0/issues/${id}/`, { method: "DELETE" })).status).toBe(202);
    expect(await env.BLOBS.head(payloadKey)).toBeNull();
    expect(await env.BLOBS.head(attachment!.blob_key)).toBeNull();
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM attachments WHERE project_id = ?")
      .bind(t2.projectId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("bulk-updates and bulk-deletes by id, and by query", async () => {
    const t2 = await createTenant();
    for (const f of ["x", "y", "z"])
      await sendEvent(t2, { fingerprint: f, exception: { type: "E", value: f } });
    const [x, y, z] = [await issueIdOf(t2, "x"), await issueIdOf(t2, "y"), await issueIdOf(t2, "z")];
    const path = `/api/0/projects/${t2.orgSlug}/${t2.projectSlug}/issues/`;
    const result = await apiJson<Json>(t2.token, `${path}?id=${x}&id=${y}`, {
      method: "PUT",
      body: { status: "resolved" },
    });
    expect(result).toMatchObject({ status: "resolved", statusDetails: {} });
    expect((await apiJson<IssueJson[]>(t2.token, path)).map((i) => i.id)).toEqual([z]);
    // Ids of another tenant's issues match nothing here.
    const foreign = await api(t2.token, `${path}?id=${ids.a}`, {
      method: "PUT",
      body: { status: "resolved" },
    });
    expect(foreign.status).toBe(204);
    expect((await apiJson<IssueJson>(t.token, `/api/0/issues/${ids.a}/`)).status).not.toBe("resolved");
    // Without ids: everything the query matches (default is:unresolved), as sentry-cli's `--all`.
    const all = await apiJson<Json>(t2.token, path, { method: "PUT", body: { status: "ignored" } });
    expect(all.status).toBe("ignored");
    expect((await apiJson<IssueJson>(t2.token, `/api/0/issues/${z}/`)).status).toBe("ignored");
    expect((await apiJson<IssueJson>(t2.token, `/api/0/issues/${x}/`)).status).toBe("resolved");
    // sentry-cli's `issues unresolve --status resolved`.
    await apiJson<Json>(t2.token, `${path}?status=resolved`, {
      method: "PUT",
      body: { status: "unresolved" },
    });
    expect((await apiJson<IssueJson>(t2.token, `/api/0/issues/${x}/`)).status).toBe("unresolved");

    const admin = await orgToken(t2.orgId, ALL_SCOPES);
    expect((await api(admin, `${path}?id=${x}&id=${z}`, { method: "DELETE" })).status).toBe(204);
    const left = await apiJson<IssueJson[]>(admin, `${path}?query=`);
    expect(left.map((i) => i.id)).toEqual([y]);
  });

  it("pages through 250 issues with the Link cursor in a stable order", async () => {
    const t2 = await createTenant();
    const now = Date.now() / 1000;
    const statements = Array.from({ length: 250 }, (_, k) =>
      env.DB.prepare(
        `INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, metadata,
           first_seen, last_seen, times_seen) VALUES (?, ?, 'error', ?, '', 'error', 'python', '{}', ?, ?, 1)`,
      ).bind(t2.projectId, `hash${k}`, `Issue ${k}`, now, now - (k % 5)),
    );
    await env.DB.batch(statements);
    let path: string | null = `/api/0/projects/${t2.orgSlug}/${t2.projectSlug}/issues/?limit=100`;
    const seen: string[] = [];
    let pages = 0;
    while (path) {
      const res: Response = await api(t2.token, path);
      expect(res.status).toBe(200);
      const page = (await res.json()) as IssueJson[];
      seen.push(...page.map((i) => i.id));
      pages += 1;
      const link = res.headers.get("link") ?? "";
      const next = /<([^>]+)>; rel="next"; results="(true|false)"; cursor="([^"]+)"/.exec(link);
      expect(res.headers.get("x-hits")).toBe("250");
      path = next && next[2] === "true" ? new URL(next[1]!).pathname + new URL(next[1]!).search : null;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const shortIds = await apiJson<IssueJson[]>(
      t2.token,
      `/api/0/projects/${t2.orgSlug}/${t2.projectSlug}/issues/?limit=1&sort=new`,
    );
    expect(shortIds[0]?.shortId).toMatch(/-[0-9A-Z]+$/);
  });

  it("lists across an organization, filtered by project", async () => {
    const path = `/api/0/organizations/${t.orgSlug}/issues/`;
    const all = await apiJson<IssueJson[]>(t.token, `${path}?query=`);
    expect(all.length).toBe(3);
    const filtered = await apiJson<IssueJson[]>(
      t.token,
      `${path}?project=${t.projectId}&query=level:warning`,
    );
    expect(filtered.map((i) => i.id)).toEqual([ids.b]);
    const other = await createTenant();
    expect((await api(t.token, `${path}?project=${other.projectId}`)).status).toBe(403);
  });

  it("answers another tenant's token with 404 and a token without the scope with 403", async () => {
    const other = await createTenant();
    const paths = [
      `/api/0/issues/${ids.a}/`,
      `/api/0/organizations/${t.orgSlug}/issues/${ids.a}/`,
      `/api/0/issues/${ids.a}/events/`,
      `/api/0/issues/${ids.a}/events/latest/`,
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/`,
      `/api/0/organizations/${t.orgSlug}/issues/`,
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/`,
    ];
    for (const path of paths) {
      const res = await api(other.token, path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ detail: "The requested resource does not exist" });
    }
    // The other tenant's org route with this issue id: still 404 (not the other org's issue).
    expect((await api(other.token, `/api/0/organizations/${other.orgSlug}/issues/${ids.a}/`)).status).toBe(
      404,
    );
    for (const method of ["PUT", "DELETE"]) {
      const res = await api(other.token, `/api/0/issues/${ids.a}/`, { method, body: { status: "resolved" } });
      expect(res.status).toBe(404);
    }
    const bulk = await api(other.token, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?id=${ids.a}`, {
      method: "PUT",
      body: { status: "resolved" },
    });
    expect(bulk.status).toBe(404);
    const readOnly = await orgToken(t.orgId, "org:read");
    expect((await api(readOnly, `/api/0/issues/${ids.a}/`)).status).toBe(403);
    expect((await api(readOnly, listPath)).status).toBe(403);
    const reader = await orgToken(t.orgId, "event:read project:read org:read");
    expect(
      (await api(reader, `/api/0/issues/${ids.a}/`, { method: "PUT", body: { hasSeen: true } })).status,
    ).toBe(403);
    expect((await api(t.token, `/api/0/issues/${ids.a}/`)).status).toBe(200);
  });
});

describe("the organization's issue list, bounded by statsPeriod or start and end (Sentry's date range)", () => {
  it("keeps only the issues seen within the range; without one, every issue", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    await sendEvent(t, { fingerprint: "recent", message: "seen an hour ago", timestamp: now - 3600 });
    await sendEvent(t, { fingerprint: "older", message: "seen three days ago", timestamp: now - 3 * 86400 });
    const recent = await issueIdOf(t, "recent");
    const older = await issueIdOf(t, "older");
    const list = async (query: string) =>
      (await apiJson<IssueJson[]>(t.token, `/api/0/organizations/${t.orgSlug}/issues/?query=${query}`))
        .map((i) => i.id)
        .sort();
    const both = [recent, older].sort();
    expect(await list("")).toEqual(both);
    expect(await list("&statsPeriod=24h")).toEqual([recent]);
    expect(await list("&statsPeriod=14d")).toEqual(both);
    expect(await list("&statsPeriod=")).toEqual(both);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    expect(await list(`&start=${iso(now - 4 * 86400)}&end=${iso(now - 2 * 86400)}`)).toEqual([older]);
    // The project's list (sentry-cli's) reads statsPeriod as the stats' resolution only, as Sentry does.
    const projectList = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=&statsPeriod=24h`;
    expect((await apiJson<IssueJson[]>(t.token, projectList)).map((i) => i.id).sort()).toEqual(both);
  });
});

describe("an issue's events, filtered as Sentry's issue events endpoint (the MCP server's search)", () => {
  it("reads query, statsPeriod or start and end, and sort", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const old = await sendEvent(t, {
      fingerprint: "f",
      environment: "prod",
      message: "checkout failed early",
      timestamp: now - 3 * 86400,
    });
    const prod = await sendEvent(t, {
      fingerprint: "f",
      environment: "prod",
      message: "checkout failed",
      timestamp: now - 600,
    });
    const dev = await sendEvent(t, {
      fingerprint: "f",
      environment: "dev",
      message: "checkout failed",
      timestamp: now - 300,
    });
    const issue = await issueIdOf(t, "f");
    const ids = async (query: string) =>
      (
        await apiJson<{ eventID: string }[]>(
          t.token,
          `/api/0/organizations/${t.orgSlug}/issues/${issue}/events/?${query}`,
        )
      ).map((e) => e.eventID);
    expect(await ids("")).toEqual([dev, prod, old]);
    expect(await ids("query=environment:prod")).toEqual([prod, old]);
    expect(await ids("query=environment:prod&statsPeriod=1h")).toEqual([prod]);
    expect(await ids(`query=${encodeURIComponent('"failed early"')}`)).toEqual([old]);
    expect(await ids("sort=timestamp")).toEqual([old, prod, dev]);
    const iso = (s: number) => new Date(s * 1000).toISOString();
    expect(await ids(`start=${iso(now - 4 * 86400)}&end=${iso(now - 86400)}`)).toEqual([old]);
    const bad = await api(t.token, `/api/0/organizations/${t.orgSlug}/issues/${issue}/events/?sort=-count`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: expect.any(String) });
  });
});

describe("isUnhandled in the issue list", () => {
  it("is the newest event's, as on the issue's own page", async () => {
    const t = await createTenant();
    await sendEvent(t, { fingerprint: "crash", exception: { type: "KeyError", value: "'k'" } });
    await sendEvent(t, { fingerprint: "note", message: "just a message" });
    const crash = await issueIdOf(t, "crash");
    const note = await issueIdOf(t, "note");
    const list = await apiJson<(IssueJson & { isUnhandled: boolean })[]>(
      t.token,
      `/api/0/organizations/${t.orgSlug}/issues/?query=`,
    );
    const flags = Object.fromEntries(list.map((i) => [i.id, i.isUnhandled]));
    expect(flags).toEqual({ [crash]: true, [note]: false });
    const detail = await apiJson<{ isUnhandled: boolean }>(t.token, `/api/0/issues/${crash}/`);
    expect(detail.isUnhandled).toBe(true);
  });
});
