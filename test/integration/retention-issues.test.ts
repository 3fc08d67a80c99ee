// Retention without an index entry per error event (migration 0032): error events expire through their
// issues (issues_project_first_seen, then events_issue_timestamp; once a day every issue, for events
// older than their issue's first_seen), events without an issue through the partial
// events_unissued_project_timestamp. Through the real ingest path, the project API and the
// project object's alarm; the query plans of the sweep's own SQL are checked against the migrated D1.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseLocator } from "../../src/blobs/segment-format.ts";
import { EXPIRED_ISSUES_SQL } from "../../src/db/retention.ts";
import {
  ISSUE_PREFIX_SQL,
  issueEventsSql,
  oldIssuesSql,
  UNISSUED_EVENTS_SQL,
  UNISSUED_PREFIX_SQL,
} from "../../src/db/retention-events.ts";
import { stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  envelope,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

const DAY = 86_400;
const HOUR_MS = 3600 * 1000;

async function sendError(
  t: Tenant,
  message: string,
  timestamp: number,
  fingerprint: string,
): Promise<string> {
  const id = newEventId();
  const event = { event_id: id, level: "error", message, timestamp, fingerprint: [fingerprint] };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]));
  expect(res.status).toBe(200);
  return id;
}

async function sweep(t: Tenant, seams: { aheadMs?: number; budgetPerHour?: number }): Promise<void> {
  await stubOf(t).setRetention(seams);
  expect(await runDurableObjectAlarm(stubOf(t))).toBe(true);
}

async function oneDayRetention(t: Tenant): Promise<string> {
  const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
  expect((await call(t.token, "PUT", base, { retentionDays: 1 })).status).toBe(200);
  return base;
}

