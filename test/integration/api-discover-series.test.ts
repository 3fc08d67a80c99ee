// Time series (`events-stats/`) and traces (`trace-meta/`, `trace/`) over the events API's data.
import { beforeAll, describe, expect, it } from "vitest";
import { type Sent, sendWorld } from "./discover-fixtures.ts";
import { createTenant, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

type Point = [number, [{ count: number }]];
interface SeriesBody {
  data: Point[];
  start: number;
  end: number;
  meta: { fields: Record<string, string> };
}

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

const get = <T>(path: string, token = t.token) =>
  call<T>(token, "GET", `/api/0/organizations/${t.orgSlug}/${path}`);
const total = (data: Point[]) => data.reduce((n, [, [v]]) => n + v.count, 0);

describe("GET /organizations/{org}/events-stats/", () => {
  it("counts per interval, zero-filled over the range", async () => {
    const res = await get<SeriesBody>(
      "events-stats/?dataset=errors&statsPeriod=24h&interval=1h&yAxis=count()",
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.length).toBeGreaterThanOrEqual(24);
    expect(res.body.data.length).toBeLessThanOrEqual(25);
    expect(total(res.body.data)).toBe(3);
    const [ts, [value]] = res.body.data[0] as Point;
    expect(ts % 3600).toBe(0);
    expect(value).toEqual({ count: 0 });
    expect(res.body.end - res.body.start).toBeCloseTo(86400, -1);
  });

  it("filters with the query and the environment", async () => {
    const res = await get<SeriesBody>(
      "events-stats/?dataset=errors&statsPeriod=1h&interval=5m&query=level:error",
    );
    expect(total(res.body.data)).toBe(2);
    const env = await get<SeriesBody>("events-stats/?dataset=errors&statsPeriod=1h&environment=staging");
    expect(total(env.body.data)).toBe(1);
  });

  it("several yAxis give one series each, keyed by the axis", async () => {
    const res = await get<Record<string, SeriesBody & { order: number }>>(
      "events-stats/?dataset=spans&statsPeriod=1h&interval=1h&yAxis=count()&yAxis=avg(span.duration)&query=!is_transaction:true",
    );
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(["count()", "avg(span.duration)"]);
    expect(total(res.body["count()"]?.data ?? [])).toBe(2);
    const avg = (res.body["avg(span.duration)"]?.data ?? []).map(([, [v]]) => v.count).filter((v) => v > 0);
    expect(avg).toHaveLength(1);
    expect(avg[0]).toBeCloseTo(350, 0);
    expect(res.body["avg(span.duration)"]?.order).toBe(1);
  });

  it("topEvents: one series per top group of the fields, keyed by the group's values", async () => {
    const res = await get<Record<string, SeriesBody & { order: number }>>(
      "events-stats/?dataset=errors&statsPeriod=1h&interval=1h&yAxis=count()&field=level&field=count()&orderby=-count()&topEvents=5",
    );
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(["error", "warning"]);
    expect(total(res.body.error?.data ?? [])).toBe(2);
    expect(total(res.body.warning?.data ?? [])).toBe(1);
    expect(res.body.warning?.order).toBe(1);
    expect((await get("events-stats/?field=level&topEvents=50")).status).toBe(400);
    expect((await get("events-stats/?field=count()&topEvents=5")).status).toBe(400);
  });

  it("logs per interval", async () => {
    const res = await get<SeriesBody>("events-stats/?dataset=logs&statsPeriod=1h&interval=10m");
    expect(total(res.body.data)).toBe(2);
  });

  it.each([
    "events-stats/?interval=1s&statsPeriod=90d",
    "events-stats/?interval=soon",
    "events-stats/?yAxis=title",
    "events-stats/?project=" /* filled below */,
  ])("rejects %s with a detail", async (path) => {
    const res = await get(path.endsWith("project=") ? `${path}${other.projectId}` : path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });
});

describe("traces", () => {
  it("trace-meta counts spans, errors and logs of the trace", async () => {
    const res = await get<Record<string, unknown>>(`trace-meta/${sent.traceId}/?statsPeriod=14d`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      errors: 1,
      performance_issues: 0,
      projects: 1,
      span_count: 3,
      span_count_map: { "http.server": 1, "db.query": 1, "http.client": 1 },
      logs: 2,
    });
  });

  it("trace returns the span tree with the error under its span", async () => {
    const res = await get<Record<string, unknown>[]>(
      `trace/${sent.traceId}/?limit=1000&project=-1&statsPeriod=14d`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toHaveLength(1);
    const root = res.body[0] as {
      span_id: string;
      is_transaction: boolean;
      children: { op: string }[];
      errors: { event_id: string }[];
    };
    expect(root.span_id).toBe("a".repeat(16));
    expect(root.is_transaction).toBe(true);
    expect(root.children.map((c) => c.op).sort()).toEqual(["db.query", "http.client"]);
    expect(root.errors.map((e) => e.event_id)).toEqual([sent.errorIds[0]]);
  });

  it("never shows another organization's trace", async () => {
    const res = await get<unknown[]>(`trace/${foreign.traceId}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    const meta = await get<{ span_count: number }>(`trace-meta/${foreign.traceId}/`);
    expect(meta.body.span_count).toBe(0);
    expect((await get("trace/not-hex/")).status).toBe(400);
  });
});
