// The spool: ingest answers once an envelope is durable in its project's Durable Object, and the flush
// writes it to D1 later. D1 is made to fail (test/faults/): for a window, for a fraction of calls,
// slowly, or by committing and then losing the answer. Under each, with envelopes arriving: nothing
// acknowledged is lost, nothing is answered 5xx while the spool has room, and nothing is counted twice.
// What is checked is what a user reads: the answers SDKs get and the REST API.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { sweepUnreferencedBlobs } from "../../src/blobs/sweep.ts";
import { MAX_BATCHES_PER_COMMIT } from "../../src/limits.ts";
import { spooledBlobKeys } from "../../src/project/index.ts";
import type { D1Faults } from "../faults/faulty-d1.ts";
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

type Json = Record<string, unknown>;

let faulted: Tenant | null = null;
afterEach(async () => {
  if (faulted) await setFaults(faulted, {});
  faulted = null;
});

async function faults(t: Tenant, f: D1Faults): Promise<void> {
  faulted = t;
  await setFaults(t, f);
}

async function api<T = Json>(t: Tenant, path: string): Promise<{ status: number; body: T }> {
  const res = await send(path, { headers: { authorization: `Bearer ${t.token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

/** An error event of one fingerprint (one issue), with a log line beside it. */
function errorWithLog(id: string, i: number): Uint8Array {
  return envelope(
    { event_id: id },
    [
      { type: "event" },
      JSON.stringify({
        message: `spooled event ${i}`,
        fingerprint: ["spool-test"],
        exception: { values: [{ type: "SpoolError", value: `number ${i}` }] },
      }),
    ],
    [
      { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
      JSON.stringify({ items: [{ timestamp: Date.now() / 1000, level: "info", body: `log ${id}` }] }),
    ],
  );
}

/** Sends the envelopes a few at a time without waiting for the flush; answers the statuses. */
async function sendAll(t: Tenant, bodies: Uint8Array[], inFlight = 8): Promise<number[]> {
  const statuses: number[] = new Array(bodies.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const res = await postEnvelope(t, bodies[i] as Uint8Array, {}, { drain: false });
        await res.arrayBuffer();
        statuses[i] = res.status;
      }
    }),
  );
  return statuses;
}

/** The one issue of the tenant's project, as the issues API shows it. */
async function onlyIssue(t: Tenant): Promise<Json> {
  const { body } = await api<Json[]>(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=`);
  expect(body).toHaveLength(1);
  return body[0] as Json;
}

/** Event ids the project's events API lists (all pages). */
async function listedEventIds(t: Tenant): Promise<string[]> {
  const ids: string[] = [];
  let cursor = "";
  for (let page = 0; page < 50; page++) {
    const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/?per_page=100${cursor}`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const body = (await res.json()) as { eventID: string }[];
    ids.push(...body.map((e) => e.eventID));
    const next = /<[^>]*cursor=([^&>]+)[^>]*>; rel="next"; results="true"/.exec(
      res.headers.get("link") ?? "",
    );
    if (!next) break;
    cursor = `&cursor=${next[1]}`;
  }
  return ids;
}

async function logCount(t: Tenant): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM logs WHERE project_id = ?")
    .bind(t.projectId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A tenant whose key the Worker has cached (a warm-up event), as with any SDK that sent before. */
async function warmTenant(): Promise<{ t: Tenant; warmId: string }> {
  const t = await createTenant();
  const warmId = newEventId();
  expect((await postEnvelope(t, errorWithLog(warmId, -1))).status).toBe(200);
  return { t, warmId };
}

describe("ingest through the spool", () => {
  it("answers 200 while D1 writes fail, and the event is found by id through the API at once", async () => {
    const { t } = await warmTenant();
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const id = newEventId();
    const res = await postEnvelope(t, errorWithLog(id, 1), {}, { drain: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id });
    // Not in D1 yet: the events API reads the spool.
    const byId = await api(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ eventID: id, title: "SpoolError: number 1" });
    const inOrg = await api(t, `/api/0/organizations/${t.orgSlug}/eventids/${id}/`);
    expect(inOrg.status).toBe(200);
    expect(inOrg.body).toMatchObject({ eventId: id, projectSlug: t.projectSlug });
    expect((await stubOf(t).getStats()).spooled).toBe(1);

    await setFaults(t, {});
    await drainSpool(t.projectId);
    const issue = await onlyIssue(t);
    expect(issue.count).toBe("2");
    expect((await listedEventIds(t)).sort()).toContain(id);
  });

  it("stores a retry of an event still in the spool once", async () => {
    const { t } = await warmTenant();
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const id = newEventId();
    const statuses = await sendAll(t, [errorWithLog(id, 1), errorWithLog(id, 1), errorWithLog(id, 1)]);
    expect(statuses).toEqual([200, 200, 200]);
    await setFaults(t, {});
    await drainSpool(t.projectId);
    expect((await onlyIssue(t)).count).toBe("2");
    const ids = await listedEventIds(t);
    expect(ids.filter((e) => e === id)).toHaveLength(1);
  });

  it("keeps what it acknowledged when the object restarts before the flush", async () => {
    const { t } = await warmTenant();
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const ids = Array.from({ length: 5 }, () => newEventId());
    expect(
      await sendAll(
        t,
        ids.map((id, i) => errorWithLog(id, i)),
      ),
    ).toEqual(ids.map(() => 200));
    // Memory is gone; the spool is in the object's storage, and the new instance flushes it.
    await stubOf(t)
      .crash()
      .catch(() => undefined);
    await setFaults(t, {});
    await drainSpool(t.projectId);
    const listed = await listedEventIds(t);
    for (const id of ids) expect(listed).toContain(id);
    expect((await onlyIssue(t)).count).toBe("6");
  });

  it("answers 429 with Retry-After and X-Sentry-Rate-Limits when the spool is full, and counts it", async () => {
    const { t } = await warmTenant();
    await stubOf(t).setSpoolCaps({ maxEnvelopes: 3, maxBytes: 1024 * 1024 });
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const statuses: number[] = [];
    let full: Response | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await postEnvelope(t, errorWithLog(newEventId(), i), {}, { drain: false });
      statuses.push(res.status);
      if (res.status === 429) full = res;
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(full?.headers.get("retry-after")).toBe("5");
    expect(full?.headers.get("x-sentry-rate-limits")).toBe("5::project:spool_full");

    await setFaults(t, {});
    await stubOf(t).setSpoolCaps(null);
    await drainSpool(t.projectId);
    expect((await onlyIssue(t)).count).toBe("4");
    const stats = await api<{ groups: { by: Json; totals: Json }[] }>(
      t,
      `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=outcome&groupBy=reason&statsPeriod=1d&interval=1h`,
    );
    expect(stats.status).toBe(200);
    const refused = stats.body.groups.find((g) => g.by.reason === "spool_full");
    expect(refused?.by.outcome).toBe("rate_limited");
    expect(refused?.totals["sum(quantity)"]).toBe(2);
  });
});

/** An error event of one fingerprint without other items (spooled in the object's grouped writes). */
function plainError(id: string, i: number): Uint8Array {
  return envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({ message: `grouped write ${i}`, fingerprint: ["spool-test"] }),
  ]);
}

describe("the spool's grouped writes", () => {
  it("counts envelopes waiting for their write against the cap, and finds each one answered 200 by id", async () => {
    const { t } = await warmTenant();
    await stubOf(t).setSpoolCaps({ maxEnvelopes: 3, maxBytes: 1024 * 1024 });
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const ids = Array.from({ length: 8 }, () => newEventId());
    const statuses = await sendAll(
      t,
      ids.map((id, i) => plainError(id, i)),
      8,
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const accepted = ids.filter((_, i) => statuses[i] === 200);
    for (const id of accepted) {
      const found = await api(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`);
      expect(found.status).toBe(200);
    }

    await setFaults(t, {});
    await stubOf(t).setSpoolCaps(null);
    await drainSpool(t.projectId);
    expect((await onlyIssue(t)).count).toBe("4");
    const listed = await listedEventIds(t);
    for (const id of accepted) expect(listed).toContain(id);
  });
});

