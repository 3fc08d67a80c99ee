// Clearing a project's telemetry through its Durable Object (the test sink's reset): every row ingest
// wrote and its bytes go, keys stay, and the object forgets its grouping cache and rate-limit windows,
// so the next event of the same fingerprint makes a new issue and is admitted again.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { KEPT_TABLES, TELEMETRY_TABLES } from "../../src/db/project-telemetry.ts";
import { hasProjectIdColumn } from "../../src/db/tenant-projects.ts";
import { clearTelemetry } from "../../src/project/index.ts";
import {
  createTenant,
  envelope,
  issuesOf,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";

function errorWithAttachmentAndLog(id: string): Uint8Array {
  return envelope(
    { event_id: id },
    [
      { type: "event" },
      JSON.stringify({
        event_id: id,
        level: "error",
        exception: { values: [{ type: "TypeError", value: "x is undefined" }] },
      }),
    ],
    [{ type: "attachment", filename: "state.txt", content_type: "text/plain" }, "cart=3"],
    [
      { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
      JSON.stringify({ items: [{ timestamp: Date.now() / 1000, level: "info", body: `log ${id}` }] }),
    ],
  );
}

async function rowCounts(projectId: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TELEMETRY_TABLES) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`)
      .bind(projectId)
      .first<{ n: number }>();
    counts[table] = row?.n ?? 0;
  }
  return counts;
}

async function ingestBlobs(projectId: number): Promise<string[]> {
  const keys: string[] = [];
  for (const kind of ["events", "attachments", "items"]) {
    const listed = await env.BLOBS.list({ prefix: `projects/${projectId}/${kind}/` });
    keys.push(...listed.objects.map((o) => o.key));
  }
  return keys;
}

/** Sends an error with an attachment and a log; answers whether the error was rate limited. */
async function sendError(t: Tenant, options: { drain?: boolean } = {}): Promise<"stored" | "limited"> {
  const response = await postEnvelope(t, errorWithAttachmentAndLog(newEventId()), {}, options);
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  // The log is accepted either way (200); the error's limit is in the header.
  return response.headers.get("x-sentry-rate-limits") ? "limited" : "stored";
}

describe("clearing a project's telemetry", () => {
  it("classifies every table with a project_id column as telemetry or kept", async () => {
    const tables = await env.DB.prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%project_id%'",
    ).all<{ name: string; sql: string }>();
    const withProjectId = tables.results.filter((t) => hasProjectIdColumn(t.sql)).map((t) => t.name);
    expect([...withProjectId].sort()).toEqual([...TELEMETRY_TABLES, ...KEPT_TABLES].sort());
  });

  it("deletes rows and bytes, keeps keys, and forgets grouping state and rate-limit windows", async () => {
    const t = await createTenant({ keyLimit: [2, 3600] });
    const other = await createTenant();
    expect([await sendError(t), await sendError(t), await sendError(t)]).toEqual([
      "stored",
      "stored",
      "limited",
    ]);
    await (
      await postEnvelope(t, transactionWithOneSpan(newEventId(), "c".repeat(32), Date.now() / 1000))
    ).arrayBuffer();
    expect(await sendError(other)).toBe("stored");
    const before = await rowCounts(t.projectId);
    for (const table of [
      "events",
      "issues",
      "issue_hashes",
      "attachments",
      "logs",
      "spans",
      "outcomes",
      "dropped_events",
    ])
      expect(before[table], table).toBeGreaterThan(0);
    expect(await ingestBlobs(t.projectId)).not.toEqual([]);
    const [oldIssue] = await issuesOf(t.projectId);

    expect(await clearTelemetry(env, t.projectId)).toBe(true);

    expect(Object.values(await rowCounts(t.projectId)).every((n) => n === 0)).toBe(true);
    expect(await ingestBlobs(t.projectId)).toEqual([]);
    const keys = await env.DB.prepare("SELECT COUNT(*) AS n FROM project_keys WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(keys?.n).toBe(1);
    // Another project is untouched.
    expect((await rowCounts(other.projectId)).events).toBe(1);

    // The same fingerprint is admitted again (the window starts over) and makes a new issue.
    expect(await sendError(t)).toBe("stored");
    const issues = await issuesOf(t.projectId);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.id).not.toBe(oldIssue?.id);
    expect(issues[0]?.short_id).toBe(1);
    expect(issues[0]?.times_seen).toBe(1);
  });

  it("deletes what was still spooled instead of letting it land after the reset", async () => {
    const t = await createTenant();
    expect(await sendError(t, { drain: false })).toBe("stored");
    expect(await clearTelemetry(env, t.projectId)).toBe(true);
    expect(await issuesOf(t.projectId)).toEqual([]);
    expect((await rowCounts(t.projectId)).events).toBe(0);
  });
});
