// The plans of reads that must stay index ranges as a project grows, checked against the migrated D1.
// A project's error events by time are its issues' ranges of events_issue_timestamp (migration 0042
// dropped the index by project and time that cost every error event a row write): the event list
// and discover read a window of each issue's range, never the project's rows by key (which took
// seconds at a million events); transactions keep a partial index by project and time. A trace's
// errors and logs go through the trace indexes: left to itself SQLite walked the projects' rows of
// the time range instead. Per-release new issues and regressions are index ranges (migration 0037),
// not a walk over the projects' issues. An event's older/newer neighbours bound the timestamp so the
// issue's index range starts at the event rather than walking the issue's events from its newest (or
// oldest) end.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type DiscoverScope, querySeries, queryTable } from "../../src/db/discover.ts";
import type { Dataset } from "../../src/db/discover-columns.ts";
import { eventNeighbourQueries, eventPageQuery } from "../../src/db/events.ts";
import { lastSeenByReleaseSql, newIssuesByReleaseSql, releasesOfSql } from "../../src/db/release-reads.ts";
import { traceErrorsSql, traceLogCountSql } from "../../src/db/traces.ts";

async function plan(sql: string, params: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

/** env.DB, recording each statement it binds: the SQL discover builds and runs, to explain. */
function recordingDb(): { db: D1Database; statements: { sql: string; params: unknown[] }[] } {
  const statements: { sql: string; params: unknown[] }[] = [];
  const db = {
    prepare(sql: string) {
      const statement = env.DB.prepare(sql);
      return {
        bind(...params: unknown[]) {
          statements.push({ sql, params });
          return statement.bind(...params);
        },
      };
    },
  } as unknown as D1Database;
  return { db, statements };
}

describe("read plans", () => {
  const page = { limit: 100, offset: 0 };
  for (const [name, environments, full] of [
    ["light", [], false],
    ["full", [], true],
    ["of some environments", ["production", "staging"], false],
  ] as const) {
    it(`a project's event list (${name}) sorts the keys of a window of its issues' ranges, then reads those rows`, async () => {
      const window = { range: { start: 1_700_000_000 } };
      const { sql, params } = eventPageQuery({ projectErrors: 1 }, environments, full, page, window);
      const steps = await plan(sql, params);
      // The page's rows by key, the keys from the issues' ranges (the index alone, unless filtered).
      expect(steps).toMatch(/^CO-ROUTINE k\n/);
      expect(steps).toMatch(/SCAN k\nSEARCH ev USING PRIMARY KEY \(project_id=\? AND event_id=\?\)/);
      const covering = environments.length === 0 ? "COVERING " : "";
      expect(steps).toMatch(
        new RegExp(
          `SEARCH ev USING ${covering}INDEX events_issue_timestamp \\(issue_id=\\? AND timestamp>\\?\\)`,
        ),
      );
      expect(steps).toMatch(/SEARCH issues USING (COVERING )?INDEX \w+ \(project_id=\?\)/);
      expect(steps).not.toMatch(/SCAN (ev|issues)\b|PRIMARY KEY \(project_id=\?\)/);
    });
  }

  it("an issue's event list walks the issue's index by time, sorting only events of the same time", async () => {
    const { sql, params } = eventPageQuery({ issueId: 1 }, [], false, page);
    const steps = await plan(sql, params);
    expect(steps).toMatch(/^SEARCH ev USING INDEX events_issue_timestamp \(issue_id=\?\)/);
    expect(steps).not.toMatch(/SCAN ev|TEMP B-TREE FOR ORDER BY/);
  });

  it("a trace's error events and log count search the trace indexes, not the projects' rows by time", async () => {
    const projects = [
      { id: 1, slug: "api" },
      { id: 2, slug: "web" },
    ];
    const errors = await plan(traceErrorsSql(projects), ["a".repeat(32), "a".repeat(32), 0, 1e10, 100]);
    expect(errors).toMatch(/SEARCH e USING INDEX events_project_trace \(project_id=\? AND trace_id=\?\)/);
    expect(errors).not.toMatch(/SCAN e\b|events_project_timestamp|PRIMARY KEY \(project_id=\?\)/);
    const logs = await plan(traceLogCountSql([1, 2]), ["a".repeat(32), 0, 1e10]);
    expect(logs).toMatch(
      /^SEARCH logs USING (COVERING )?INDEX logs_project_trace \(project_id=\? AND trace_id=\?\)/,
    );
  });

  it("a release's new issues and regressions are ranges of the release indexes, not the projects' issues", async () => {
    const steps = await plan(releasesOfSql([{ id: 1, slug: "api" }]), [1, 25, 0]);
    expect(steps).toMatch(
      /SEARCH i USING (COVERING )?INDEX issues_project_first_release \(project_id=\? AND first_release=\?\)/,
    );
    expect(steps).toMatch(
      /SEARCH i USING (COVERING )?INDEX issues_project_regressed_release \(project_id=\? AND last_release=\?\)/,
    );
    expect(steps).not.toMatch(/SCAN i\b|issues_project_status|issues_project_first_seen/);
    const byRelease = await plan(newIssuesByReleaseSql(2, 3), [1, 2, "1.0", "1.1", "1.2"]);
    expect(byRelease).toMatch(
      /SEARCH issues USING (COVERING )?INDEX issues_project_first_release \(project_id=\? AND first_release=\?\)/,
    );
    expect(byRelease).not.toMatch(/SCAN issues/);
  });

  it("a release's last event is a key lookup of its per-release row, not a walk over issues", async () => {
    const steps = await plan(lastSeenByReleaseSql(2, 2), [1, 2, "1.0", "1.1"]);
    expect(steps).toMatch(/SEARCH release_event_stats USING PRIMARY KEY \(project_id=\? AND version=\?\)/);
    expect(steps).not.toMatch(/issues|SCAN/);
  });

  it("an event's older and newer neighbours start the issue's index range at the event's time", async () => {
    for (const issueId of [7, null]) {
      const event = { project_id: 1, issue_id: issueId, event_id: "a".repeat(32), timestamp: 1_700_000_000 };
      const [, older, newer] = eventNeighbourQueries(event);
      const index = issueId === null ? "events_unissued_project_timestamp" : "events_issue_timestamp";
      const scope = issueId === null ? "project_id=\\?" : "issue_id=\\?";
      for (const [query, bound] of [
        [older, "<"],
        [newer, ">"],
      ] as const) {
        if (!query) throw new Error("no neighbour query");
        const steps = await plan(query.sql, query.params);
        expect(steps).toMatch(
          new RegExp(
            `SEARCH events USING (COVERING )?INDEX ${index} \\(${scope} AND timestamp${bound}\\?\\)`,
          ),
        );
        expect(steps).not.toMatch(/SCAN events/);
      }
    }
  });

  it("deleting an issue finds its events (ON DELETE CASCADE) through the partial by-issue index", async () => {
    // The index holds events with an issue only (migration 0043); SQLite must still search it for the
    // cascade, or every deleted issue would scan the events table. The cascade is not in EXPLAIN QUERY
    // PLAN, so the program is read: a cursor opened on the index's root page.
    const { results: roots } = await env.DB.prepare(
      "SELECT name, rootpage FROM sqlite_master WHERE tbl_name = 'events' AND name = 'events_issue_timestamp'",
    ).all<{ name: string; rootpage: number }>();
    const root = roots[0]?.rootpage;
    expect(root).toBeGreaterThan(0);
    const { results: program } = await env.DB.prepare("EXPLAIN DELETE FROM issues WHERE id = 1").all<{
      opcode: string;
      p2: number;
    }>();
    expect(program.some((op) => op.opcode === "OpenRead" && op.p2 === root)).toBe(true);
  });

  describe("discover", () => {
    const now = 1_700_000_000;
    const scope: DiscoverScope = {
      projectIds: [1, 2],
      projects: [
        { id: 1, slug: "api" },
        { id: 2, slug: "web" },
      ],
      environments: [],
      start: now - 14 * 86_400,
      end: now,
      now,
    };
    const table = (dataset: Dataset, fields: string[], sort: string[]) =>
      ({ dataset, fields, query: null, sort, limit: 50, offset: 0 }) as const;

    async function plans(run: (db: D1Database) => Promise<unknown>): Promise<string[]> {
      const { db, statements } = recordingDb();
      await run(db);
      return Promise.all(statements.map((s) => plan(s.sql, s.params)));
    }

    it("error events newest first read widening windows of the issues' ranges, keys before rows", async () => {
      const { db, statements } = recordingDb();
      await queryTable(db, scope, table("errors", ["title", "timestamp"], ["-timestamp"]));
      // Nothing is stored, so every window is too short: 1 hour, 1 day, 7 days, then the 14 days.
      expect(statements.map((s) => s.params.slice(0, 2))).toEqual([
        [now - 3600, now],
        [now - 86_400, now],
        [now - 7 * 86_400, now],
        [now - 14 * 86_400, now],
      ]);
      for (const s of statements) {
        const steps = await plan(s.sql, s.params);
        expect(steps).toMatch(
          /SEARCH t USING INDEX events_issue_timestamp \(issue_id=\? AND timestamp>\? AND timestamp<\?\)/,
        );
        // The page's keys first, then its rows by key: columns are computed for the page only.
        expect(steps).toMatch(/SEARCH t USING PRIMARY KEY \(project_id=\? AND event_id=\?\)/);
        expect(steps).not.toMatch(/SCAN t\b|PRIMARY KEY \(project_id=\?\)/);
      }
    });

    it("aggregates and series over error events read the issues' ranges; transactions their partial index", async () => {
      const steps = [
        ...(await plans((db) => queryTable(db, scope, table("errors", ["title", "count()"], ["-count()"])))),
        ...(await plans((db) =>
          querySeries(db, scope, { dataset: "errors", yAxes: ["count()"], query: null, interval: 3600 }),
        )),
      ];
      expect(steps).toHaveLength(2);
      for (const s of steps) {
        expect(s).toMatch(
          /SEARCH t USING INDEX events_issue_timestamp \(issue_id=\? AND timestamp>\? AND timestamp<\?\)/,
        );
        expect(s).not.toMatch(/SCAN t\b|PRIMARY KEY \(project_id=\?\)/);
      }
      const tx = await plans((db) =>
        queryTable(db, scope, table("transactions", ["transaction", "timestamp"], ["-timestamp"])),
      );
      expect(tx).toHaveLength(1);
      expect(tx[0]).toMatch(
        /SEARCH t USING INDEX events_unissued_project_timestamp \(project_id=\? AND timestamp>\? AND timestamp<\?\)/,
      );
    });

    it("the discover dataset is the union of the two index ranges, never other projects' rows", async () => {
      const steps = await plans((db) =>
        queryTable(db, scope, table("discover", ["title", "count()"], ["-count()"])),
      );
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatch(
        /SEARCH t USING INDEX events_issue_timestamp \(issue_id=\? AND timestamp>\? AND timestamp<\?\)/,
      );
      expect(steps[0]).toMatch(
        /SEARCH t USING INDEX events_unissued_project_timestamp \(project_id=\? AND timestamp>\? AND timestamp<\?\)/,
      );
      expect(steps[0]).not.toMatch(/SCAN t\b/);
    });
  });
});
