// Release health through the real Worker: session updates and aggregates sent as envelopes, counted in
// the project Durable Object's group commits, answered by Sentry's sessions API and the releases'
// healthData — against numbers this test works out from what it sent.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, postEnvelope, send, type Tenant } from "./helpers.ts";

const sid = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
const iso = (s: number) => new Date(s * 1000).toISOString();

interface Session {
  sid: string;
  duration?: number;
  did?: string;
  status: string;
  errors?: number;
  init?: boolean;
  started: number;
  release: string;
  environment?: string;
}

function sessionEnvelope(...sessions: Session[]) {
  return envelope(
    {},
    ...sessions.map((s): [object, string] => [
      { type: "session" },
      JSON.stringify({
        sid: s.sid,
        did: s.did,
        init: s.init ?? false,
        started: iso(s.started),
        timestamp: iso(s.started + 5),
        status: s.status,
        errors: s.errors ?? 0,
        duration: s.duration,
        attrs: { release: s.release, environment: s.environment ?? "production" },
      }),
    ]),
  );
}

interface SessionsGroup {
  by: Record<string, string | number | null>;
  totals: Record<string, number | null>;
  series: Record<string, number[]>;
}
interface SessionsBody {
  intervals: string[];
  groups: SessionsGroup[];
  detail?: string;
}

async function api(t: Tenant, path: string) {
  const res = await send(path, { headers: { authorization: `Bearer ${t.token}` } });
  return { status: res.status, body: (await res.json()) as SessionsBody };
}

