// The logs explorer's and trace search's pure parts: the search box syntax, the histogram by level and
// the page views (what a user reads), over rows shaped as D1 returns them.
import { describe, expect, it } from "vitest";
import type { LogRow, TraceRootRow } from "../../src/db/telemetry-search.ts";
import {
  logSearchOf,
  parseDurationBound,
  parseTelemetryQuery,
  traceCursorOf,
  traceCursorText,
  traceSearchOf,
} from "../../src/protocol/telemetry-query.ts";
import { stackedBarChart } from "../../src/ui/charts.ts";
import type { PageContext } from "../../src/ui/layout.ts";
import { pickedProjects, truncatedNote } from "../../src/ui/pages/explore-filters.ts";
import { logSearchFrom, logsView } from "../../src/ui/pages/logs.ts";
import { traceSearchFrom, tracesView } from "../../src/ui/pages/traces.ts";

const ctx = (path: string): PageContext => ({
  user: { id: 1, email: "a@example.com", name: "A" } as PageContext["user"],
  orgs: [{ id: 1, slug: "acme", name: "Acme" } as PageContext["orgs"][number]],
  org: { id: 1, slug: "acme", name: "Acme" } as PageContext["orgs"][number],
  csrf: "t",
  now: 1_700_000_000,
  url: new URL(`http://x${path}`),
});
const projects: Parameters<typeof logsView>[2] = [
  {
    id: 7,
    slug: "api",
    name: "api",
    platform: null,
    organization_id: 1,
    rate_limit_count: null,
    rate_limit_window: null,
  },
];

describe("search box syntax", () => {
  it("splits key:value terms (quoted values too) from free text", () => {
    expect(parseTelemetryQuery('level:warn "card declined" user.id:"a b" slow')).toEqual({
      terms: [
        ["level", "warn"],
        ["user.id", "a b"],
      ],
      text: "card declined slow",
    });
  });

  it("reads log filters: levels (with aliases), environment, release, trace, attributes", () => {
    expect(
      logSearchOf(
        "level:warning,error environment:prod release:1.0 trace:0AF7-651916cd43dd8448eb211c80319c cart.id:c-9 slow",
      ),
    ).toEqual({
      levels: ["warn", "error"],
      environment: "prod",
      release: "1.0",
      traceId: "0af7651916cd43dd8448eb211c80319c",
      attributes: [["cart.id", "c-9"]],
      text: "slow",
    });
  });

  it("reads trace filters and duration bounds, and names unknown keys", () => {
    expect(
      traceSearchOf("checkout op:http.server duration:>250ms span.duration:<2s status:error colour:red"),
    ).toEqual({
      search: {
        name: "checkout",
        op: "http.server",
        minDurationMs: 250,
        maxDurationMs: 2000,
        status: "error",
      },
      unknown: ["colour"],
    });
    expect(parseDurationBound("1.5m")).toEqual({ op: "min", ms: 90_000 });
    expect(parseDurationBound("<=10")).toEqual({ op: "max", ms: 10 });
    expect(parseDurationBound("soon")).toBeUndefined();
  });

  it("lets the page's fields override the search box", () => {
    const url = new URL("http://x/?query=level:info%20slow&level=error&trace=ABC&environment=prod");
    expect(logSearchFrom(url)).toMatchObject({
      levels: ["error"],
      text: "slow",
      traceId: "abc",
      environment: "prod",
    });
    const traces = traceSearchFrom(
      new URL("http://x/?query=op:db&op=http&min_duration=100ms&max_duration=1s"),
    );
    expect(traces.search).toEqual({ op: "http", minDurationMs: 100, maxDurationMs: 1000 });
  });
});

describe("log volume histogram", () => {
  it("stacks each bucket's counts by level, bottom to top, and labels the total", () => {
    const svg = stackedBarChart(
      [
        { label: "a", values: { info: 3, error: 1 } },
        { label: "b", values: {} },
      ],
      ["info", "warn", "error"],
    ).value;
    expect(svg.match(/class="s-info"/g)).toHaveLength(1);
    expect(svg.match(/class="s-error"/g)).toHaveLength(1);
    expect(svg).not.toContain("s-warn");
    expect(svg).toContain('class="zero"');
    expect(svg).toContain('aria-label="4 log records; peak 4 per bucket"');
  });
});

const logRow = (id: number, over: Partial<LogRow> = {}): LogRow => ({
  id,
  project_id: 7,
  timestamp: 1_699_999_000 + id,
  trace_id: "0af7651916cd43dd8448eb211c80319c",
  span_id: "b7ad6b7169203331",
  level: "warn",
  severity_number: 13,
  body: `cart lookup slow <b>${id}</b>`,
  release: "checkout@2.4.0",
  environment: "staging",
  attributes: '{"cart.id":"c-981"}',
  ...over,
});

