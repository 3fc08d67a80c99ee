// Sentry's events API (`/organizations/{org}/events/`) over errors, transactions, spans and logs:
// fields, aggregates, Sentry search syntax, sorting, paging and tenant isolation.
import { beforeAll, describe, expect, it } from "vitest";
import { type Sent, sendWorld } from "./discover-fixtures.ts";
import { createTenant, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

type Row = Record<string, unknown>;
interface EventsBody {
  data: Row[];
  meta: { fields: Record<string, string>; units: Record<string, string | null> };
}

let t: Tenant;
let other: Tenant;
let sent: Sent;

beforeAll(async () => {
  t = await createTenant();
  other = await createTenant();
  sent = await sendWorld(t);
  await sendWorld(other, "foreign");
});

function events(params: Record<string, string | string[]>, tenant = t, token = tenant.token) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
  return call<EventsBody>(token, "GET", `/api/0/organizations/${tenant.orgSlug}/events/?${q}`);
}

describe("GET /organizations/{org}/events/", () => {
  it("lists error events with the fields asked for, newest first", async () => {
    const res = await events({
      dataset: "errors",
      field: ["id", "title", "issue", "project", "level", "timestamp", "user.email", "error.type", "culprit"],
      statsPeriod: "24h",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((r) => r.id)).toEqual([...sent.errorIds].reverse());
    const first = res.body.data[2] as Row;
    expect(first).toMatchObject({
      title: expect.stringContaining("PaymentError"),
      project: t.projectSlug,
      level: "error",
      "user.email": "one@example.test",
      "error.type": "PaymentError",
    });
    expect(first.issue).toMatch(new RegExp(`^${t.projectSlug.toUpperCase()}-[0-9A-Z]+$`));
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(res.body.meta.fields).toMatchObject({ id: "string", timestamp: "date", level: "string" });
    expect(res.text).not.toContain("foreign");
  });

  it("aggregates, grouping by the plain fields, sorted by an aggregate", async () => {
    const res = await events({
      dataset: "errors",
      field: ["issue", "title", "count()", "count_unique(user)", "last_seen()"],
      sort: "-count()",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toMatchObject({ "count()": 2, "count_unique(user)": 2 });
    expect(res.body.data[1]).toMatchObject({ "count()": 1 });
    expect(res.body.meta.fields["count()"]).toBe("integer");
    expect(res.body.meta.fields["last_seen()"]).toBe("date");
  });

  it("the MCP server's error search: sort -last_seen with last_seen() selected", async () => {
    const res = await events({
      dataset: "errors",
      field: ["issue", "title", "project", "last_seen()", "count()"],
      sort: "-last_seen",
      query: "card",
      per_page: "10",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]?.["count()"]).toBe(2);
  });

  it.each([
    ["level:warning", [2]],
    ["!level:warning", [0, 1]],
    ["environment:production", [0, 2]],
    ["environment:[staging,production] level:error", [0, 1]],
    ["region:eu", [0]],
    ["has:plan", [0]],
    ["!has:plan", [1, 2]],
    ['message:"disk almost"', [2]],
    ["disk", [2]],
    ["error.type:Payment*", [0, 1]],
    ["user.email:*@example.test", [0, 1]],
    ["level:warning OR region:us", [1, 2]],
    ["(level:warning OR region:us) environment:production", [2]],
    ["timestamp:-90s", [1, 2]],
    ['stack.filename:"*checkout.js*"', [0, 1]],
  ])("query %s", async (query, expected) => {
    const res = await events({ dataset: "errors", field: ["id"], query, sort: "timestamp" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((r) => r.id)).toEqual(expected.map((i) => sent.errorIds[i]));
  });

  it("stack.filename as a field lists the frames' files", async () => {
    const res = await events({
      dataset: "errors",
      field: ["id", "stack.filename"],
      query: "has:stack.filename",
    });
    expect(res.body.data.map((r) => r["stack.filename"])).toEqual([["app/checkout.js"], ["app/checkout.js"]]);
  });

  it("filters by issue short id and issue.id", async () => {
    const all = await events({ dataset: "errors", field: ["id", "issue", "issue.id"], sort: "timestamp" });
    const { issue, "issue.id": issueId } = all.body.data[0] as Row;
    const byShort = await events({ dataset: "errors", field: ["id"], query: `issue:${issue}` });
    expect(byShort.body.data).toHaveLength(2);
    const byId = await events({ dataset: "errors", field: ["id"], query: `issue.id:${issueId}` });
    expect(byId.body.data).toHaveLength(2);
  });

  it("pages with cursors in the Link header", async () => {
    const first = await events({ dataset: "errors", field: ["id"], per_page: "2" });
    expect(first.body.data).toHaveLength(2);
    const link = first.res.headers.get("link") ?? "";
    expect(link).toContain('rel="next"; results="true"');
    const cursor = /rel="next"; results="true"; cursor="([^"]+)"/.exec(link)?.[1] ?? "";
    const second = await events({ dataset: "errors", field: ["id"], per_page: "2", cursor });
    expect(second.body.data.map((r) => r.id)).toEqual([sent.errorIds[0]]);
    expect(second.res.headers.get("link")).toContain('rel="next"; results="false"');
  });

  it("filters by environment parameter and by project ids; a foreign project is a 404", async () => {
    const env = await events({ dataset: "errors", field: ["id"], environment: "staging" });
    expect(env.body.data.map((r) => r.id)).toEqual([sent.errorIds[1]]);
    const mine = await events({ dataset: "errors", field: ["count()"], project: String(t.projectId) });
    expect(mine.body.data).toEqual([{ "count()": 3 }]);
    const all = await events({ dataset: "errors", field: ["count()"], project: "-1" });
    expect(all.body.data).toEqual([{ "count()": 3 }]);
    const foreign = await events({ dataset: "errors", field: ["id"], project: String(other.projectId) });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: expect.any(String) });
  });

  it("another organization's token gets 404", async () => {
    const res = await events({ dataset: "errors", field: ["id"] }, t, other.token);
    expect(res.status).toBe(404);
  });

  it("spans: the MCP server's span search", async () => {
    const res = await events({
      dataset: "spans",
      field: [
        "id",
        "trace",
        "span.op",
        "span.description",
        "span.duration",
        "transaction",
        "project",
        "timestamp",
      ],
      query: "span.op:db.query",
      sort: "-span.duration",
      per_page: "10",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      id: "b".repeat(16),
      trace: sent.traceId,
      "span.description": "SELECT * FROM orders alpha",
      transaction: "POST /checkout",
      project: t.projectSlug,
    });
    expect(res.body.data[0]?.["span.duration"]).toBeCloseTo(300, 0);
    expect(res.body.meta.units["span.duration"]).toBe("millisecond");
    const segments = await events({
      dataset: "spans",
      field: ["id", "transaction"],
      query: "is_transaction:true",
    });
    expect(segments.body.data.map((r) => r.id)).toEqual(["a".repeat(16)]);
  });

  it("spans: duration comparisons and percentile aggregates", async () => {
    const slow = await events({
      dataset: "spans",
      field: ["id"],
      query: "span.duration:>350ms !is_transaction:true",
    });
    expect(slow.body.data.map((r) => r.id)).toEqual(["c".repeat(16)]);
    const agg = await events({
      dataset: "spans",
      field: ["span.op", "count()", "p95(span.duration)", "avg(span.duration)"],
      query: "!is_transaction:true",
      sort: "-p95(span.duration)",
    });
    expect(agg.status, agg.text).toBe(200);
    expect(agg.body.data.map((r) => r["span.op"])).toEqual(["http.client", "db.query"]);
    expect(agg.body.data[0]?.["p95(span.duration)"]).toBeCloseTo(400, 0);
    expect(agg.body.meta.fields["p95(span.duration)"]).toBe("duration");
    const attr = await events({
      dataset: "spans",
      field: ["id", "db.system"],
      query: "db.system:postgresql",
    });
    expect(attr.body.data).toEqual([{ id: "b".repeat(16), "db.system": "postgresql" }]);
    for (const query of ["db.rows:>40", "tags[db.rows,number]:>=42", "tags[db.system]:postgresql"]) {
      const res = await events({ dataset: "spans", field: ["id"], query });
      expect(res.body.data, query).toEqual([{ id: "b".repeat(16) }]);
    }
    const none = await events({ dataset: "spans", field: ["id"], query: "db.rows:>42" });
    expect(none.body.data).toEqual([]);
  });

  it("logs: message, severity and trace, with query syntax", async () => {
    const res = await events({
      dataset: "logs",
      field: ["timestamp", "project", "message", "severity", "trace", "order.id"],
      query: "severity:error",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      message: "charge failed alpha",
      severity: "error",
      trace: sent.traceId,
    });
    const text = await events({
      dataset: "logs",
      field: ["message", "order.id"],
      query: 'message:"*placed*"',
    });
    expect(text.body.data).toEqual([{ message: "order placed alpha", "order.id": "o-1" }]);
  });

  it("transactions and the default (discover) dataset", async () => {
    const tx = await events({
      dataset: "transactions",
      field: ["id", "transaction", "transaction.duration"],
    });
    expect(tx.body.data).toHaveLength(1);
    expect(tx.body.data[0]?.id).toBe(sent.transactionId);
    expect(tx.body.data[0]?.["transaction.duration"]).toBeCloseTo(1000, 0);
    const all = await events({ field: ["event.type", "count()"], sort: "event.type" });
    expect(all.body.data).toEqual([
      { "event.type": "default", "count()": 1 },
      { "event.type": "error", "count()": 2 },
      { "event.type": "transaction", "count()": 1 },
    ]);
  });

  it("aggregate conditions filter groups", async () => {
    const res = await events({ dataset: "errors", field: ["issue", "count()"], query: "count():>1" });
    expect(res.body.data).toHaveLength(1);
  });

  it.each([
    [{ dataset: "nope", field: "id" }],
    [{ dataset: "errors" }],
    [{ dataset: "errors", field: "id", query: 'message:"unclosed' }],
    [{ dataset: "errors", field: "bogus_fn()" }],
    [{ dataset: "errors", field: "id", query: "timestamp:>yesterdayish" }],
    [{ dataset: "errors", field: "id", statsPeriod: "forever" }],
    [{ dataset: "errors", field: ["title", "count()"], sort: "-id" }],
  ])("bad input %j is a 400 with a detail", async (params) => {
    const res = await events(params);
    expect(res.status, res.text).toBe(400);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it("events/validate/ answers as Sentry does", async () => {
    const q = new URLSearchParams({ dataset: "spans", query: "span.op:db", field: "span.duration" });
    q.append("orderby", "-span.duration");
    const ok = await call<Row>(t.token, "GET", `/api/0/organizations/${t.orgSlug}/events/validate/?${q}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      valid: true,
      field: [{ name: "span.duration", valid: true, attrType: "number" }],
    });
    const bad = await call<Row>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/validate/?dataset=errors&field=nope()&query=${encodeURIComponent('"x')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ valid: false, query: { valid: false }, field: [{ valid: false }] });
  });
});
