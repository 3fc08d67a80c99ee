// Issue alerts with real clients against `wrangler dev`: a rule created through Sentry's rule API,
// @sentry/node sends an error, a real local HTTP receiver gets the signed legacy webhook payload
// (signature verified here), a receiver failing twice then succeeding gets exactly one successful
// delivery, the e-mail is recorded by wrangler's local Email Service simulation, a regression fires
// again, and a member of another organization can neither read nor change the rules.
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULTS, ROOT } from "../../scripts/local-server.mjs";
import { startReceiver } from "../support/receiver.mjs";

const server = inject("faultline");
const PROJECT = `alerts-e2e-${randomBytes(3).toString("hex")}`;
const base = `/api/0/projects/${server.orgSlug}/${PROJECT}`;

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  token = server.token,
) {
  const init = {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
  // A kept-alive connection the dev server closed meanwhile fails once; the next try opens a new one.
  const res = await fetch(`${server.url}${path}`, init).catch(() => fetch(`${server.url}${path}`, init));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
}

interface Hit {
  headers: Record<string, string>;
  body: string;
  at: number;
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dsn: string;

async function receivedBy(name: string): Promise<Hit[]> {
  return (await (await fetch(`${receiver.url}/__received/${name}`)).json()) as Hit[];
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sendError(message: string): string {
  const out = execFileSync(process.execPath, [join(ROOT, "test/e2e/clients/node-alert-app.mjs")], {
    env: { ...process.env, SENTRY_DSN: dsn, ERROR_MESSAGE: message },
    encoding: "utf8",
    timeout: 60_000,
  });
  return String(JSON.parse(out.trim().split("\n").pop() ?? "{}").eventId);
}

const MESSAGE = `card declined ${randomBytes(4).toString("hex")}`;
let ruleId: string;
let sentAt = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  const created = await api("POST", `/api/0/teams/${server.orgSlug}/${DEFAULTS.teamSlug}/projects/`, {
    name: PROJECT,
    slug: PROJECT,
  });
  expect(created.status, created.text).toBe(201);
  const keys = await api<{ dsn: { public: string } }[]>("GET", `${base}/keys/`);
  dsn = keys.body[0]?.dsn.public ?? "";
  // The receiver listens on 127.0.0.1: allowed for this project only (local development).
  expect((await api("PUT", `${base}/alert-settings/`, { allowPrivateTargets: true })).status).toBe(200);
  const urls = `${receiver.url}/ok/e2e-hook\n${receiver.url}/fail/2/e2e-flaky`;
  expect((await api("PUT", `${base}/plugins/webhooks/`, { urls })).status).toBe(200);
  const webhooks = {
    id: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
    service: "webhooks",
  };
  const rule = await api<{ id: string }>("POST", `${base}/rules/`, {
    name: "New issue",
    actionMatch: "all",
    filterMatch: "all",
    frequency: 5,
    conditions: [{ id: "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition" }],
    filters: [],
    actions: [
      webhooks,
      {
        id: "sentry.mail.actions.NotifyEmailAction",
        targetType: "IssueOwners",
        fallthroughType: "ActiveMembers",
      },
    ],
  });
  expect(rule.status, rule.text).toBe(200);
  ruleId = rule.body.id;
  const regression = await api("POST", `${base}/rules/`, {
    name: "Regression",
    frequency: 5,
    conditions: [{ id: "sentry.rules.conditions.regression_event.RegressionEventCondition" }],
    actions: [webhooks],
  });
  expect(regression.status, regression.text).toBe(200);
  sentAt = Date.now();
  sendError(MESSAGE);
});

afterAll(async () => {
  await receiver?.close();
});

describe("issue alerts (wrangler dev, @sentry/node, a local receiver)", () => {
  it("delivers the signed legacy webhook payload for the new issue within seconds", async () => {
    const [hit] = await waitFor("the webhook", async () => {
      const got = await receivedBy("e2e-hook");
      return got.length > 0 ? got : null;
    });
    expect(hit!.at - sentAt).toBeLessThan(15_000);
    const body = JSON.parse(hit!.body);
    expect(body).toMatchObject({
      project: PROJECT,
      level: "error",
      triggering_rules: ["New issue"],
      event: { release: "alerts-e2e@1.0.0", environment: "e2e", title: `Error: ${MESSAGE}` },
    });
    expect(body.url).toBe(
      `${server.url}/organizations/${server.orgSlug}/issues/${body.id}/?referrer=webhooks_plugin`,
    );
    const settings = await api<{ webhookSecret: string }>("GET", `${base}/alert-settings/`);
    const expected = createHmac("sha256", settings.body.webhookSecret).update(hit!.body).digest("hex");
    expect(hit!.headers["sentry-hook-signature"]).toBe(expected);
  });

  it("a receiver that fails twice then succeeds gets exactly one successful delivery", async () => {
    const log = await waitFor("the flaky delivery", async () => {
      const rows = await api<{ target: string; status: string; attempts: number; statusCode: number }[]>(
        "GET",
        `${base}/alert-deliveries/`,
      );
      return (
        rows.body.find((d) => d.target.endsWith("/fail/2/e2e-flaky") && d.status === "delivered") ?? null
      );
    });
    expect(log).toMatchObject({ attempts: 3, statusCode: 200 });
    await new Promise((r) => setTimeout(r, 2500));
    // Two 500s, one 200, and nothing after it.
    expect(await receivedBy("e2e-flaky")).toHaveLength(3);
    expect(await receivedBy("e2e-hook")).toHaveLength(1);
  });

  it("records the e-mail for the new issue in wrangler's Email Service simulation", async () => {
    const files = await waitFor("the e-mail", async () => {
      const log = await (await fetch(server.logUrl)).text();
      const at = log.lastIndexOf(`Subject: [Faultline] ${PROJECT} ERROR: Error: ${MESSAGE}`);
      if (at < 0) return null;
      const text = /Text: (\S+\.txt)/.exec(log.slice(at))?.[1];
      const html = /HTML: (\S+\.html)/.exec(log.slice(at))?.[1];
      return text && html ? { text, html } : null;
    });
    const text = readFileSync(files.text, "utf8");
    expect(text).toContain(`Error: ${MESSAGE}`);
    expect(text).toContain("chargeCard");
    expect(text).toContain("Release: alerts-e2e@1.0.0");
    expect(text).toContain(`${server.url}/organizations/${server.orgSlug}/issues/`);
    expect(readFileSync(files.html, "utf8")).toContain("View the issue in Faultline");
  });

  it("fires the regression rule when the resolved issue comes back", async () => {
    const first = JSON.parse(
      (await waitFor("the webhook", async () => (await receivedBy("e2e-hook"))[0] ?? null)).body,
    );
    const resolved = await api("PUT", `/api/0/organizations/${server.orgSlug}/issues/${first.id}/`, {
      status: "resolved",
    });
    expect(resolved.status, resolved.text).toBe(200);
    sendError(MESSAGE);
    const again = await waitFor("the regression webhook", async () => {
      const got = await receivedBy("e2e-hook");
      return got.length >= 2 ? got[1] : null;
    });
    expect(JSON.parse(again!.body)).toMatchObject({ id: first.id, triggering_rules: ["Regression"] });
  });

  it("a member of another organization can neither read nor change the rules", async () => {
    const cli = (...args: string[]) =>
      execFileSync(
        process.execPath,
        [join(ROOT, "scripts/faultline.mjs"), ...args, "--persist-to", server.persistTo],
        {
          encoding: "utf8",
        },
      );
    const org = `other-${randomBytes(3).toString("hex")}`;
    const email = `${org}@example.test`;
    cli("org", "create", org, "--name", "Other");
    cli("user", "create", email, "--org", org, "--role", "owner");
    const token = /sntryu_[0-9a-f]+/.exec(cli("token", "create", "--user", email))?.[0] ?? "";
    expect(token).not.toBe("");
    expect((await api("GET", "/api/0/", undefined, token)).status).toBe(200);
    for (const [method, path, body] of [
      ["GET", `${base}/rules/`, undefined],
      ["GET", `${base}/rules/${ruleId}/`, undefined],
      ["POST", `${base}/rules/`, { name: "x", conditions: [], actions: [] }],
      ["PUT", `${base}/rules/${ruleId}/`, { name: "hijacked" }],
      ["DELETE", `${base}/rules/${ruleId}/`, undefined],
      ["GET", `${base}/alert-deliveries/`, undefined],
      ["PUT", `${base}/plugins/webhooks/`, { urls: "https://evil.example/" }],
    ] as const) {
      const res = await api(method, path, body, token);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain("New issue");
    }
    const mine = await api<{ name: string }>("GET", `${base}/rules/${ruleId}/`);
    expect(mine.body.name).toBe("New issue");
  });
});
