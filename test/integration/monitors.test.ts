// Cron monitors through the real Worker: check-ins with monitor_config create the monitor; the
// project's Durable Object arms its alarm for the next run's deadline, and the alarm (driven here with
// runDurableObjectAlarm) marks a run that never checked in as missed and a run in progress too long as
// timed out, opening the monitor's issue; an ok check-in resolves it. Sentry's monitor API answers.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { alertProject, createRule, FIRST_SEEN, waitForReceived } from "./alert-helpers.ts";
import { createTenant, drainSpool, envelope, issuesOf, postEnvelope, send, type Tenant } from "./helpers.ts";

const hex = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

function checkIn(slug: string, status: string, extra: Record<string, unknown> = {}) {
  const body = { check_in_id: hex(), monitor_slug: slug, status, environment: "production", ...extra };
  return { id: body.check_in_id, bytes: envelope({}, [{ type: "check_in" }, JSON.stringify(body)]) };
}

/** A check-in id as Sentry's API writes it: the hyphenated UUID of the 32 hex characters. */
const guid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const projectObject = (t: Tenant) => env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
const alarmAt = (t: Tenant) => runInDurableObject(projectObject(t), (_i, state) => state.storage.getAlarm());

interface MonitorJson {
  slug: string;
  name: string;
  status: string;
  config: Record<string, unknown>;
  environments: {
    name: string;
    status: string;
    nextCheckIn: string | null;
    nextCheckInLatest: string | null;
    lastCheckIn: string | null;
  }[];
}
interface CheckInJson {
  id: string;
  status: string;
  duration: number | null;
  expectedTime: string | null;
}

