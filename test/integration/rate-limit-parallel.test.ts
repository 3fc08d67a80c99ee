// A key's rate limit as SDKs meet it: under parallel requests (the project's one Durable Object
// serializes admission, so a limit of N lets exactly N events through however many arrive at once),
// and per category (an envelope whose error the limit drops keeps its other items, answers 200 with
// the limit in X-Sentry-Rate-Limits, as Relay does). Read back through the event list and stats_v2.
import { describe, expect, it } from "vitest";
import { createTenant, drainSpool, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, outcomeTotals } from "./tenant-helpers.ts";

function errorEnvelope(message: string): Uint8Array {
  const id = newEventId();
  const event = {
    event_id: id,
    exception: { values: [{ type: "LimitError", value: message }] },
    platform: "rust",
  };
  return envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]);
}

async function listedEvents(t: Tenant): Promise<number> {
  const res = await call<unknown[]>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/?per_page=100`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body.length;
}

describe("a key's rate limit", () => {
  it("lets exactly its count through when many requests arrive at once", async () => {
    const t = await createTenant({ keyLimit: [5, 60] });
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => postEnvelope(t, errorEnvelope(`parallel ${i}`))),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
    for (const r of answers.filter((a) => a.status === 429))
      expect(r.headers.get("x-sentry-rate-limits")).toMatch(/^\d+:default;error;security:key:key_quota$/);
    await drainSpool(t.projectId);
    expect(await listedEvents(t)).toBe(5);
    expect(await outcomeTotals(t, "error")).toEqual({ "error/accepted": 5, "error/rate_limited": 19 });
  });

  it("drops only the limited item of an envelope: 200 with the limit in the headers, the session kept", async () => {
    const t = await createTenant({ keyLimit: [1, 60] });
    expect((await postEnvelope(t, errorEnvelope("within the limit"))).status).toBe(200);
    const id = newEventId();
    const session = JSON.stringify({
      sid: crypto.randomUUID(),
      started: new Date().toISOString(),
      status: "ok",
      attrs: { release: "limits@1.0.0" },
    });
    const event = { event_id: id, exception: { values: [{ type: "LimitError", value: "over" }] } };
    const res = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)], [{ type: "session" }, session]),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-sentry-rate-limits")).toMatch(/^\d+:default;error;security:key:key_quota$/);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    await drainSpool(t.projectId);
    expect(await listedEvents(t)).toBe(1);
    expect(await outcomeTotals(t, "error")).toEqual({ "error/accepted": 1, "error/rate_limited": 1 });
    const sessions = await call<{ groups: { totals: Record<string, number> }[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&statsPeriod=1h&interval=1h`,
    );
    expect(sessions.body.groups[0]?.totals["sum(session)"]).toBe(1);
  });
});
