// Sentry's issue hashes, merge and unmerge through the REST API, with events sent as SDKs send them:
// merged issues take later look-alikes of their children, unmerged hashes take their events (and later
// look-alikes) to a new issue, and counters follow both ways. Also the per-key tag value endpoints.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

interface ApiIssue {
  id: string;
  title: string;
  count: string;
}
interface ApiHash {
  id: string;
  latestEvent: { eventID: string } | null;
  mergedBySeer: boolean;
}

async function sendMessage(
  t: Tenant,
  message: string,
  tags: Record<string, string> = {},
  contexts?: Record<string, unknown>,
): Promise<string> {
  const id = newEventId();
  const body = { event_id: id, message, level: "error", tags, contexts, timestamp: Date.now() / 1000 };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  return id;
}

/** The issue of an event, once the event is stored. */
async function issueOfEvent(t: Tenant, eventId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const res = await call<{ groupID: string | null }>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
    );
    if (res.status === 200 && res.body.groupID) return res.body.groupID;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("event not stored");
}

const issue = (t: Tenant, id: string) => call<ApiIssue>(t.token, "GET", `/api/0/issues/${id}/`);
const hashes = (t: Tenant, id: string) => call<ApiHash[]>(t.token, "GET", `/api/0/issues/${id}/hashes/`);
const bulk = (t: Tenant, ids: string[], body: unknown, token = t.token) =>
  call<{ merge?: { parent: string; children: string[] }; detail?: string }>(
    token,
    "PUT",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?${ids.map((id) => `id=${id}`).join("&")}`,
    body,
  );

describe("merging issues", () => {
  it("merges into the issue seen most, moves hashes and counts, and later look-alikes follow", async () => {
    const t = await createTenant();
    const a1 = await sendMessage(t, "checkout failed");
    await sendMessage(t, "checkout failed");
    const b1 = await sendMessage(t, "payment declined");
    const a = await issueOfEvent(t, a1);
    const b = await issueOfEvent(t, b1);
    expect(a).not.toBe(b);
    const [hashA] = (await hashes(t, a)).body.map((h) => h.id);
    const [hashB] = (await hashes(t, b)).body.map((h) => h.id);

    const merged = await bulk(t, [b, a], { merge: 1 });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ merge: { parent: a, children: [b] } });

    expect((await issue(t, b)).status).toBe(404);
    expect((await issue(t, a)).body.count).toBe("3");
    const owned = await hashes(t, a);
    expect(owned.body.map((h) => h.id).sort()).toEqual([hashA, hashB].sort());
    expect(owned.body.find((h) => h.id === hashB)).toEqual({
      id: hashB,
      latestEvent: expect.objectContaining({ eventID: b1 }),
      mergedBySeer: false,
    });
    // The child's events are the parent's now, and so is the next event with the child's hash.
    expect(await issueOfEvent(t, b1)).toBe(a);
    expect(await issueOfEvent(t, await sendMessage(t, "payment declined"))).toBe(a);
    expect((await issue(t, a)).body.count).toBe("4");
  });

  it("refuses a merge of fewer than two issues, or without event:write", async () => {
    const t = await createTenant();
    const a = await issueOfEvent(t, await sendMessage(t, "alone"));
    const b = await issueOfEvent(t, await sendMessage(t, "other"));
    const single = await bulk(t, [a], { merge: 1 });
    expect(single.status).toBe(400);
    expect(single.body).toEqual({ detail: expect.any(String) });
    const reader = await createUser(t.orgId, "member", "event:read project:read org:read");
    expect((await bulk(t, [a, b], { merge: 1 }, reader.token)).status).toBe(403);
    expect((await issue(t, a)).status).toBe(200);
    expect((await issue(t, b)).status).toBe(200);
  });
});

describe("unmerging hashes", () => {
  it("moves the events of an unmerged hash to a new issue that takes later look-alikes", async () => {
    const t = await createTenant();
    const a = await issueOfEvent(t, await sendMessage(t, "disk full"));
    // Its os context makes it a shape, which holds the tags derived from it.
    const b1 = await sendMessage(
      t,
      "quota exceeded",
      { team: "storage" },
      { os: { name: "Linux", version: "6.1" } },
    );
    const b = await issueOfEvent(t, b1);
    const [hashB] = (await hashes(t, b)).body.map((h) => h.id);
    await bulk(t, [a, b], { merge: 1 });
    const parent = await issueOfEvent(t, b1);
    expect((await issue(t, parent)).body.count).toBe("2");

    const res = await call(t.token, "DELETE", `/api/0/issues/${parent}/hashes/?id=${hashB}`);
    expect(res.status).toBe(202);
    const split = await issueOfEvent(t, b1);
    expect(split).not.toBe(parent);
    expect((await issue(t, split)).body).toMatchObject({ title: "quota exceeded", count: "1" });
    expect((await issue(t, parent)).body.count).toBe("1");
    expect((await hashes(t, parent)).body.map((h) => h.id)).not.toContain(hashB);
    expect((await hashes(t, split)).body.map((h) => h.id)).toEqual([hashB]);
    // The event brought its tags to the new issue, its row's and its shape's: search finds it by both.
    for (const query of ["team:storage", "os.name:Linux", 'os:"Linux 6.1"']) {
      const found = await call<{ id: string }[]>(
        t.token,
        "GET",
        `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=${encodeURIComponent(query)}`,
      );
      expect([query, found.body.map((i) => i.id)]).toEqual([query, expect.arrayContaining([split])]);
    }
    expect(await issueOfEvent(t, await sendMessage(t, "quota exceeded"))).toBe(split);
  });

  it("refuses to unmerge every hash of an issue, and a malformed hash", async () => {
    const t = await createTenant();
    const a = await issueOfEvent(t, await sendMessage(t, "only one"));
    const [hash] = (await hashes(t, a)).body.map((h) => h.id);
    const all = await call(t.token, "DELETE", `/api/0/issues/${a}/hashes/?id=${hash}`);
    expect(all.status).toBe(400);
    expect(all.body).toEqual({ detail: expect.any(String) });
    expect((await call(t.token, "DELETE", `/api/0/issues/${a}/hashes/?id=nothex`)).status).toBe(400);
    expect((await hashes(t, a)).body.map((h) => h.id)).toEqual([hash]);
  });
});

describe("issue tag values", () => {
  it("lists a key's values with counts, sorted as asked, and the key's summary", async () => {
    const t = await createTenant();
    const first = await sendMessage(t, "tagged", { browser: "Firefox" });
    const a = await issueOfEvent(t, first);
    await sendMessage(t, "tagged", { browser: "Chrome" });
    const last = await sendMessage(t, "tagged", { browser: "Chrome" });
    await issueOfEvent(t, last);

    const values = await call<{ value: string; count: number; key: string; name: string }[]>(
      t.token,
      "GET",
      `/api/0/issues/${a}/tags/browser/values/`,
    );
    expect(values.status).toBe(200);
    expect(values.body.map((v) => [v.key, v.value, v.count])).toEqual([
      ["browser", "Chrome", 2],
      ["browser", "Firefox", 1],
    ]);
    const byAge = await call<{ value: string }[]>(
      t.token,
      "GET",
      `/api/0/issues/${a}/tags/browser/values/?sort=age`,
    );
    expect(byAge.body.map((v) => v.value)).toEqual(["Chrome", "Firefox"]);

    const key = await call(t.token, "GET", `/api/0/issues/${a}/tags/browser/`);
    expect(key.body).toMatchObject({
      key: "browser",
      totalValues: 3,
      uniqueValues: 2,
      topValues: [
        expect.objectContaining({ value: "Chrome", count: 2 }),
        expect.objectContaining({ value: "Firefox" }),
      ],
    });
    expect((await call(t.token, "GET", `/api/0/issues/${a}/tags/no-such-key/`)).status).toBe(404);
    expect((await call(t.token, "GET", `/api/0/issues/${a}/tags/browser/values/?sort=bogus`)).status).toBe(
      400,
    );
  });
});