const issueOf = async (t: Tenant, eventId: string) =>
  (
    await env.DB.prepare("SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, eventId)
      .first<{ issue_id: number }>()
  )?.issue_id as number;

async function issueEventIds(t: Tenant, issueId: number): Promise<string[]> {
  const res = await call<{ eventID: string }[]>(t.token, "GET", `/api/0/issues/${issueId}/events/`);
  expect(res.status, res.text).toBe(200);
  return res.body.map((e) => e.eventID).sort();
}

async function usedBytes(t: Tenant, token: string): Promise<number> {
  const res = await call<{ storage: { usedBytes: number } }>(
    token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/usage/`,
  );
  return res.body.storage.usedBytes;
}

/** The plan SQLite chooses for a statement, one detail line per step. */
async function plan(sql: string, params: unknown[]): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

describe("retention through issues", () => {
  it("an old issue that still gets events loses its expired events and keeps itself, its new events and its counts", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const base = await oneDayRetention(t);
    const now = Date.now() / 1000;
    const old = [
      await sendError(t, "long lived", now - 5 * DAY, "long"),
      await sendError(t, "long lived", now - 4 * DAY, "long"),
      await sendError(t, "long lived", now - 3 * DAY, "long"),
    ];
    const recent = [
      await sendError(t, "long lived", now - 60, "long"),
      await sendError(t, "long lived", now, "long"),
    ];
    const gone = await sendError(t, "expired alone", now - 3 * DAY, "alone");
    const issue = await issueOf(t, recent[0] as string);
    const goneIssue = await issueOf(t, gone);
    expect(await issueOf(t, old[0] as string)).toBe(issue);
    const before = await usedBytes(t, owner.token);

    await sweep(t, { aheadMs: 2 * HOUR_MS });

    expect(await issueEventIds(t, issue)).toEqual([...recent].sort());
    for (const id of old) expect((await call(t.token, "GET", `${base}events/${id}/`)).status).toBe(404);
    const detail = await call<{ count: string }>(t.token, "GET", `/api/0/issues/${issue}/`);
    expect(detail.status).toBe(200);
    // The issue's counters stay as they were (docs/retention.md).
    expect(detail.body.count).toBe("5");
    expect((await call(t.token, "GET", `/api/0/issues/${goneIssue}/`)).status).toBe(404);
    const list = await call<{ id: string }[]>(t.token, "GET", `${base}issues/?query=`);
    expect(list.body.map((i) => Number(i.id))).toEqual([issue]);
    // What is left counted: the two recent rows' projections and their compressed payloads.
    const { results } = await env.DB.prepare(
      "SELECT length(CAST(payload AS BLOB)) AS n, payload_ref FROM events WHERE project_id = ?",
    )
      .bind(t.projectId)
      .all<{ n: number; payload_ref: string }>();
    const kept = results.reduce((sum, r) => sum + r.n + (parseLocator(r.payload_ref)?.length ?? 0), 0);
    expect(results).toHaveLength(2);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(before);
    expect(await usedBytes(t, owner.token)).toBe(kept);
  });

  it("a row budget that ends a round inside an issue resumes there: every expired event of several issues goes, no kept one", async () => {
    const t = await createTenant();
    await oneDayRetention(t);
    const now = Date.now() / 1000;
    const kept: string[] = [];
    for (const name of ["a", "b", "c"]) {
      for (let i = 0; i < 3; i += 1) await sendError(t, `old ${name}`, now - (3 + i) * DAY, name);
      kept.push(await sendError(t, `new ${name}`, now, name));
    }
    const count = async () =>
      (
        await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
          .bind(t.projectId)
          .first<{ n: number }>()
      )?.n;
    expect(await count()).toBe(12);
    // Four rows an hour: the first hour ends inside the second issue.
    await sweep(t, { aheadMs: 2 * HOUR_MS, budgetPerHour: 4 });
    expect(await count()).toBe(8);
    await sweep(t, { aheadMs: 3 * HOUR_MS });
    expect(await count()).toBe(4);
    await sweep(t, { aheadMs: 4 * HOUR_MS, budgetPerHour: 1000 });
    const { results } = await env.DB.prepare(
      "SELECT event_id FROM events WHERE project_id = ? ORDER BY event_id",
    )
      .bind(t.projectId)
      .all<{ event_id: string }>();
    expect(results.map((r) => r.event_id)).toEqual([...kept].sort());
  });

  it("an event sent with a timestamp older than its issue's first_seen goes at the daily walk over every issue", async () => {
    const t = await createTenant();
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    expect((await call(t.token, "PUT", base, { retentionDays: 2 })).status).toBe(200);
    const now = Date.now() / 1000;
    const recent = await sendError(t, "replayed late", now, "late");
    const backdated = await sendError(t, "replayed late", now - 3 * DAY, "late");
    const issue = await issueOf(t, recent);
    expect(await issueOf(t, backdated)).toBe(issue);
    // The first sweep walks every issue: the backdated event goes, its issue and the recent one stay.
    await sweep(t, { aheadMs: 2 * HOUR_MS });
    expect(await issueEventIds(t, issue)).toEqual([recent]);
    // Later sweeps of the day walk only issues first seen before the cutoff; the next day's walks all.
    const later = await sendError(t, "replayed late", now - 3 * DAY, "late");
    await sweep(t, { aheadMs: 3 * HOUR_MS });
    expect(await issueEventIds(t, issue)).toEqual([recent, later].sort());
    await sweep(t, { aheadMs: 27 * HOUR_MS });
    expect(await issueEventIds(t, issue)).toEqual([recent]);
    expect((await call(t.token, "GET", `/api/0/issues/${issue}/`)).status).toBe(200);
  });

  it("a transaction expires through the project's index by time; a recent one stays", async () => {
    const t = await createTenant();
    const base = await oneDayRetention(t);
    const now = Date.now() / 1000;
    const oldTx = newEventId();
    const newTx = newEventId();
    expect((await postEnvelope(t, transactionWithOneSpan(oldTx, "d".repeat(32), now - 3 * DAY))).status).toBe(
      200,
    );
    expect((await postEnvelope(t, transactionWithOneSpan(newTx, "e".repeat(32), now))).status).toBe(200);
    const unissued = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM events INDEXED BY events_unissued_project_timestamp WHERE project_id = ? AND issue_id IS NULL",
    )
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(unissued?.n).toBe(2);

    await sweep(t, { aheadMs: 2 * HOUR_MS });

    expect((await call(t.token, "GET", `${base}events/${oldTx}/`)).status).toBe(404);
    expect((await call(t.token, "GET", `${base}events/${newTx}/`)).status).toBe(200);
  });

  it("the sweep's statements search the issue and time indexes, never scan events or issues", async () => {
    const checks: [string, unknown[], string][] = [
      [oldIssuesSql(false), [1, 100, 80], "issues_project_first_seen"],
      [oldIssuesSql(true), [1, 100, 5, 7, 80], "issues_project_first_seen"],
      [EXPIRED_ISSUES_SQL, [1, 100, 90], "issues_project_first_seen"],
      [issueEventsSql(3), [1, 2, 3, 100, 1000], "events_issue_timestamp"],
      [`DELETE FROM events WHERE ${ISSUE_PREFIX_SQL}`, [1, 5, 1, "e"], "events_issue_timestamp"],
      [UNISSUED_EVENTS_SQL, [1, 100, 1000], "events_unissued_project_timestamp"],
      [`DELETE FROM events WHERE ${UNISSUED_PREFIX_SQL}`, [1, 5, "e"], "events_unissued_project_timestamp"],
    ];
    for (const [sql, params, index] of checks) {
      const steps = await plan(sql, params);
      expect(steps.join("\n"), sql).toMatch(
        new RegExp(`^SEARCH (events|issues) USING (COVERING )?INDEX ${index} `),
      );
      expect(steps.join("\n"), sql).not.toMatch(/SCAN|TEMP B-TREE/);
    }
    // The indexes on events by time: the issue's, and the project's over events without an issue
    // only (migration 0042), so an error event writes one entry by time, not two.
    const { results } = await env.DB.prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql LIKE '%timestamp%' ORDER BY name",
    ).all<{ name: string; sql: string }>();
    expect(results.map((r) => r.name)).toEqual([
      "events_issue_timestamp",
      "events_unissued_project_timestamp",
    ]);
    expect(results[1]?.sql).toMatch(/WHERE issue_id IS NULL$/);
    // And the issue's over events with an issue only (migration 0043): a transaction writes neither twice.
    expect(results[0]?.sql).toMatch(/WHERE issue_id IS NOT NULL$/);
  });
});