async function api<T>(t: Tenant, method: string, path: string, body?: unknown) {
  const res = await send(path, {
    method,
    headers: { authorization: `Bearer ${t.token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Moves the monitor's deadlines `seconds` into the past: the time the test does not wait for. */
async function timePasses(t: Tenant, seconds: number) {
  await env.DB.prepare(
    `UPDATE monitor_environments SET next_check_in = next_check_in - ?1, next_check_in_latest = next_check_in_latest - ?1
     WHERE project_id = ?2`,
  )
    .bind(seconds, t.projectId)
    .run();
  await env.DB.prepare(
    "UPDATE monitor_check_ins SET timeout_at = timeout_at - ?1 WHERE project_id = ?2 AND timeout_at IS NOT NULL",
  )
    .bind(seconds, t.projectId)
    .run();
}

const monitorIssues = async (t: Tenant) =>
  (await issuesOf(t.projectId)).filter((i) => String(i.title).startsWith("Cron failure"));

describe("cron monitors", () => {
  it("upserts from monitor_config, marks a run that never came missed from the alarm, and recovers", async () => {
    const t = await createTenant();
    const config = {
      schedule: { type: "crontab", value: "*/10 * * * *" },
      checkin_margin: 2,
      max_runtime: 5,
      timezone: "Europe/Vienna",
    };
    const first = checkIn("nightly-report", "ok", { monitor_config: config, duration: 1.5 });
    expect((await postEnvelope(t, first.bytes)).status).toBe(200);

    const monitor = await api<MonitorJson>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/nightly-report/`,
    );
    expect(monitor.status).toBe(200);
    expect(monitor.body.config).toMatchObject({
      schedule_type: "crontab",
      schedule: "*/10 * * * *",
      checkin_margin: 2,
      timezone: "Europe/Vienna",
    });
    const environment = monitor.body.environments[0];
    expect(environment).toMatchObject({ name: "production", status: "ok" });
    // The next run is the next ten-minute mark after the check-in; its deadline two minutes later.
    const next = Date.parse(environment?.nextCheckIn ?? "");
    expect(next % 600_000).toBe(0);
    expect(next - Date.now()).toBeLessThanOrEqual(600_000);
    const latest = Date.parse(environment?.nextCheckInLatest ?? "");
    expect(latest - next).toBe(120_000);
    // The object's alarm is armed for that deadline: the miss is detected on time, with no check-in.
    expect(await alarmAt(t)).toBeLessThanOrEqual(latest);

    // The deadline passes (just) without a check-in: the alarm records that one run missed and opens
    // the monitor's issue.
    await timePasses(t, Math.ceil((latest - Date.now()) / 1000) + 1);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    await drainSpool(t.projectId);
    const runs = await api<CheckInJson[]>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/nightly-report/checkins/`,
    );
    expect(runs.body.map((c) => c.status)).toEqual(["missed", "ok"]);
    expect(runs.body[1]).toMatchObject({ id: guid(first.id), duration: 1500 });
    expect(runs.body[0]?.id).toMatch(UUID);
    expect(runs.body[0]?.expectedTime).not.toBeNull();
    const [issue] = await monitorIssues(t);
    expect(issue).toMatchObject({ title: "Cron failure: nightly-report", status: "unresolved" });
    const after = await api<MonitorJson>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/nightly-report/`,
    );
    expect(after.body.environments[0]?.status).toBe("missed");
    // The next deadline is in the future again, and the alarm armed for it.
    const nextLatest = Date.parse(after.body.environments[0]?.nextCheckInLatest ?? "");
    expect(nextLatest).toBeGreaterThan(Date.now());
    expect(await alarmAt(t)).toBeLessThanOrEqual(nextLatest);

    // The job runs again: an ok check-in resolves the monitor's issue.
    await postEnvelope(t, checkIn("nightly-report", "ok").bytes);
    expect((await monitorIssues(t))[0]).toMatchObject({ id: issue?.id, status: "resolved" });
    const recovered = await api<MonitorJson>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/nightly-report/`,
    );
    expect(recovered.body.environments[0]?.status).toBe("ok");
  });

  it("times out a run in progress past max_runtime, ties ok to its run, and counts error check-ins", async () => {
    const t = await createTenant();
    const config = {
      schedule: { type: "interval", value: 1, unit: "hour" },
      max_runtime: 3,
      failure_issue_threshold: 2,
    };
    const run = checkIn("backup", "in_progress", { monitor_config: config });
    await postEnvelope(t, run.bytes);
    const ok = {
      check_in_id: run.id,
      monitor_slug: "backup",
      status: "ok",
      environment: "production",
      duration: 42,
    };
    await postEnvelope(t, envelope({}, [{ type: "check_in" }, JSON.stringify(ok)]));
    let runs = await api<CheckInJson[]>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/backup/checkins/`,
    );
    expect(runs.body).toEqual([expect.objectContaining({ id: guid(run.id), status: "ok", duration: 42000 })]);

    // A run that never ends: timed out by the alarm once max_runtime passed (first failure: below threshold).
    await postEnvelope(t, checkIn("backup", "in_progress").bytes);
    await timePasses(t, 4 * 60);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    await drainSpool(t.projectId);
    runs = await api<CheckInJson[]>(t, "GET", `/api/0/organizations/${t.orgSlug}/monitors/backup/checkins/`);
    expect(runs.body.map((c) => c.status)).toEqual(["timeout", "ok"]);
    expect(await monitorIssues(t)).toEqual([]);
    // The second failure in a row (an error check-in) reaches failure_issue_threshold 2: an issue.
    await postEnvelope(t, checkIn("backup", "error").bytes);
    await drainSpool(t.projectId);
    const issues = await monitorIssues(t);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.culprit).toBe("An error check-in was detected");
  });

  it("fires the project's issue alerts on the monitor's issue, which regresses when the job fails after recovering", async () => {
    const p = await alertProject();
    await createRule(p, { name: "New issue", conditions: [{ id: FIRST_SEEN }] });
    const config = { schedule: { type: "crontab", value: "0 * * * *" } };
    await postEnvelope(p.t, checkIn("alerted-job", "error", { monitor_config: config }).bytes);
    await drainSpool(p.t.projectId);
    const [first] = await waitForReceived(p.name, 1);
    expect(JSON.stringify(first?.body)).toContain("Cron failure: alerted-job");
    await postEnvelope(p.t, checkIn("alerted-job", "ok").bytes);
    expect((await monitorIssues(p.t))[0]?.status).toBe("resolved");
    await postEnvelope(p.t, checkIn("alerted-job", "error").bytes);
    await drainSpool(p.t.projectId);
    // The same issue, unresolved again as a regression (the rule's 5-minute frequency holds its next alert).
    const [again] = await monitorIssues(p.t);
    expect(again).toMatchObject({ status: "unresolved", substatus: "regressed", times_seen: 2 });
  });

  it("resolves the issue of a failure whose recovery arrived in the same commit, once the failure's event is stored", async () => {
    const t = await createTenant();
    const config = { schedule: { type: "crontab", value: "0 * * * *" } };
    const error = { check_in_id: hex(), monitor_slug: "burst", status: "error", monitor_config: config };
    const ok = { check_in_id: hex(), monitor_slug: "burst", status: "ok" };
    // Both in one envelope: one group commit applies the failure (its event goes to the spool) and the
    // recovery, which finds no issue to resolve yet.
    await postEnvelope(
      t,
      envelope({}, [{ type: "check_in" }, JSON.stringify(error)], [{ type: "check_in" }, JSON.stringify(ok)]),
    );
    await drainSpool(t.projectId);
    expect((await monitorIssues(t))[0]?.status).toBe("unresolved");
    // The alarm (armed a few seconds out for it) resolves the issue now that it exists.
    expect(await alarmAt(t)).not.toBeNull();
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    expect((await monitorIssues(t))[0]?.status).toBe("resolved");
  });

  it("creates, updates, lists and deletes monitors through the API, with Sentry's field errors", async () => {
    const t = await createTenant();
    const base = `/api/0/organizations/${t.orgSlug}/monitors/`;
    const created = await api<MonitorJson>(t, "POST", base, {
      name: "Hourly Sync",
      project: t.projectSlug,
      type: "cron_job",
      config: { schedule_type: "interval", schedule: [1, "hour"], checkin_margin: 5, timezone: "UTC" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: "hourly-sync", name: "Hourly Sync", status: "active" });
    expect(created.body.config).toMatchObject({ schedule_type: "interval", schedule: [1, "hour"] });
    expect(
      (
        await api(t, "POST", base, {
          name: "Hourly Sync",
          project: t.projectSlug,
          config: { schedule: "0 * * * *" },
        })
      ).status,
    ).toBe(400);
    const bad = await api<Record<string, unknown>>(t, "POST", base, {
      name: "x",
      project: t.projectSlug,
      config: { schedule: "61 * * * *" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveProperty("config.schedule");

    const updated = await api<MonitorJson>(t, "PUT", `${base}hourly-sync/`, {
      name: "Sync",
      config: { schedule: "0 * * * *" },
    });
    expect(updated.body).toMatchObject({
      name: "Sync",
      config: { schedule_type: "crontab", schedule: "0 * * * *" },
    });
    const list = await api<MonitorJson[]>(t, "GET", `${base}?project=${t.projectId}`);
    expect(list.body.map((m) => m.slug)).toEqual(["hourly-sync"]);
    expect((await api(t, "DELETE", `${base}hourly-sync/`)).status).toBe(202);
    expect((await api(t, "GET", `${base}hourly-sync/`)).status).toBe(404);
  });

  it("answers stats per bucket, the monitor under its project's path, and lists filtered", async () => {
    const t = await createTenant();
    const config = { schedule: { type: "crontab", value: "0 * * * *" }, checkin_margin: 5 };
    await postEnvelope(t, checkIn("stats-job", "ok", { monitor_config: config, duration: 2 }).bytes);
    await postEnvelope(t, checkIn("stats-job", "ok", { duration: 4 }).bytes);
    await postEnvelope(t, checkIn("stats-job", "error").bytes);
    await postEnvelope(t, checkIn("other-job", "ok", { monitor_config: config }).bytes);
    // Until a minute ahead: the runs' times are the object's clock, and may be ahead of this one's.
    const real = Date.now() / 1000;
    const until = Math.floor(real) + 60;
    const stats = await api<Record<string, number>[]>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/stats-job/stats/?since=${until - 3 * 3600}&until=${until}&resolution=1h`,
    );
    expect(stats.status).toBe(200);
    // Every hour of the range, oldest first; the runs' hour holds the three, 3 s on average.
    const last = until - (until % 3600);
    expect(stats.body.map((b) => b.ts)).toEqual([3, 2, 1, 0].map((h) => last - h * 3600));
    expect(stats.body.find((b) => b.ts === Math.floor(real / 3600) * 3600)).toEqual({
      ts: Math.floor(real / 3600) * 3600,
      ok: 2,
      error: 1,
      missed: 0,
      timeout: 0,
      duration: 3000,
    });
    expect(stats.body[0]).toMatchObject({ ok: 0, error: 0, duration: 0 });
    const day = await api<unknown[]>(t, "GET", `/api/0/organizations/${t.orgSlug}/monitors/stats-job/stats/`);
    expect(day.body).toHaveLength(25);
    const bad = await api(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/stats-job/stats/?resolution=1s`,
    );
    expect(bad.status).toBe(400);

    const underProject = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/monitors/stats-job/`;
    expect((await api<MonitorJson>(t, "GET", underProject)).body.slug).toBe("stats-job");
    expect((await api<unknown[]>(t, "GET", `${underProject}checkins/`)).body).toHaveLength(3);
    expect((await api<unknown[]>(t, "GET", `${underProject}stats/`)).status).toBe(200);
    const secondSlug = `second-${t.projectId}`;
    await env.DB.prepare(
      "INSERT INTO projects (organization_id, slug, name, platform, created_at) VALUES (?, ?, ?, 'rust', ?)",
    )
      .bind(t.orgId, secondSlug, secondSlug, Date.now() / 1000)
      .run();
    const elsewhere = `/api/0/projects/${t.orgSlug}/${secondSlug}/monitors/stats-job/`;
    expect((await api(t, "GET", elsewhere)).status).toBe(404);

    const base = `/api/0/organizations/${t.orgSlug}/monitors/`;
    const slugs = async (query: string) =>
      (await api<MonitorJson[]>(t, "GET", `${base}?${query}`)).body.map((m) => m.slug);
    expect(await slugs("")).toEqual(["other-job", "stats-job"]);
    expect(await slugs("query=stats")).toEqual(["stats-job"]);
    expect(await slugs(`projectSlug=${t.projectSlug}`)).toEqual(["other-job", "stats-job"]);
    expect(await slugs(`projectSlug=${secondSlug}`)).toEqual([]);
  });

  it("records a missed run for every environment that missed the same deadline", async () => {
    const t = await createTenant();
    const config = { schedule: { type: "crontab", value: "*/10 * * * *" }, checkin_margin: 1 };
    for (const environment of ["production", "staging"])
      expect(
        (await postEnvelope(t, checkIn("twin-job", "ok", { monitor_config: config, environment }).bytes))
          .status,
      ).toBe(200);
    await drainSpool(t.projectId);
    // Both environments' next run has the same deadline; it passes with no check-in from either.
    await timePasses(t, 11 * 60);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    await drainSpool(t.projectId);
    const runs = await api<(CheckInJson & { environment: string })[]>(
      t,
      "GET",
      `/api/0/organizations/${t.orgSlug}/monitors/twin-job/checkins/`,
    );
    const missed = runs.body.filter((c) => c.status === "missed");
    expect([...new Set(missed.map((c) => c.environment))].sort()).toEqual(["production", "staging"]);
    for (const c of missed) expect(c.id).toMatch(UUID);
    expect(new Set(missed.map((c) => c.id)).size).toBe(missed.length);
  });
});
