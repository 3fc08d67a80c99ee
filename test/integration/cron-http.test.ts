// Sentry's HTTP check-ins, as a crontab line sends them with curl (docs.sentry.io, Crons › HTTP):
// `GET|POST /api/{project}/cron/{slug}/{key}/?status=…`, answered 202 with no body. Without a
// check_in_id the nil id is meant, which Sentry reads as "start a run" (in_progress) or "end the
// newest run in progress" (ok / error), so the same two curl lines work day after day. A JSON body
// is the check-in itself and can create the monitor (monitor_config). Read back through the monitors API.
import { describe, expect, it } from "vitest";
import { createTenant, drainSpool, send, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

interface CheckInJson {
  id: string;
  status: string;
  duration: number | null;
  environment: string;
}

const cronUrl = (t: Tenant, slug: string, query: string) =>
  `/api/${t.projectId}/cron/${slug}/${t.publicKey}/${query ? `?${query}` : ""}`;

/** What curl does: one request, nothing else. */
const curl = send;

async function checkIns(t: Tenant, slug: string): Promise<CheckInJson[]> {
  await drainSpool(t.projectId);
  const res = await call<CheckInJson[]>(
    t.token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/monitors/${slug}/checkins/`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe("HTTP check-ins", () => {
  it("creates the monitor from a JSON body, then pairs curl's in_progress and ok/error without ids, run after run", async () => {
    const t = await createTenant();
    const created = await curl(cronUrl(t, "nightly-export", ""), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        status: "in_progress",
        monitor_config: { schedule: { type: "crontab", value: "0 3 * * *" }, max_runtime: 60 },
      }),
    });
    expect(created.status).toBe(202);
    expect(await created.text()).toBe("");
    expect((await curl(cronUrl(t, "nightly-export", "status=ok"))).status).toBe(202);
    let runs = await checkIns(t, "nightly-export");
    expect(runs.map((r) => r.status)).toEqual(["ok"]);

    // The next night: the same two lines start and end a second run; the first keeps its status.
    expect((await curl(cronUrl(t, "nightly-export", "status=in_progress"))).status).toBe(202);
    await drainSpool(t.projectId);
    expect(
      (await curl(cronUrl(t, "nightly-export", "status=error&duration=12.5"), { method: "POST" })).status,
    ).toBe(202);
    runs = await checkIns(t, "nightly-export");
    expect(runs.map((r) => r.status)).toEqual(["error", "ok"]);
    expect(runs[0]?.duration).toBe(12_500);
    expect(new Set(runs.map((r) => r.id)).size).toBe(2);
  });

  it("takes the key from the query or an auth header, an explicit check_in_id, and an environment", async () => {
    const t = await createTenant();
    const monitor = await call(t.token, "POST", `/api/0/organizations/${t.orgSlug}/monitors/`, {
      project: t.projectSlug,
      name: "Hourly sync",
      slug: "hourly-sync",
      type: "cron_job",
      config: { schedule_type: "crontab", schedule: "0 * * * *" },
    });
    expect(monitor.status, monitor.text).toBe(201);
    const id = crypto.randomUUID();
    const base = `/api/${t.projectId}/cron/hourly-sync/`;
    const started = await curl(
      `${base}?sentry_key=${t.publicKey}&status=in_progress&check_in_id=${id}&environment=staging`,
    );
    expect(started.status).toBe(202);
    await drainSpool(t.projectId);
    const ended = await curl(`${base}?status=ok&check_in_id=${id}&environment=staging`, {
      headers: { "x-sentry-auth": `Sentry sentry_key=${t.publicKey}, sentry_version=7` },
    });
    expect(ended.status).toBe(202);
    const runs = await checkIns(t, "hourly-sync");
    expect(runs).toEqual([expect.objectContaining({ id, status: "ok", environment: "staging" })]);
  });

  it("answers a bad status or id with 400 and a detail, and an unknown key with 403", async () => {
    const t = await createTenant();
    for (const query of ["", "status=done", "status=ok&check_in_id=nope", "status=ok&duration=-1"]) {
      const res = await curl(cronUrl(t, "any-job", query));
      expect(res.status, `${query}: ${await res.clone().text()}`).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/status|check_in_id|duration/);
    }
    const unknown = await curl(`/api/${t.projectId}/cron/any-job/${"f".repeat(32)}/?status=ok`);
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ detail: expect.any(String) });
  });
});