describe("the flush of a backlog", () => {
  it("leaves the object admitting and answering between its commits after an outage", async () => {
    const { t } = await warmTenant();
    await faults(t, { downUntil: Date.now() + 120_000, only: "object" });
    const backlog = 8 * MAX_BATCHES_PER_COMMIT;
    const ids = Array.from({ length: backlog }, () => newEventId());
    const statuses = await sendAll(
      t,
      ids.map((id, i) => plainError(id, i)),
      16,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    const stats = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/ingest-stats/`;
    expect((await api<{ spooled: number }>(t, stats)).body.spooled).toBe(backlog);

    await setFaults(t, {});
    const drained = drainSpool(t.projectId, 60_000);
    // Once the first commit of the backlog is in, a new envelope is answered and the object reads its
    // counters while most of the backlog still waits: the catch-up does not hold the object.
    for (let i = 0; i < 500; i++) {
      if ((await api<{ spooled: number }>(t, stats)).body.spooled < backlog) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const late = newEventId();
    const res = await postEnvelope(t, plainError(late, backlog), {}, { drain: false });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // Held by the catch-up, they would be answered only once less than one commit's worth was left.
    expect((await api<{ spooled: number }>(t, stats)).body.spooled).toBeGreaterThan(MAX_BATCHES_PER_COMMIT);

    await drained;
    await drainSpool(t.projectId);
    expect((await onlyIssue(t)).count).toBe(String(backlog + 2));
  });
});

describe("the blob sweep and the spool", () => {
  it("leaves the bytes of a spooled envelope alone, however old, until D1 has its row", async () => {
    const { t } = await warmTenant();
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const id = newEventId();
    const withAttachment = envelope(
      { event_id: id },
      [{ type: "event" }, JSON.stringify({ message: "with an attachment" })],
      [{ type: "attachment", filename: "state.txt", content_type: "text/plain" }, "spooled bytes"],
    );
    expect((await postEnvelope(t, withAttachment, {}, { drain: false })).status).toBe(200);
    const prefix = `projects/${t.projectId}/attachments/`;
    const twoDaysLater = Date.now() + 48 * 3600 * 1000;
    const swept = await sweepUnreferencedBlobs(env.DB, env.BLOBS, twoDaysLater, {
      prefix,
      spoolHolds: (projectId, keys) => spooledBlobKeys(env, projectId, keys),
    });
    expect(swept.deleted).toEqual([]);
    expect((await env.BLOBS.list({ prefix })).objects).toHaveLength(1);

    await setFaults(t, {});
    await drainSpool(t.projectId);
    const listed = await api<{ name: string; id: string }[]>(
      t,
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/attachments/`,
    );
    expect(listed.body.map((a) => a.name)).toEqual(["state.txt"]);
    const bytes = await send(
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/attachments/${listed.body[0]?.id}/?download=1`,
      { headers: { authorization: `Bearer ${t.token}` } },
    );
    expect(await bytes.text()).toBe("spooled bytes");
  });
});

describe("D1 faults under load", () => {
  const load = async (t: Tenant, count: number) => {
    const ids = Array.from({ length: count }, () => newEventId());
    const statuses = await sendAll(
      t,
      ids.map((id, i) => errorWithLog(id, i)),
    );
    return { ids, statuses };
  };

  /** After D1 recovered: every acknowledged event is listed once, counted once, with its log once. */
  const expectExactlyStored = async (t: Tenant, ids: string[], warm = 1) => {
    await drainSpool(t.projectId, 30_000);
    const listed = await listedEventIds(t);
    expect(listed).toHaveLength(ids.length + warm);
    expect(new Set(listed).size).toBe(listed.length);
    for (const id of ids) expect(listed).toContain(id);
    expect((await onlyIssue(t)).count).toBe(String(ids.length + warm));
    expect(await logCount(t)).toBe(ids.length + warm);
  };

  /** Waits, while D1 is still down, until the object's flush has tried and failed (it lingers first). */
  const untilFlushFailed = async (t: Tenant, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await stubOf(t).getStats()).flushFailures === 0) {
      if (Date.now() > deadline) throw new Error("no flush met the outage");
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it("survives a D1 outage: no 5xx while the spool has room, everything stored after recovery", async () => {
    const { t } = await warmTenant();
    // Everything fails, reads included (the Worker's key lookup serves its cached key), until D1
    // recovers below: the outage ends after a flush met it, not after a fixed time, which the load may
    // outlast or not depending on the machine.
    await faults(t, { downUntil: Date.now() + 60_000 });
    const { ids, statuses } = await load(t, 60);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await untilFlushFailed(t);
    await setFaults(t, {});
    await expectExactlyStored(t, ids);
  });

  it("survives D1 failing a third of its calls", async () => {
    const { t } = await warmTenant();
    await faults(t, { failRate: 0.33 });
    const { ids, statuses } = await load(t, 60);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await setFaults(t, {});
    await expectExactlyStored(t, ids);
  });

  it("survives a slow D1 (every call 40 ms late)", async () => {
    const { t } = await warmTenant();
    await faults(t, { latencyMs: 40 });
    const { ids, statuses } = await load(t, 40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await expectExactlyStored(t, ids);
  });

  it("never counts twice a flush whose commit landed but whose answer was lost", async () => {
    const { t } = await warmTenant();
    await faults(t, { commitThenFailRate: 0.5 });
    const { ids, statuses } = await load(t, 60);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await drainSpool(t.projectId, 30_000);
    await setFaults(t, {});
    await expectExactlyStored(t, ids);
  });
});
