// A group commit that D1 wrote although its answer was lost (a timeout after the commit): the next
// flush finds its spool mark in D1 and does not write it again; what follows a commit must then still
// happen once. Its sessions are known to release health (a later update of one is not counted as a new
// session) and its check-ins move their monitor. The fault Worker's D1 commits every batch of the
// project's object and then reports a failure, until the test clears the fault.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { setFaults, stubOf } from "./fault-helpers.ts";
import { createTenant, drainSpool, envelope, postEnvelope, send, type Tenant } from "./helpers.ts";

let faulted: Tenant | null = null;
afterEach(async () => {
  if (faulted) await setFaults(faulted, {});
  faulted = null;
});

const hex = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
const iso = (s: number) => new Date(s * 1000).toISOString();

/** Sends `body` while every commit of the object lands and reports a failure, then lets D1 recover. */
async function sendWhileAnswersAreLost(t: Tenant, body: Uint8Array): Promise<void> {
  faulted = t;
  await setFaults(t, { commitThenFailRate: 1, only: "object" });
  expect((await postEnvelope(t, body, {}, { drain: false })).status).toBe(200);
  // Until the flush of this envelope has failed once (its commit landed, its answer lost).
  for (let i = 0; i < 100 && (await stubOf(t).getStats()).flushFailures === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await stubOf(t).getStats()).flushFailures).toBeGreaterThan(0);
  await setFaults(t, {});
  await drainSpool(t.projectId, 30_000);
}

async function api<T>(t: Tenant, path: string): Promise<T> {
  const res = await send(path, { headers: { authorization: `Bearer ${t.token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

function session(sid: string, status: string, init: boolean, started: number) {
  const body = { sid, init, started: iso(started), timestamp: iso(started + 5), status, errors: 0 };
  return JSON.stringify({ ...body, attrs: { release: "app@1.0", environment: "production" } });
}

describe("a group commit that landed although D1 reported a failure", () => {
  it("counts its session once: the session's next update is not a new one", async () => {
    const t = await createTenant();
    const sid = hex();
    const started = Math.floor(Date.now() / 1000) - 60;
    await sendWhileAnswersAreLost(t, envelope({}, [{ type: "session" }, session(sid, "ok", true, started)]));
    await postEnvelope(t, envelope({}, [{ type: "session" }, session(sid, "exited", false, started)]));
    const body = await api<{ groups: { totals: Record<string, number> }[] }>(
      t,
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&statsPeriod=1h&interval=1h`,
    );
    expect(body.groups[0]?.totals["sum(session)"]).toBe(1);
  });

  it("applies its check-in to the monitor", async () => {
    const t = await createTenant();
    const config = { schedule: { type: "crontab", value: "*/10 * * * *" }, checkin_margin: 2 };
    const checkIn = {
      check_in_id: hex(),
      monitor_slug: "nightly",
      status: "ok",
      environment: "production",
      monitor_config: config,
    };
    await sendWhileAnswersAreLost(t, envelope({}, [{ type: "check_in" }, JSON.stringify(checkIn)]));
    const monitor = await api<{ environments: { name: string; status: string }[] }>(
      t,
      `/api/0/organizations/${t.orgSlug}/monitors/nightly/`,
    );
    expect(monitor.environments).toEqual([expect.objectContaining({ name: "production", status: "ok" })]);
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM monitor_check_ins WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(stored?.n).toBe(1);
  });
});
