// The issue stream's tag, release, environment and server-name searches through the REST API, answered
// from the tag values each issue's events carried (issue_tag_values) rather than from payloads: also
// for an event whose payload lives in R2, after a merge, and without leftovers once issues are deleted.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { ALL_SCOPES, call, orgToken } from "./tenant-helpers.ts";

async function send(t: Tenant, event: Record<string, unknown>): Promise<string> {
  const id = newEventId();
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]));
  expect(res.status).toBe(200);
  return id;
}

/** Ids of the issues the project's stream answers for `query` (all statuses). */
async function search(t: Tenant, query: string): Promise<string[]> {
  const reply = await call<{ id: string }[]>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=${encodeURIComponent(query)}`,
  );
  expect(reply.status).toBe(200);
  return reply.body.map((i) => i.id).sort();
}

async function issueOf(t: Tenant, eventId: string): Promise<string> {
  const reply = await call<{ groupID: string }>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
  );
  expect(reply.status).toBe(200);
  return reply.body.groupID;
}

const error = (type: string, extra: Record<string, unknown> = {}) => ({
  exception: { values: [{ type, value: "boom" }] },
  ...extra,
});

describe("issue search by tag values", () => {
  it("finds issues by tag, release, environment and server name, also when the payload lives in R2", async () => {
    const t = await createTenant();
    // Over the inline limit (256 KiB): the normalized payload is kept in R2, the row has none.
    const padding: Record<string, string> = {};
    for (let i = 0; i < 40; i++) padding[`pad${i}`] = "x".repeat(8000);
    const big = await send(
      t,
      error("BigError", {
        tags: { customer: "acme", region: "eu-1" },
        release: "shop@2.0.0",
        environment: "staging",
        server_name: "big-host",
        extra: padding,
      }),
    );
    const small = await send(t, error("SmallError", { tags: { customer: "globex" }, release: "shop@1.0.0" }));
    const bigIssue = await issueOf(t, big);
    const smallIssue = await issueOf(t, small);
    const row = await env.DB.prepare("SELECT payload FROM events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, big)
      .first<{ payload: string | null }>();
    expect(row?.payload).toBeNull();

    expect(await search(t, "customer:acme")).toEqual([bigIssue]);
    expect(await search(t, "customer:[acme, globex]")).toEqual([bigIssue, smallIssue].sort());
    expect(await search(t, "customer:glo*")).toEqual([smallIssue]);
    expect(await search(t, "!customer:acme")).toEqual([smallIssue]);
    expect(await search(t, "has:region")).toEqual([bigIssue]);
    expect(await search(t, "release:shop@2.0.0")).toEqual([bigIssue]);
    expect(await search(t, "release:latest")).toEqual([smallIssue]);
    expect(await search(t, "environment:staging")).toEqual([bigIssue]);
    expect(await search(t, "server_name:big-host")).toEqual([bigIssue]);
    expect(await search(t, "has:environment")).toEqual([bigIssue]);
    // The stream's environment selector narrows the same way.
    const scoped = await call<{ id: string }[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?environment=staging&query=`,
    );
    expect(scoped.body.map((i) => i.id)).toEqual([bigIssue]);
  });

  it("a merged issue keeps its children's values, and deleted issues leave no values behind", async () => {
    const t = await createTenant();
    const a = await issueOf(t, await send(t, error("AError", { tags: { team: "payments" } })));
    const b = await issueOf(t, await send(t, error("BError", { tags: { team: "search" } })));
    const merged = await call<{ merge: { parent: string } }>(
      t.token,
      "PUT",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?id=${a}&id=${b}`,
      { merge: 1 },
    );
    expect(merged.status).toBe(200);
    const parent = merged.body.merge.parent;
    expect(await search(t, "team:payments")).toEqual([parent]);
    expect(await search(t, "team:search")).toEqual([parent]);

    // Deleting issues takes event:admin.
    const admin = await orgToken(t.orgId, ALL_SCOPES);
    const deleted = await call(
      admin,
      "DELETE",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?id=${parent}`,
    );
    expect(deleted.status).toBe(204);
    expect(await search(t, "team:payments")).toEqual([]);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM issue_tag_values WHERE issue_id IN (?, ?)")
      .bind(Number(a), Number(b))
      .first<number>("n");
    expect(left).toBe(0);
  });
});
