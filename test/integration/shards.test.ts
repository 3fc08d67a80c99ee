// Organizations on different event shards (docs/scaling.md): the placement puts a new organization
// on the least full shard; ingest writes each organization's events, issues, spans and logs to its own
// shard only; the REST API finds an issue by id on the second shard and never answers another
// organization's issue id, short id or event id.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { projectPrefix } from "../../src/blobs/keys.ts";
import { sweepUnreferencedBlobs } from "../../src/blobs/sweep.ts";
import {
  ISSUE_ID_SPAN,
  organizationsPerShard,
  placeNewOrganization,
  shardDb,
  shardNames,
} from "../../src/db/shards.ts";
import {
  createTenant,
  envelope,
  eventRow,
  issuesOf,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { createTenantOnShard, shardOf } from "./shard-helpers.ts";
import { call } from "./tenant-helpers.ts";

interface Sent {
  eventId: string;
  issueId: number;
  shortId: string;
}

/** An error event, a transaction with one span and a log record for `t`, through the ingest endpoint. */
async function ingestAll(t: Tenant, message: string): Promise<Sent> {
  const eventId = newEventId();
  const now = Date.now() / 1000;
  const event = { event_id: eventId, message, level: "error", platform: "rust", timestamp: now };
  const log = { items: [{ timestamp: now, level: "info", body: `${message} log` }] };
  const body = envelope(
    { event_id: eventId },
    [{ type: "event" }, JSON.stringify(event)],
    [{ type: "attachment", filename: "app.log", content_type: "text/plain" }, `${message} attachment`],
    [
      { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
      JSON.stringify(log),
    ],
  );
  expect((await postEnvelope(t, body)).status).toBe(200);
  const tx = transactionWithOneSpan(newEventId(), "c".repeat(32), now);
  expect((await postEnvelope(t, tx)).status).toBe(200);
  const found = await call<{ groupID: string }>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
  );
  expect(found.status).toBe(200);
  const issue = await call<{ shortId: string }>(t.token, "GET", `/api/0/issues/${found.body.groupID}/`);
  expect(issue.status).toBe(200);
  return { eventId, issueId: Number(found.body.groupID), shortId: issue.body.shortId };
}

async function rowsOf(db: D1Database, table: string, projectId: number): Promise<number> {
  const row = await db
    .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`)
    .bind(projectId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

let a: Tenant;
let b: Tenant & { ownerToken: string };
let sentA: Sent;
let sentB: Sent;

beforeAll(async () => {
  // A is on DB (every organization made without a placement is); the least full shard is then SHARD_1.
  a = await createTenant();
  const counts = await organizationsPerShard(env.DB);
  expect(counts.get("DB") ?? 0).toBeGreaterThan(counts.get("SHARD_1") ?? 0);
  const placed = await placeNewOrganization({ ...env, EVENT_SHARDS: "DB,SHARD_1" });
  expect(placed).toBe("SHARD_1");
  b = await createTenantOnShard(placed);
  sentA = await ingestAll(a, "failure of A");
  sentB = await ingestAll(b, "failure of B");
});

describe("organizations on two shards", () => {
  it("records each organization's shard in the control plane", async () => {
    const shards = await env.DB.prepare("SELECT id, shard FROM organizations WHERE id IN (?, ?) ORDER BY id")
      .bind(a.orgId, b.orgId)
      .all<{ id: number; shard: string }>();
    expect(Object.fromEntries(shards.results.map((r) => [r.id, r.shard]))).toEqual({
      [a.orgId]: "DB",
      [b.orgId]: "SHARD_1",
    });
    // Placement counts organizations: with one on each, the tie goes to the first listed.
    expect(await placeNewOrganization({ ...env, EVENT_SHARDS: "SHARD_1" })).toBe("SHARD_1");
  });

  it("writes events, issues, spans and logs to the organization's own shard only", async () => {
    const other = { DB: env.SHARD_1, SHARD_1: env.DB };
    for (const [t, name] of [
      [a, "DB"],
      [b, "SHARD_1"],
    ] as const) {
      const own = shardDb(env, name);
      const foreign = other[name];
      expect(await shardOf(t.orgId)).toBe(own);
      for (const table of ["events", "issues", "spans", "logs", "attachments"]) {
        expect(await rowsOf(own, table, t.projectId), `${table} of ${name}`).toBeGreaterThan(0);
        expect(await rowsOf(foreign, table, t.projectId), `${table} not on the other shard`).toBe(0);
      }
    }
  });

  it("gives issue ids of the second shard their own range", () => {
    expect(sentA.issueId).toBeLessThan(ISSUE_ID_SPAN);
    expect(sentB.issueId).toBeGreaterThan(ISSUE_ID_SPAN);
    expect(sentB.issueId).toBeLessThan(2 * ISSUE_ID_SPAN);
  });

  it("finds an issue by id, short id and event id on its shard, for its own organization", async () => {
    for (const [t, sent, message] of [
      [a, sentA, "failure of A"],
      [b, sentB, "failure of B"],
    ] as const) {
      const byId = await call<{ id: string; title: string }>(
        t.token,
        "GET",
        `/api/0/issues/${sent.issueId}/`,
      );
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ id: String(sent.issueId), title: message });
      const byShort = await call<{ id: string }>(
        t.token,
        "GET",
        `/api/0/organizations/${t.orgSlug}/issues/${sent.shortId}/`,
      );
      expect(byShort.body.id).toBe(String(sent.issueId));
      const byEvent = await call<{ groupId: string }>(
        t.token,
        "GET",
        `/api/0/organizations/${t.orgSlug}/eventids/${sent.eventId}/`,
      );
      expect(byEvent.body.groupId).toBe(String(sent.issueId));
      const list = await call<{ id: string }[]>(
        t.token,
        "GET",
        `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=`,
      );
      expect(list.body.map((i) => i.id)).toEqual([String(sent.issueId)]);
    }
  });

  it("answers 404 for the other organization's issue id, short id and event id", async () => {
    for (const [t, theirs, them] of [
      [a, sentB, b],
      [b, sentA, a],
    ] as const) {
      expect((await call(t.token, "GET", `/api/0/issues/${theirs.issueId}/`)).status).toBe(404);
      expect((await call(t.token, "GET", `/api/0/issues/${theirs.issueId}/events/latest/`)).status).toBe(404);
      // Through the caller's own organization: the other's ids are not in it.
      expect(
        (await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/issues/${theirs.shortId}/`)).status,
      ).toBe(404);
      expect(
        (await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/eventids/${theirs.eventId}/`)).status,
      ).toBe(404);
      // And through the other's: not the caller's organization.
      expect(
        (await call(t.token, "GET", `/api/0/organizations/${them.orgSlug}/issues/${theirs.issueId}/`)).status,
      ).toBe(404);
    }
  });

  it("gives Discover the project's slug from the control plane, on the second shard too", async () => {
    for (const t of [a, b]) {
      const found = await call<{ data: { project: string; title: string }[] }>(
        t.token,
        "GET",
        `/api/0/organizations/${t.orgSlug}/events/?dataset=errors&field=project&field=title&statsPeriod=1h`,
      );
      expect(found.status).toBe(200);
      expect(found.body.data.map((r) => r.project)).toEqual([t.projectSlug]);
    }
  });

  it("lets the tests' row helpers read the organization's shard", async () => {
    expect((await eventRow(b.projectId, sentB.eventId))?.event_id).toBe(sentB.eventId);
    expect((await issuesOf(b.projectId)).map((i) => i.id)).toEqual([sentB.issueId]);
    expect((await issuesOf(a.projectId)).map((i) => i.id)).toEqual([sentA.issueId]);
  });

  it("keeps releases on the organization's shard, with their projects from the control plane", async () => {
    const made = await call<{ projects: { slug: string }[] }>(
      b.token,
      "POST",
      `/api/0/organizations/${b.orgSlug}/releases/`,
      { version: "b@1.0", projects: [b.projectSlug] },
    );
    expect(made.status).toBe(201);
    expect(made.body.projects.map((p) => p.slug)).toEqual([b.projectSlug]);
    const listed = await call<{ version: string; projects: { slug: string }[] }[]>(
      b.token,
      "GET",
      `/api/0/organizations/${b.orgSlug}/releases/`,
    );
    expect(listed.body.map((r) => [r.version, r.projects.map((p) => p.slug)])).toEqual([
      ["b@1.0", [b.projectSlug]],
    ]);
    const release = (n: D1Database) =>
      n
        .prepare("SELECT COUNT(*) AS n FROM releases WHERE organization_id = ?")
        .bind(b.orgId)
        .first<{ n: number }>();
    expect((await release(env.SHARD_1))?.n).toBe(1);
    expect((await release(env.DB))?.n).toBe(0);
    expect((await call(a.token, "GET", `/api/0/organizations/${b.orgSlug}/releases/b@1.0/`)).status).toBe(
      404,
    );
  });

  it("keeps the second shard's stored bytes in the sweep of unreferenced objects", async () => {
    const prefix = projectPrefix(b.projectId);
    const [row] = (
      await env.SHARD_1.prepare("SELECT blob_key FROM attachments WHERE project_id = ?")
        .bind(b.projectId)
        .all<{ blob_key: string }>()
    ).results;
    if (!row) throw new Error("no attachment of B");
    const later = Date.now() + 2 * 86_400_000;
    const every = shardNames(env).map((name) => shardDb(env, name));
    const kept = await sweepUnreferencedBlobs(env.DB, env.BLOBS, later, { prefix, shards: every });
    expect(kept.listed).toBeGreaterThan(0);
    expect(kept.deleted).toEqual([]);
    expect(await env.BLOBS.head(row.blob_key)).not.toBeNull();
    // Asking the control plane alone, as before shards, would have deleted it.
    const blind = await sweepUnreferencedBlobs(env.DB, env.BLOBS, later, { prefix });
    expect(blind.deleted).toContain(row.blob_key);
  });

  it("keeps writing to its shard after its project object restarts (the shard is in its storage)", async () => {
    const stub = () =>
      env.PROJECTS.get(env.PROJECTS.idFromName(String(b.projectId))) as unknown as {
        crash(): Promise<void>;
        setIssueStatus(id: number, status: "resolved", resolution: { type: "resolved" }): Promise<void>;
      };
    await stub()
      .crash()
      .catch(() => undefined);
    // No envelope names the shard to the new instance: it reads it back from its storage.
    await stub().setIssueStatus(sentB.issueId, "resolved", { type: "resolved" });
    const issue = await call<{ status: string }>(b.token, "GET", `/api/0/issues/${sentB.issueId}/`);
    expect(issue.body.status).toBe("resolved");
  });

  it("answers 404 for an issue id of a shard this Worker does not have", async () => {
    expect((await call(b.token, "GET", `/api/0/issues/${7 * ISSUE_ID_SPAN + 1}/`)).status).toBe(404);
  });

  it("deletes a project's rows from its shard with the project (last: B's project is gone after it)", async () => {
    expect(await rowsOf(env.SHARD_1, "events", b.projectId)).toBeGreaterThan(0);
    // Outcomes have no foreign key to projects: only deleting by project_id removes them.
    expect(await rowsOf(env.SHARD_1, "outcomes", b.projectId)).toBeGreaterThan(0);
    const deleted = await call(b.ownerToken, "DELETE", `/api/0/projects/${b.orgSlug}/${b.projectSlug}/`);
    expect(deleted.status).toBe(204);
    for (const table of ["events", "issues", "spans", "logs", "attachments", "outcomes"])
      expect(await rowsOf(env.SHARD_1, table, b.projectId), `${table} of the deleted project`).toBe(0);
    const anchor = await env.SHARD_1.prepare("SELECT COUNT(*) AS n FROM projects WHERE id = ?")
      .bind(b.projectId)
      .first<{ n: number }>();
    expect(anchor?.n).toBe(0);
  });
});
