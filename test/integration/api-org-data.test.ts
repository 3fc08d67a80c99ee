// Event lookup by id, environments, user feedback and usage stats (stats_v2, project stats).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { errorEvent, type Sent, sendWorld } from "./discover-fixtures.ts";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

type Row = Record<string, unknown>;
let t: Tenant;
let other: Tenant;
let sent: Sent;
let foreign: Sent;

beforeAll(async () => {
  t = await createTenant();
  other = await createTenant();
  sent = await sendWorld(t);
  foreign = await sendWorld(other, "foreign");
});

describe("GET /organizations/{org}/eventids/{event_id}/", () => {
  it("finds the event's project and issue", async () => {
    const id = sent.errorIds[0] ?? "";
    const res = await call<Row>(t.token, "GET", `/api/0/organizations/${t.orgSlug}/eventids/${id}/`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      organizationSlug: t.orgSlug,
      projectSlug: t.projectSlug,
      groupId: expect.stringMatching(/^\d+$/),
      eventId: id,
      event: { eventID: id, id },
    });
  });

  it("another organization's event id is a 404", async () => {
    const res = await call(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/eventids/${foreign.errorIds[0]}/`,
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: expect.any(String) });
    expect(
      (await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/eventids/${newEventId()}/`)).status,
    ).toBe(404);
  });
});

describe("environments", () => {
  it("lists the organization's and the project's environments", async () => {
    const org = await call<Row[]>(t.token, "GET", `/api/0/organizations/${t.orgSlug}/environments/`);
    expect(org.status, org.text).toBe(200);
    expect(org.body.map((e) => e.name)).toEqual(["production", "staging"]);
    expect(org.body[0]?.id).toMatch(/^\d+$/);
    const project = await call<Row[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/environments/`,
    );
    expect(project.body).toEqual([
      { id: org.body[0]?.id, name: "production", isHidden: false },
      { id: org.body[1]?.id, name: "staging", isHidden: false },
    ]);
    const hidden = await call<Row[]>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/environments/?visibility=hidden`,
    );
    expect(hidden.body).toEqual([]);
    const bad = await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/environments/?visibility=some`);
    expect(bad.status).toBe(400);
  });
});

describe("user feedback", () => {
  const path = () => `/api/0/projects/${t.orgSlug}/${t.projectSlug}/user-feedback/`;

  it("stores a report once, lists it in Sentry's shape, and never rewrites it", async () => {
    const eventId = sent.errorIds[1] ?? "";
    const report = {
      event_id: eventId,
      name: "Ada",
      email: "ada@example.test",
      comments: "It broke at checkout",
    };
    const created = await call<Row>(t.token, "POST", path(), report);
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({
      eventID: eventId,
      name: "Ada",
      email: "ada@example.test",
      comments: "It broke at checkout",
      event: { id: eventId, eventID: eventId },
      issue: { id: expect.any(String) },
    });
    const retry = await call<Row>(t.token, "POST", path(), report);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(created.body.id);
    const conflicting = await call(t.token, "POST", path(), { ...report, comments: "something else" });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toEqual({ detail: expect.any(String) });
    const list = await call<Row[]>(t.token, "GET", path());
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({
      id: created.body.id,
      comments: "It broke at checkout",
      dateCreated: expect.any(String),
    });
    const otherList = await call<Row[]>(
      other.token,
      "GET",
      `/api/0/projects/${other.orgSlug}/${other.projectSlug}/user-feedback/`,
    );
    expect(otherList.body).toEqual([]);
  });

  it("lists an issue's reports, and counts them on the issue (the MCP server's get_issue_user_reports)", async () => {
    const eventId = sent.errorIds[0] ?? "";
    const created = await call<Row>(t.token, "POST", path(), {
      event_id: eventId,
      comments: "on this issue",
    });
    expect(created.status).toBe(200);
    const issueId = String((created.body.issue as Row).id);
    const reports = await call<Row[]>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/issues/${issueId}/user-reports/`,
    );
    expect(reports.status).toBe(200);
    expect(reports.body.map((r) => r.comments)).toContain("on this issue");
    expect(reports.body.every((r) => (r.issue as Row).id === issueId)).toBe(true);
    const issue = await call<Row>(t.token, "GET", `/api/0/issues/${issueId}/`);
    expect(issue.body.userReportCount).toBe(reports.body.length);
    const foreign = await call(other.token, "GET", `/api/0/issues/${issueId}/user-reports/`);
    expect(foreign.status).toBe(404);
  });

  it("stores a user_report envelope item once when the SDK sends the envelope again", async () => {
    const eventId = sent.errorIds[2] ?? "";
    const report = JSON.stringify({
      event_id: eventId,
      name: "Bo",
      email: "bo@example.test",
      comments: "twice",
    });
    const body = envelope({ event_id: eventId }, [{ type: "user_report" }, report]);
    expect((await postEnvelope(t, body)).status).toBe(200);
    expect((await postEnvelope(t, body)).status).toBe(200);
    const list = await call<Row[]>(t.token, "GET", path());
    expect(list.body.filter((r) => r.eventID === eventId).map((r) => r.comments)).toEqual(["twice"]);
  });

  it.each([
    [{ comments: "no event" }],
    [{ event_id: "xyz", comments: "bad id" }],
    [{ event_id: "a".repeat(32) }],
    [{ event_id: "a".repeat(32), comments: "x", email: "not an email" }],
    [[1, 2]],
  ])("rejects %j with a detail", async (body) => {
    const res = await call(t.token, "POST", path(), body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });
});

