// Event receipts through the API — "why didn't my event show up?" — for an event of every fate: stored,
// still in the spool (D1 down), dropped by an inbound filter, by the key's rate limit (with when it
// resets), for its size, refused with a full spool, likely discarded by the SDK, and never seen.
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

interface Receipt {
  eventId: string;
  status: string;
  outcome: string | null;
  reason: string | null;
  explanation: string;
  issueId: string | null;
  shortId: string | null;
  receivedAt: string | null;
  resetsAt: string | null;
  clientDiscards: { category: string; reason: string; quantity: number }[];
}

let faulted: Tenant | null = null;
afterEach(async () => {
  if (faulted) {
    await setFaults(faulted, {});
    await stubOf(faulted).setSpoolCaps(null);
  }
  faulted = null;
});

async function receipt(t: Tenant, id: string): Promise<{ status: number; body: Receipt }> {
  const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/receipt/`, {
    headers: { authorization: `Bearer ${t.token}` },
  });
  return { status: res.status, body: (await res.json()) as Receipt };
}

const eventItem = (id: string, payload: object = {}) =>
  envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({ event_id: id, message: "receipt me", ...payload }),
  ]);

describe("event receipts", () => {
  it("stored: the issue and when", async () => {
    const t = await createTenant();
    const id = newEventId();
    await postEnvelope(t, eventItem(id));
    const { status, body } = await receipt(t, id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ eventId: id, status: "stored", outcome: "accepted", reason: null });
    expect(body.issueId).toMatch(/^\d+$/);
    expect(body.shortId).toMatch(new RegExp(`^${t.projectSlug.toUpperCase()}-`));
    expect(Date.parse(String(body.receivedAt))).toBeGreaterThan(Date.now() - 60_000);
    // Dashes and upper case as some SDKs print ids.
    const dashed = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
    expect((await receipt(t, dashed.toUpperCase())).body.status).toBe("stored");
  });

  it("spooled while D1 is down, stored once it is back", async () => {
    const t = await createTenant();
    await postEnvelope(t, eventItem(newEventId()));
    faulted = t;
    await setFaults(t, { downUntil: Date.now() + 60_000, only: "object" });
    const id = newEventId();
    expect((await postEnvelope(t, eventItem(id), {}, { drain: false })).status).toBe(200);
    const spooled = await receipt(t, id);
    expect(spooled.body).toMatchObject({ status: "spooled", outcome: "accepted" });
    expect(spooled.body.explanation).toContain("spool");
    await setFaults(t, {});
    await drainSpool(t.projectId);
    expect((await receipt(t, id)).body.status).toBe("stored");
  });

  it("dropped by an inbound filter, by the key's rate limit (and when it resets), for its size", async () => {
    const t = await createTenant({ keyLimit: [1, 60] });
    await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/localhost/`, {
      method: "PUT",
      headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
      body: JSON.stringify({ active: true }),
    });
    const filtered = newEventId();
    await postEnvelope(t, eventItem(filtered, { request: { url: "http://localhost:8080/" } }));
    const first = newEventId();
    const limited = newEventId();
    await postEnvelope(t, eventItem(first));
    expect((await postEnvelope(t, eventItem(limited))).status).toBe(429);
    const big = newEventId();
    const huge = eventItem(big, { extra: { blob: "x".repeat(1_100_000) } });
    expect((await postEnvelope(t, huge)).status).toBe(413);

    const byFilter = (await receipt(t, filtered)).body;
    expect(byFilter).toMatchObject({ status: "dropped", outcome: "filtered", reason: "localhost" });
    expect(byFilter.explanation).toContain("localhost");
    const byLimit = (await receipt(t, limited)).body;
    expect(byLimit).toMatchObject({ status: "dropped", outcome: "rate_limited", reason: "key_quota" });
    expect(byLimit.explanation).toContain("DSN key's rate limit");
    expect(Date.parse(String(byLimit.resetsAt)) - Date.parse(String(byLimit.receivedAt))).toBe(60_000);
    const bySize = (await receipt(t, big)).body;
    expect(bySize).toMatchObject({ status: "dropped", outcome: "too_large", reason: "event_too_large" });
    expect((await receipt(t, first)).body.status).toBe("stored");
  });

  it("refused with a full spool", async () => {
    const t = await createTenant();
    await postEnvelope(t, eventItem(newEventId()));
    faulted = t;
    await stubOf(t).setSpoolCaps({ maxEnvelopes: 1, maxBytes: 1024 * 1024 });
    await setFaults(t, { downUntil: Date.now() + 60_000, only: "object" });
    expect((await postEnvelope(t, eventItem(newEventId()), {}, { drain: false })).status).toBe(200);
    const refused = newEventId();
    expect((await postEnvelope(t, eventItem(refused), {}, { drain: false })).status).toBe(429);
    await setFaults(t, {});
    await stubOf(t).setSpoolCaps(null);
    await drainSpool(t.projectId);
    const body = (await receipt(t, refused)).body;
    expect(body).toMatchObject({ status: "dropped", outcome: "rate_limited", reason: "spool_full" });
    expect(body.explanation).toContain("spool was full");
  });

  it("never seen: a likely SDK discard when client reports say so, else unknown; a bad id is a 400", async () => {
    const t = await createTenant();
    const unseen = newEventId();
    const unknown = (await receipt(t, unseen)).body;
    expect(unknown).toMatchObject({ status: "unknown", outcome: null, clientDiscards: [] });
    const report = {
      timestamp: Date.now() / 1000,
      discarded_events: [{ reason: "ratelimit_backoff", category: "error", quantity: 4 }],
    };
    await postEnvelope(t, envelope({}, [{ type: "client_report" }, JSON.stringify(report)]));
    const likely = (await receipt(t, unseen)).body;
    expect(likely.status).toBe("client_discarded");
    expect(likely.clientDiscards).toEqual([{ category: "error", reason: "ratelimit_backoff", quantity: 4 }]);
    const bad = await receipt(t, "not-an-id");
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as { detail: string }).detail).toContain("event id");
  });
});
