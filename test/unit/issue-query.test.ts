// Issue search: tokens, terms, the SQL each term becomes, sort orders, stats periods and short ids.
// The SQL's behaviour against real rows is covered by the integration tests.
import { describe, expect, it } from "vitest";
import { issueQuerySql, type QueryContext, sortSql } from "../../src/db/issue-search.ts";
import { FaultlineError } from "../../src/errors.ts";
import {
  actorValues,
  formatShortId,
  parseIssueQuery,
  parseShortId,
  parseStatsPeriod,
  statsBuckets,
  tokenize,
} from "../../src/protocol/issue-search.ts";

const ctx: QueryContext = { now: 1_700_000_000, actors: new Map<string, string>(), latestRelease: null };
const sqlOf = (query: string, over: Partial<typeof ctx> = {}) =>
  issueQuerySql(parseIssueQuery(query), { ...ctx, ...over });

describe("tokenize", () => {
  it("splits on whitespace but keeps quotes and lists together", () => {
    expect(tokenize('is:unresolved  message:"bad header" level:[error, fatal] foo')).toEqual([
      "is:unresolved",
      'message:"bad header"',
      "level:[error, fatal]",
      "foo",
    ]);
  });
  it("treats an empty or blank query as no tokens", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize("   ")).toEqual([]);
  });
});

describe("parseIssueQuery", () => {
  it("reads keys, negation, operators, lists and free text", () => {
    expect(
      parseIssueQuery('!is:resolved times_seen:>=10 level:[error,"fatal"] "parse error" x').terms,
    ).toEqual([
      { kind: "key", key: "is", op: "=", values: ["resolved"], negated: true },
      { kind: "key", key: "times_seen", op: ">=", values: ["10"], negated: false },
      { kind: "key", key: "level", op: "=", values: ["error", "fatal"], negated: false },
      { kind: "text", value: "parse error" },
      { kind: "text", value: "x" },
    ]);
  });
  it("keeps tokens without a key (or with an empty value) as text", () => {
    expect(parseIssueQuery("ParseError: foo: 12").terms).toEqual([
      { kind: "text", value: "ParseError:" },
      { kind: "text", value: "foo:" },
      { kind: "text", value: "12" },
    ]);
  });
  it("lists assignee values for the route to resolve", () => {
    expect(actorValues(parseIssueQuery("assigned:me assigned:[a@b.c, #ops] level:error"))).toEqual([
      "me",
      "a@b.c",
      "#ops",
    ]);
  });
});

