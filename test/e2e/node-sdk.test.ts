// The real @sentry/node SDK (npm) against Faultline running under `wrangler dev` on a real port.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const sql = (command: string) => sqlLocal(server.persistTo, command);

function runNodeApp(dsn: string, env: Record<string, string> = {}): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(ROOT, "test/e2e/clients/node-app.mjs")], {
    env: { ...process.env, SENTRY_DSN: dsn, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const last = out.trim().split("\n").pop() ?? "{}";
  return JSON.parse(last) as Record<string, unknown>;
}

describe("@sentry/node 11", () => {
  let captured: Record<string, unknown>;
  beforeAll(async () => {
    captured = runNodeApp(server.dsn);
    await waitForSpool(server);
  });

  it("stores the error with its cause chain, breadcrumbs, user and attachment, grouped into an issue", async () => {
    const id = String(captured.errorEventId);
    const [row] = sql(
      `SELECT e.issue_id, i.title, i.culprit, i.times_seen FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.event_id = '${id}'`,
    );
    expect(row).toBeDefined();
    expect(row?.title).toBe("Error: could not load order 17");
    // The whole event as a Sentry API client reads it (the row keeps only a projection of the payload).
    const res = await fetch(
      `${server.url}/api/0/projects/${server.orgSlug}/${server.projectSlug}/events/${id}/`,
      { headers: { authorization: `Bearer ${server.token}` } },
    );
    expect(res.status).toBe(200);
    const event = (await res.json()) as {
      entries: { type: string; data: { values?: { type?: string; value?: string; message?: string }[] } }[];
      user: { id: string } | null;
      release: { version: string } | null;
    };
    const entry = (type: string) => event.entries.find((e) => e.type === type)?.data.values ?? [];
    const types = entry("exception").map((v) => v.type);
    // Root cause first, the error that was raised last (Sentry's order).
    expect(types).toEqual(["TypeError", "Error"]);
    expect(entry("exception")[0]?.value).toBe("connection refused by db-7.internal");
    expect(entry("breadcrumbs").map((b) => b.message)).toEqual(
      expect.arrayContaining(["user signed in", "GET /orders/17"]),
    );
    expect(event.user?.id).toBe("user-42");
    expect(event.release?.version).toBe("e2e-node@1.0.0");
    const attachments = sql(`SELECT name, size FROM attachments WHERE event_id = '${id}'`);
    expect(attachments).toEqual([{ name: "state.txt", size: 21 }]);
  });

  it("names the culprit as Sentry does for JavaScript, on the issue and in its event list", async () => {
    const id = String(captured.errorEventId);
    const [row] = sql(`SELECT issue_id FROM events WHERE event_id = '${id}'`);
    const get = async (path: string) => {
      const res = await fetch(`${server.url}/api/0/organizations/${server.orgSlug}${path}`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(res.status).toBe(200);
      return res.json();
    };
    // The raising in-app frame, `function(module)`: Error was thrown in loadOrder of node-app.mjs.
    const issue = (await get(`/issues/${String(row?.issue_id)}/`)) as { culprit: string };
    expect(issue.culprit).toBe("loadOrder(node-app)");
    const events = (await get(`/issues/${String(row?.issue_id)}/events/`)) as {
      id: string;
      culprit: string;
    }[];
    expect(events.find((e) => e.id === id)?.culprit).toBe("loadOrder(node-app)");
  });

  it("stores the message event at its level, grouped by message", () => {
    const [row] = sql(
      `SELECT level, title FROM events WHERE event_id = '${String(captured.messageEventId)}'`,
    );
    expect(row).toEqual({ level: "warning", title: "payment provider slow: 2300ms for order 17" });
  });

  it("stores the span tree (span v2 items) with parents", () => {
    const spans = sql(
      `SELECT span_id, parent_span_id, name, is_segment FROM spans WHERE trace_id = '${String(captured.traceId)}'`,
    );
    expect(spans.length).toBeGreaterThanOrEqual(4);
    const root = spans.find((s) => s.name === "GET /orders/:id");
    expect(root).toBeDefined();
    const children = spans.filter((s) => s.parent_span_id === root?.span_id).map((s) => s.name);
    expect(children).toEqual(expect.arrayContaining(["SELECT orders", "render"]));
    const render = spans.find((s) => s.name === "render");
    expect(spans.find((s) => s.name === "template")?.parent_span_id).toBe(render?.span_id);
  });

  it("stores logs, the check-in and the feedback", () => {
    const logs = sql("SELECT body, level FROM logs ORDER BY timestamp");
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ body: "order loaded", level: "info" }),
        expect.objectContaining({ body: "payment failed", level: "error" }),
      ]),
    );
    const checkIns = sql(
      "SELECT monitor_slug, status, duration FROM check_ins WHERE monitor_slug = 'nightly-report'",
    );
    // Other end-to-end files drive the same app against the same server, so rows may repeat.
    expect(checkIns).toContainEqual(
      expect.objectContaining({ monitor_slug: "nightly-report", status: "ok" }),
    );
    const feedback = sql("SELECT message, contact_email, name FROM feedback");
    expect(feedback).toContainEqual({
      message: "The checkout page froze",
      contact_email: "ada@example.com",
      name: "Ada",
    });
  });

  it("stops sending when rate limited and reports the drops in its client report", async () => {
    // A second key on the default project with a limit of one error per minute.
    const publicKey = randomBytes(16).toString("hex");
    sql(
      `INSERT INTO project_keys (project_id, public_key, secret_key, label, rate_limit_count, rate_limit_window, created_at)
       VALUES (${server.projectId}, '${publicKey}', '${randomBytes(16).toString("hex")}', 'limited', 1, 60, 0)`,
    );
    const before = sql(
      "SELECT outcome, reason, SUM(quantity) AS n FROM outcomes WHERE category = 'error' GROUP BY 1, 2",
    );
    const result = runNodeApp(`http://${publicKey}@127.0.0.1:${server.port}/${server.projectId}`, {
      SCENARIO: "burst",
      BURST: "5",
    });
    await waitForSpool(server);
    const ids = (result.eventIds as string[]).map((id) => `'${id}'`).join(",");
    const stored = sql(`SELECT COUNT(*) AS n FROM events WHERE event_id IN (${ids})`);
    expect(stored[0]?.n).toBe(1);
    const after = sql(
      "SELECT outcome, reason, SUM(quantity) AS n FROM outcomes WHERE category = 'error' GROUP BY 1, 2",
    );
    const delta = (outcome: string, reason: string) =>
      Number(after.find((r) => r.outcome === outcome && r.reason === reason)?.n ?? 0) -
      Number(before.find((r) => r.outcome === outcome && r.reason === reason)?.n ?? 0);
    // One request was answered 429; the SDK then kept the remaining three to itself and said so.
    expect(delta("rate_limited", "key_quota")).toBe(1);
    expect(delta("client_discard", "ratelimit_backoff")).toBe(3);
  });
});