interface StatsBody {
  start: string;
  end: string;
  intervals: string[];
  groups: {
    by: Record<string, string | number>;
    totals: Record<string, number>;
    series: Record<string, number[]>;
  }[];
}

describe("usage stats", () => {
  it("stats_v2 sums accepted outcomes by category", async () => {
    const res = await call<StatsBody>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=category&groupBy=outcome&statsPeriod=1d&interval=1h`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.intervals.length).toBeGreaterThanOrEqual(24);
    expect(res.body.intervals[0]).toMatch(/T\d\d:00:00Z$/);
    const find = (category: string) =>
      res.body.groups.find((g) => g.by.category === category && g.by.outcome === "accepted");
    expect(find("error")?.totals["sum(quantity)"]).toBe(2);
    expect(find("default")?.totals["sum(quantity)"]).toBe(1);
    expect(find("span")?.totals["sum(quantity)"]).toBe(3);
    const series = find("error")?.series["sum(quantity)"] ?? [];
    expect(series).toHaveLength(res.body.intervals.length);
    expect(series.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("stats_v2 filters by category and groups by project", async () => {
    const res = await call<StatsBody>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&field=sum(times_seen)&groupBy=project&category=error&outcome=accepted&statsPeriod=1d&interval=1d`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups).toEqual([
      {
        by: { project: t.projectId },
        totals: { "sum(quantity)": 3, "sum(times_seen)": expect.any(Number) },
        series: { "sum(quantity)": expect.any(Array), "sum(times_seen)": expect.any(Array) },
      },
    ]);
  });

  it.each([
    "stats_v2/?groupBy=outcome",
    "stats_v2/?field=count()",
    "stats_v2/?field=sum(quantity)&groupBy=color",
    "stats_v2/?field=sum(quantity)&category=pixels",
    "stats_v2/?field=sum(quantity)&interval=5m",
  ])("stats_v2 rejects %s", async (query) => {
    const res = await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it("project stats: received, rejected (rate limited) and generated per hour", async () => {
    const limited = await createTenant({ projectLimit: [1, 3600] });
    for (let i = 0; i < 3; i++) {
      const id = newEventId();
      await postEnvelope(
        limited,
        errorEvent(id, { exception: { values: [{ type: "E", value: `limited ${i}` }] } }),
      );
    }
    const rows = await env.DB.prepare(
      "SELECT outcome, SUM(quantity) AS n FROM outcomes WHERE project_id = ? AND category IN ('error', 'default') GROUP BY outcome",
    )
      .bind(limited.projectId)
      .all<{ outcome: string; n: number }>();
    const stored = Object.fromEntries(rows.results.map((r) => [r.outcome, r.n]));
    const path = (stat: string) =>
      `/api/0/projects/${limited.orgSlug}/${limited.projectSlug}/stats/?stat=${stat}&resolution=1h`;
    const sum = (points: [number, number][]) => points.reduce((n, [, c]) => n + c, 0);
    const received = await call<[number, number][]>(limited.token, "GET", path("received"));
    expect(received.status, received.text).toBe(200);
    expect(received.body.length).toBeGreaterThanOrEqual(24);
    expect(received.body[0]?.[0] ?? 1).toSatisfy((ts: number) => ts % 3600 === 0);
    expect(sum(received.body)).toBe(3);
    expect(sum((await call<[number, number][]>(limited.token, "GET", path("rejected"))).body)).toBe(
      stored.rate_limited ?? 0,
    );
    expect(sum((await call<[number, number][]>(limited.token, "GET", path("generated"))).body)).toBe(
      stored.accepted ?? 0,
    );
    expect(stored.accepted).toBe(1);
    expect((await call(limited.token, "GET", path("nope"))).status).toBe(400);
    expect((await call(limited.token, "GET", `${path("received").replace("1h", "10s")}`)).status).toBe(400);
  });
});

describe("issue list parameters Sentry's MCP server sends", () => {
  it("statsPeriod=30d is a time range, not a bad stats resolution; groupStatsPeriod picks the stats", async () => {
    const base = `/api/0/organizations/${t.orgSlug}/issues/?limit=10&sort=date&collapse=unhandled&query=`;
    const res = await call<Row[]>(t.token, "GET", `${base}&statsPeriod=30d`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toHaveLength(2);
    expect(Object.keys((res.body[0]?.stats as Row) ?? {})).toContain("24h");
    const daily = await call<Row[]>(t.token, "GET", `${base}&statsPeriod=30d&groupStatsPeriod=14d`);
    expect(Object.keys((daily.body[0]?.stats as Row) ?? {})).toContain("14d");
    expect((await call(t.token, "GET", `${base}&statsPeriod=forever`)).status).toBe(400);
  });

  it("a bare event id as the query finds that event's issue, in the caller's projects only", async () => {
    const base = `/api/0/organizations/${t.orgSlug}/issues/?statsPeriod=30d&query=`;
    const lookup = await call<Row>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/eventids/${sent.errorIds[2]}/`,
    );
    const res = await call<Row[]>(t.token, "GET", `${base}${sent.errorIds[2]}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.map((i) => i.id)).toEqual([lookup.body.groupId]);
    const foreignId = await call<Row[]>(t.token, "GET", `${base}${foreign.errorIds[2]}`);
    expect(foreignId.body).toEqual([]);
  });
});