describe("issueQuerySql", () => {
  it("is `1` for an empty query", () => {
    expect(sqlOf("")).toEqual({ sql: "1", params: [] });
  });
  it("reads ignores that ran out as unresolved", () => {
    const { sql } = sqlOf("is:unresolved");
    expect(sql).toContain("i.status = 'ignored'");
    expect(sql).toContain("ignoreUntil");
    expect(sql).toContain("= 'unresolved'");
  });
  it("maps is: values to columns", () => {
    expect(sqlOf("is:resolved").sql).toContain("i.status = 'resolved'");
    expect(sqlOf("is:bookmarked").sql).toContain("i.is_bookmarked = 1");
    expect(sqlOf("is:assigned").sql).toContain("i.assigned_to IS NOT NULL");
    expect(sqlOf("is:unassigned").sql).toContain("i.assigned_to IS NULL");
    expect(sqlOf("is:archived").sql).toContain("= 'ignored'");
    expect(sqlOf("is:regressed").params).toEqual(["regressed"]);
  });
  it("refuses unknown is: values with a 400", () => {
    expect(() => sqlOf("is:sleeping")).toThrow(FaultlineError);
    try {
      sqlOf("is:sleeping");
    } catch (error) {
      expect((error as FaultlineError).status).toBe(400);
    }
  });
  it("negates with NOT", () => {
    const { sql, params } = sqlOf("!level:error");
    expect(sql).toBe("(NOT (i.level IN (?)))");
    expect(params).toEqual(["error"]);
  });
  it("searches releases and environments through the issue's tag values", () => {
    const release = sqlOf("release:1.0");
    expect(release.sql).toContain(
      "EXISTS (SELECT 1 FROM issue_tag_values v WHERE v.issue_id = i.id AND v.key = ? AND v.value IN (?))",
    );
    expect(release.params).toEqual(["release", "1.0"]);
    expect(sqlOf("release:latest", { latestRelease: "2.0" }).params).toEqual(["release", "2.0"]);
    expect(sqlOf("environment:[prod, staging]").params).toEqual(["environment", "prod", "staging"]);
  });
  it("searches other keys as tag values, with * wildcards, never the payloads", () => {
    const { sql, params } = sqlOf("browser.name:Chr*");
    expect(sql).toContain("FROM issue_tag_values v");
    expect(sql).not.toContain("payload");
    expect(sql).toContain("LIKE ? ESCAPE");
    expect(params).toEqual(["browser.name", "Chr%"]);
  });
  it("matches free text as one phrase against title and culprit", () => {
    const { sql, params } = sqlOf("is:unresolved bad  header");
    expect(sql).toContain("instr(lower(i.title), lower(?))");
    expect(params.slice(-2)).toEqual(["bad header", "bad header"]);
  });
  it("compares counts and relative dates", () => {
    expect(sqlOf("times_seen:>10")).toEqual({ sql: "(i.times_seen > ?)", params: [10] });
    expect(sqlOf("age:-24h")).toEqual({ sql: "(i.first_seen >= ?)", params: [ctx.now - 86400] });
    expect(sqlOf("lastSeen:+7d")).toEqual({ sql: "(i.last_seen <= ?)", params: [ctx.now - 7 * 86400] });
    expect(() => sqlOf("times_seen:>lots")).toThrow(FaultlineError);
  });
  it("uses resolved assignees and matches nothing for unknown ones", () => {
    const actors = new Map([["me", "user:7"]]);
    expect(sqlOf("assigned:me", { actors })).toEqual({ sql: "(i.assigned_to IN (?))", params: ["user:7"] });
    expect(sqlOf("assigned:nobody@x.y").sql).toBe("(0)");
  });
  it("maps issue.priority to levels", () => {
    expect(sqlOf("issue.priority:[high, medium]").params).toEqual(["fatal", "error", "warning"]);
  });
});

describe("sortSql", () => {
  it("orders by last seen by default and always ends with the id", () => {
    expect(sortSql(null)).toBe("i.last_seen DESC, i.id DESC");
    expect(sortSql("new")).toBe("i.first_seen DESC, i.id DESC");
    expect(sortSql("freq")).toBe("i.times_seen DESC, i.id DESC");
    expect(sortSql("user")).toBe("i.user_count DESC, i.id DESC");
  });
  it("refuses unknown sorts", () => {
    expect(() => sortSql("random")).toThrow(FaultlineError);
  });
});

describe("stats periods", () => {
  it("defaults to 24 hourly buckets; 14d is daily; empty means none", () => {
    expect(parseStatsPeriod(null)).toEqual({ key: "24h", bucket: 3600, buckets: 24 });
    expect(parseStatsPeriod("14d")).toEqual({ key: "14d", bucket: 86400, buckets: 14 });
    expect(parseStatsPeriod("")).toBeNull();
    expect(() => parseStatsPeriod("1y")).toThrow(FaultlineError);
  });
  it("ends with the bucket holding now", () => {
    const buckets = statsBuckets({ key: "24h", bucket: 3600, buckets: 24 }, 7200.5 + 3600 * 30);
    expect(buckets).toHaveLength(24);
    expect(buckets[23]).toBe(3600 * 32);
    expect(buckets[0]).toBe(3600 * 9);
  });
});

describe("short ids", () => {
  it("formats and parses project-slug-number in base 36", () => {
    expect(formatShortId("my-api", 1)).toBe("MY-API-1");
    // Sentry's base 32 (Crockford): no I, L, O or U.
    expect(formatShortId("api", 32)).toBe("API-10");
    expect(formatShortId("api", 18)).toBe("API-J");
    expect(formatShortId("api", 31)).toBe("API-Z");
    expect(parseShortId("MY-API-1")).toEqual({ slug: "my-api", number: 1 });
    expect(parseShortId("api-10")).toEqual({ slug: "api", number: 32 });
    expect(parseShortId("API-J")).toEqual({ slug: "api", number: 18 });
    expect(parseShortId("api-1o")).toEqual({ slug: "api", number: 32 });
    expect(parseShortId("api-U")).toBeNull();
    expect(parseShortId("nodash")).toBeNull();
    expect(parseShortId("api-0")).toBeNull();
  });
});
