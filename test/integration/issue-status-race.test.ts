// Issue changes made while a group commit is in flight. The commit planned from the object's cached
// issue state and writes that state back when it lands, so a status change that slipped in between
// would be overwritten in the cache; and it adds events to the issue it planned with, so a deletion
// that ran meanwhile would leave them to the issue row's cascade. Slow D1 calls in the object (the
// fault Worker) hold a commit open long enough for the change to arrive during it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { setFaults, stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  send,
  type Tenant,
} from "./helpers.ts";
import { ALL_SCOPES, createUser } from "./tenant-helpers.ts";

let faulted: Tenant | null = null;
afterEach(async () => {
  if (faulted) await setFaults(faulted, {});
  faulted = null;
});

const event = (id: string) =>
  envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({ event_id: id, message: "checkout failed", fingerprint: ["race"] }),
  ]);

function api(t: Tenant, path: string, init: { method?: string; body?: unknown } = {}) {
  return send(path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function issueOf(t: Tenant): Promise<{ id: string; status: string; substatus: string | null }> {
  const res = await api(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=`);
  const issues = (await res.json()) as { id: string; status: string; substatus: string | null }[];
  expect(issues).toHaveLength(1);
  return issues[0] as { id: string; status: string; substatus: string | null };
}

describe("an issue resolved while a group commit is in flight", () => {
  it("regresses with the next event (the commit does not put the old state back)", async () => {
    const t = await createTenant();
    expect((await postEnvelope(t, event(newEventId()))).status).toBe(200);
    const { id } = await issueOf(t);
    faulted = t;
    await setFaults(t, { latencyMs: 1000, only: "object" });
    // The issue is being resolved (its D1 write takes a second)…
    const resolving = api(t, `/api/0/issues/${id}/`, { method: "PUT", body: { status: "resolved" } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // …when the next event's commit plans, from the cached state (unresolved), and lands after it.
    expect((await postEnvelope(t, event(newEventId()), {}, { drain: false })).status).toBe(200);
    expect((await resolving).status).toBe(200);
    await drainSpool(t.projectId, 30_000);
    await setFaults(t, {});
    // Whichever came first, an event after the resolution finds the issue resolved and regresses it.
    expect((await postEnvelope(t, event(newEventId()))).status).toBe(200);
    expect(await issueOf(t)).toMatchObject({ id, status: "unresolved", substatus: "regressed" });
  });
});

describe("an issue deleted while a group commit for it is in flight", () => {
  it("waits for the commit: the event it adds is deleted with the issue and its bytes counted off", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner", ALL_SCOPES);
    expect((await postEnvelope(t, event(newEventId()))).status).toBe(200);
    const { id } = await issueOf(t);
    faulted = t;
    // The next event's commit is planned with the issue and lands (its INSERT INTO events) half a
    // second later; the deletion's last step (DELETE FROM issues, whose cascade removes any event left)
    // a second after it starts.
    await setFaults(t, {
      slowBatches: [
        { sql: "INSERT INTO events", ms: 500 },
        { sql: "DELETE FROM issues", ms: 1000 },
      ],
      only: "object",
    });
    const late = newEventId();
    expect((await postEnvelope(t, event(late), {}, { drain: false })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const deleted = await send(`/api/0/issues/${id}/`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(deleted.status).toBe(202);
    await drainSpool(t.projectId, 30_000);
    await stubOf(t).drainSpool(30_000);
    await setFaults(t, {});
    const issues = await api(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=`);
    expect(await issues.json()).toEqual([]);
    expect((await api(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${late}/`)).status).toBe(404);
    // What the organization is told it stores is what is left: the events' shape, nothing of theirs.
    const usage = await send(`/api/0/organizations/${t.orgSlug}/usage/`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const { storage } = (await usage.json()) as { storage: { usedBytes: number } };
    const shapes = await env.DB.prepare(
      "SELECT COALESCE(SUM(length(CAST(shape AS BLOB))), 0) AS n FROM event_shapes WHERE project_id = ?",
    )
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(storage.usedBytes).toBe(shapes?.n);
  });
});