describe("logs explorer view", () => {
  it("lists rows with level, escaped body, attributes and links to the trace and its errors", () => {
    const body = logsView(
      ctx("/organizations/acme/explore/logs/"),
      "acme",
      projects,
      [logRow(1)],
      [{ at: 1_699_999_200, level: "warn", n: 1 }],
      {
        from: 1_700_000_000 - 86400,
        to: 1_700_000_060,
        bucket: 1800,
      },
    ).value;
    expect(body).toContain("cart lookup slow &lt;b&gt;1&lt;/b&gt;");
    expect(body).toContain("cart.id");
    expect(body).toContain('href="/organizations/acme/performance/trace/0af7651916cd43dd8448eb211c80319c/"');
    expect(body).toContain("/performance/trace/0af7651916cd43dd8448eb211c80319c/#errors");
    expect(body).toContain('class="s-warn"');
    expect(body).not.toContain('rel="next"');
  });

  it("counts records of the bucket that holds the end of the range (the newest ones)", () => {
    const to = 1_700_000_060;
    const body = logsView(
      ctx("/organizations/acme/explore/logs/"),
      "acme",
      projects,
      [],
      [{ at: Math.floor(to / 1800) * 1800, level: "error", n: 2 }],
      {
        from: to - 86400,
        to,
        bucket: 1800,
      },
    ).value;
    expect(body).toContain('class="s-error"');
    expect(body).toContain("2 log records");
  });

  it("pages older rows by a cursor after the last row of a full page", () => {
    const rows = Array.from({ length: 50 }, (_, i) => logRow(100 - i));
    const body = logsView(ctx("/organizations/acme/explore/logs/?level=warn"), "acme", projects, rows, [], {
      from: 1_700_000_000 - 3600,
      to: 1_700_000_060,
      bucket: 75,
    }).value;
    const last = rows[49] as LogRow;
    expect(body).toContain(`cursor=${encodeURIComponent(`${last.timestamp}:${last.id}`)}`);
    expect(body).toContain("level=warn");
  });
});

describe("trace search view", () => {
  it("lists traces with their root, op, status, duration and counts, linked to the waterfall", () => {
    const row: TraceRootRow = {
      project_id: 7,
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
      name: "POST /checkout",
      op: "http.server",
      status: "error",
      start_timestamp: 1_699_999_000,
      duration_ms: 812,
      release: "checkout@2.4.0",
      environment: "staging",
      origin: "otlp",
      span_count: 3,
      error_count: 1,
    };
    const body = tracesView(
      ctx("/organizations/acme/explore/traces/?query=colour:red"),
      "acme",
      projects,
      [row],
      ["colour"],
    ).value;
    expect(body).toContain('href="/organizations/acme/performance/trace/0af7651916cd43dd8448eb211c80319c/"');
    expect(body).toContain("POST /checkout");
    expect(body).toContain('class="badge regressed">error');
    expect(body).toContain("Unsupported search terms ignored: colour");
  });
});

describe("project picking", () => {
  const many = Array.from({ length: 30 }, (_, i) => ({
    ...(projects[0] as (typeof projects)[number]),
    id: i + 1,
    slug: `p${i + 1}`,
  }));

  it("queries the organization's first projects up to the bound and says so, or the one picked", () => {
    const all = pickedProjects(new URL("http://x/"), many, 25);
    expect(all.projects).toHaveLength(25);
    expect(all.truncated).toBe(true);
    expect(truncatedNote(all.truncated, 25)).not.toBe("");
    const one = pickedProjects(new URL("http://x/?project=p30"), many, 25);
    expect(one.projects.map((p) => p.slug)).toEqual(["p30"]);
    expect(one.truncated).toBe(false);
  });
});

describe("trace search cursor", () => {
  it("reads back what it writes, and nothing malformed", () => {
    const text = traceCursorText({
      start_timestamp: 1796597336.25,
      trace_id: "0af7651916cd43dd8448eb211c80319c",
    });
    expect(text).toBe("1796597336.25:0af7651916cd43dd8448eb211c80319c");
    expect(traceCursorOf(text)).toEqual({
      startTimestamp: 1796597336.25,
      traceId: "0af7651916cd43dd8448eb211c80319c",
    });
    for (const bad of ["", "nope", "1:", ":abc", "1:XYZ", "1e9:abc", "-1:abc", "1:abc:0"])
      expect(traceCursorOf(bad)).toBeUndefined();
  });
});
