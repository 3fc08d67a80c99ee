// The plans of reads that must stay index ranges as a project grows, checked against the migrated D1.
// A project's event list reads newest first through events_project_timestamp: without that index
// (migration 0032 had narrowed it to events without an issue) SQLite scans the project's events and
// sorts them, which took seconds at a million events. A trace's errors and logs go through the trace
// indexes: left to itself SQLite walked the projects' rows of the time range instead. Per-release new
// issues and regressions are index ranges (migration 0037), not a walk over the projects' issues.
// An event's older/newer neighbours bound the timestamp so the issue's index range starts at the event
// rather than walking the issue's events from its newest (or oldest) end.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventNeighbourQueries, eventPageQuery } from "../../src/db/events.ts";
import { lastSeenByReleaseSql, newIssuesByReleaseSql, releasesOfSql } from "../../src/db/release-reads.ts";
import { traceErrorsSql, traceLogCountSql } from "../../src/db/traces.ts";

async function plan(sql: string, params: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

describe("read plans", () => {
  const page = { limit: 100, offset: 0 };
  for (const [name, environments, full] of [
    ["light", [], false],
    ["full", [], true],
    ["of some environments", ["production", "staging"], false],
  ] as const) {
    it(`a project's event list (${name}) walks the project's index by time, with no scan or sort`, async () => {
      const { sql, params } = eventPageQuery({ projectErrors: 1 }, environments, full, page);
      const steps = await plan(sql, params);
      expect(steps).toMatch(/^SEARCH ev USING INDEX events_project_timestamp \(project_id=\?\)/);
      expect(steps).not.toMatch(/SCAN ev|TEMP B-TREE/);
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
      const index = issueId === null ? "events_project_timestamp" : "events_issue_timestamp";
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
});