describe("release health", () => {
  it("counts each session once under its worst status across commits, and users by distinct id", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000) - 60;
    const a = sid();
    const b = sid();
    const c = sid();
    const d = sid();
    // Four sessions of 1.0 started: a ends healthy, b gets an error then exits, c crashes, d stays ok.
    await postEnvelope(
      t,
      sessionEnvelope(
        { sid: a, did: "u1", status: "ok", init: true, started: now, release: "app@1.0" },
        { sid: b, did: "u2", status: "ok", init: true, started: now, release: "app@1.0" },
        { sid: c, did: "u3", status: "ok", init: true, started: now, release: "app@1.0" },
        { sid: d, did: "u3", status: "ok", init: true, started: now, release: "app@1.0" },
      ),
    );
    // Later commits: the updates that end them (b errored, then exits: still errored; c crashed).
    await postEnvelope(
      t,
      sessionEnvelope({ sid: b, did: "u2", status: "ok", errors: 1, started: now, release: "app@1.0" }),
    );
    await postEnvelope(
      t,
      sessionEnvelope(
        { sid: a, did: "u1", status: "exited", started: now, release: "app@1.0" },
        { sid: b, did: "u2", status: "exited", errors: 1, started: now, release: "app@1.0" },
        { sid: c, did: "u3", status: "crashed", started: now, release: "app@1.0" },
      ),
    );
    // A repeated crash update changes nothing; one healthy session of 2.0.
    await postEnvelope(
      t,
      sessionEnvelope({ sid: c, did: "u3", status: "crashed", started: now, release: "app@1.0" }),
    );
    await postEnvelope(
      t,
      sessionEnvelope({
        sid: sid(),
        did: "u9",
        status: "exited",
        init: true,
        started: now,
        release: "app@2.0",
      }),
    );

    // Worked out from what was sent: 1.0 has 4 sessions (a, d healthy; b errored; c crashed), users
    // u1, u2, u3 of which u3 crashed; 2.0 has 1 session and 1 user, both healthy.
    const expected = {
      "app@1.0": { sessions: 4, users: 3, crashFreeSessions: 1 - 1 / 4, crashFreeUsers: 1 - 1 / 3 },
      "app@2.0": { sessions: 1, users: 1, crashFreeSessions: 1, crashFreeUsers: 1 },
    };
    const fields = [
      "sum(session)",
      "count_unique(user)",
      "crash_free_rate(session)",
      "crash_free_rate(user)",
    ];
    const q = `${fields.map((f) => `field=${encodeURIComponent(f)}`).join("&")}&groupBy=release&statsPeriod=24h&interval=1h`;
    const res = await api(t, `/api/0/organizations/${t.orgSlug}/sessions/?${q}&project=${t.projectId}`);
    expect(res.status).toBe(200);
    expect(res.body.intervals.length).toBeGreaterThanOrEqual(24);
    const byRelease = Object.fromEntries(res.body.groups.map((g) => [String(g.by.release), g.totals]));
    for (const [release, want] of Object.entries(expected)) {
      const totals = byRelease[release] ?? {};
      expect(totals["sum(session)"]).toBe(want.sessions);
      expect(totals["count_unique(user)"]).toBe(want.users);
      expect(totals["crash_free_rate(session)"]).toBeCloseTo(want.crashFreeSessions, 10);
      expect(totals["crash_free_rate(user)"]).toBeCloseTo(want.crashFreeUsers, 10);
    }
    // The series put every session in the hour it started.
    const group = res.body.groups.find((g) => g.by.release === "app@1.0");
    const series = group?.series["sum(session)"] ?? [];
    expect(series.reduce((x, y) => x + y, 0)).toBe(4);
    const hourIndex = res.body.intervals.indexOf(iso(Math.floor(now / 3600) * 3600).replace(".000Z", "Z"));
    expect(series[hourIndex]).toBe(4);

    const byStatus = await api(
      t,
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&groupBy=session.status&query=release:app@1.0&statsPeriod=1d`,
    );
    const statuses = Object.fromEntries(
      byStatus.body.groups.map((g) => [g.by["session.status"], g.totals["sum(session)"]]),
    );
    expect(statuses).toMatchObject({ healthy: 2, errored: 1, crashed: 1, abnormal: 0 });

    // D1 holds the counters: one row per release and hour, not one per update.
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM release_health_hours WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(2);
  });

  it("adds aggregates (request mode) directly, users by their worst bucket", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000) - 120;
    const body = {
      attrs: { release: "api@3", environment: "production" },
      aggregates: [
        { started: iso(now), did: "alice", exited: 5, errored: 1 },
        { started: iso(now), did: "bob", exited: 2, crashed: 2 },
        { started: iso(now), exited: 10, abnormal: 1 },
      ],
    };
    await postEnvelope(t, envelope({}, [{ type: "sessions" }, JSON.stringify(body)]));
    const res = await api(
      t,
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&field=crash_free_rate(session)&field=count_unique(user)&field=crash_free_rate(user)&statsPeriod=24h`,
    );
    const totals = res.body.groups[0]?.totals ?? {};
    const sessions = 5 + 1 + 2 + 2 + 10 + 1;
    expect(totals["sum(session)"]).toBe(sessions);
    expect(totals["crash_free_rate(session)"]).toBeCloseTo(1 - 2 / sessions, 10);
    expect(totals["count_unique(user)"]).toBe(2);
    expect(totals["crash_free_rate(user)"]).toBeCloseTo(0.5, 10);
  });

  it("adds healthData to the releases list and detail with health=1", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000) - 60;
    // 1.0: 3 sessions of 3 users, one crashed; 2.0: 1 healthy session of a 4th user.
    await postEnvelope(
      t,
      sessionEnvelope(
        { sid: sid(), did: "u1", status: "exited", init: true, started: now, release: "web@1.0" },
        { sid: sid(), did: "u2", status: "exited", init: true, started: now, release: "web@1.0" },
        { sid: sid(), did: "u3", status: "crashed", init: true, started: now, release: "web@1.0" },
        { sid: sid(), did: "u4", status: "exited", init: true, started: now, release: "web@2.0" },
      ),
    );
    const list = await send(`/api/0/organizations/${t.orgSlug}/releases/?health=1&project=${t.projectId}`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(list.status).toBe(200);
    type Health = Record<string, number | null | boolean | Record<string, [number, number][]>>;
    const releases = (await list.json()) as {
      version: string;
      projects: { hasHealthData: boolean; healthData: Health }[];
    }[];
    const one = releases.find((r) => r.version === "web@1.0")?.projects[0];
    expect(one?.hasHealthData).toBe(true);
    expect(one?.healthData).toMatchObject({
      totalSessions: 3,
      totalUsers: 3,
      sessionsCrashed: 1,
      totalProjectSessions24h: 4,
      totalProjectUsers24h: 4,
    });
    expect(one?.healthData.crashFreeSessions).toBeCloseTo(100 * (2 / 3), 8);
    expect(one?.healthData.crashFreeUsers).toBeCloseTo(100 * (2 / 3), 8);
    expect(one?.healthData.sessionsAdoption).toBeCloseTo(75, 8);
    expect(one?.healthData.adoption).toBeCloseTo(75, 8);
    const stats = (one?.healthData.stats ?? {}) as Record<string, [number, number][]>;
    const points = stats["24h"] ?? [];
    expect(points.length).toBeGreaterThanOrEqual(24);
    expect(points.reduce((n, [, v]) => n + v, 0)).toBe(3);

    const detail = await send(
      `/api/0/organizations/${t.orgSlug}/releases/web@2.0/?health=1&healthStatsPeriod=14d`,
      { headers: { authorization: `Bearer ${t.token}` } },
    );
    const body = (await detail.json()) as { projects: { healthData: Health }[] };
    expect(body.projects[0]?.healthData).toMatchObject({
      totalSessions: 1,
      crashFreeSessions: 100,
      crashFreeUsers: 100,
    });
    expect(Object.keys(body.projects[0]?.healthData.stats ?? {})).toEqual(["14d"]);
    // healthStat=users: the points count distinct users (web@1.0's three) instead of sessions.
    const byUsers = await send(
      `/api/0/organizations/${t.orgSlug}/releases/web@1.0/?health=1&healthStat=users`,
      {
        headers: { authorization: `Bearer ${t.token}` },
      },
    );
    const userStats = ((await byUsers.json()) as { projects: { healthData: Health }[] }).projects[0]
      ?.healthData.stats;
    const userPoints = (userStats ?? {}) as Record<string, [number, number][]>;
    expect((userPoints["24h"] ?? []).reduce((n, [, v]) => n + v, 0)).toBe(3);
    // Without health=1 the list still says which releases have sessions, without healthData.
    const plain = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/releases/`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const plainBody = (await plain.json()) as {
      projects: { hasHealthData: boolean; healthData?: unknown }[];
    }[];
    expect(
      plainBody.every(
        (r) => r.projects[0]?.hasHealthData === true && r.projects[0]?.healthData === undefined,
      ),
    ).toBe(true);
  });

  it("answers duration percentiles of healthy exited sessions (ms) and healthData's (seconds)", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000) - 60;
    // Nine healthy sessions of 10 s and one of 200 s; a crashed one of 1000 s does not count.
    const exits: Session[] = [
      ...Array.from({ length: 9 }, () => ({
        sid: sid(),
        status: "exited",
        duration: 10,
        started: now,
        release: "dur@1",
      })),
      { sid: sid(), status: "exited", duration: 200, started: now, release: "dur@1" },
      { sid: sid(), status: "crashed", duration: 1000, started: now, release: "dur@1" },
    ];
    await postEnvelope(t, sessionEnvelope(...exits));
    const res = await api(
      t,
      `/api/0/organizations/${t.orgSlug}/sessions/?field=p50(session.duration)&field=p99(session.duration)&field=sum(session)&statsPeriod=24h`,
    );
    const totals = res.body.groups[0]?.totals ?? {};
    expect(totals["sum(session)"]).toBe(11);
    // Within the histogram's ±9% of the true values.
    expect(Math.abs((totals["p50(session.duration)"] ?? 0) - 10_000)).toBeLessThan(900);
    expect(Math.abs((totals["p99(session.duration)"] ?? 0) - 200_000)).toBeLessThan(18_000);
    const detail = await send(`/api/0/organizations/${t.orgSlug}/releases/dur@1/?health=1`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const health = (
      (await detail.json()) as { projects: { healthData: { durationP50: number; durationP90: number } }[] }
    ).projects[0]?.healthData;
    expect(Math.abs((health?.durationP50 ?? 0) - 10)).toBeLessThan(0.9);
    expect(Math.abs((health?.durationP90 ?? 0) - 10)).toBeLessThan(0.9);
  });

  it("groups by environment and project, and filters by the environment parameter and the query together", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000) - 60;
    await postEnvelope(
      t,
      sessionEnvelope(
        { sid: sid(), status: "exited", started: now, release: "env@1", environment: "production" },
        { sid: sid(), status: "crashed", started: now, release: "env@1", environment: "production" },
        { sid: sid(), status: "exited", started: now, release: "env@1", environment: "staging" },
      ),
    );
    const base = `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&statsPeriod=24h`;
    const grouped = await api(t, `${base}&groupBy=environment&groupBy=project`);
    const byEnv = Object.fromEntries(grouped.body.groups.map((g) => [String(g.by.environment), g]));
    expect(byEnv.production?.totals["sum(session)"]).toBe(2);
    expect(byEnv.staging?.totals["sum(session)"]).toBe(1);
    expect(byEnv.production?.by.project).toBe(t.projectId);
    const total = async (q: string) => (await api(t, `${base}${q}`)).body.groups[0]?.totals["sum(session)"];
    expect(await total("&environment=production")).toBe(2);
    expect(await total("&query=environment:staging")).toBe(1);
    // Both apply: production and staging at once match nothing.
    expect(await total("&environment=production&query=environment:staging")).toBe(0);
  });

  it("answers bad parameters with a 400 and a detail", async () => {
    const t = await createTenant();
    const base = `/api/0/organizations/${t.orgSlug}/sessions/`;
    for (const q of [
      "",
      "?field=p50(foo)",
      "?field=sum(session)&interval=10m",
      "?field=sum(session)&groupBy=user",
      "?field=crash_free_rate(session)&groupBy=session.status",
      "?field=sum(session)&query=transaction:x",
    ]) {
      const res = await api(t, `${base}${q}`);
      expect(res.status, q).toBe(400);
      expect(typeof res.body.detail).toBe("string");
    }
  });

  it("counts the session of a client whose clock is two hours ahead, shifted by its sent_at", async () => {
    const t = await createTenant();
    const ahead = Math.floor(Date.now() / 1000) + 7200;
    const update = JSON.stringify({
      sid: sid(),
      init: true,
      started: iso(ahead - 10),
      timestamp: iso(ahead),
      status: "exited",
      attrs: { release: "skewed@1.0", environment: "production" },
    });
    const res = await postEnvelope(t, envelope({ sent_at: iso(ahead) }, [{ type: "session" }, update]));
    expect(res.status).toBe(200);
    const { body } = await api(
      t,
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&statsPeriod=1h&interval=1h`,
    );
    expect(body.groups[0]?.totals["sum(session)"]).toBe(1);
  });
});
