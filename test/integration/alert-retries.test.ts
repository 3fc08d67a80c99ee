// Delivery through the queue: retries with backoff on 5xx and timeouts, exactly one delivery when a
// receiver fails twice, a dead-letter record after the last attempt, no retry on 4xx, private targets
// refused unless the project allows them, Slack and Discord messages, and the test notification.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { retryDelay } from "../../src/alerts/index.ts";
import {
  alertProject,
  createRule,
  deliveries,
  FIRST_SEEN,
  received,
  sendError,
  settle,
  waitForDelivery,
  waitForReceived,
} from "./alert-helpers.ts";
import { call } from "./tenant-helpers.ts";

describe("alert delivery", () => {
  it("a receiver that fails twice then succeeds gets exactly one successful delivery, on the third attempt", async () => {
    const p = await alertProject("fail/2");
    await createRule(p, { name: "Flaky", conditions: [{ id: FIRST_SEEN }] });
    await sendError(p.t, { message: "flaky receiver" });
    const log = await waitForDelivery(p, (d) => d.status === "delivered");
    expect(log).toMatchObject({ attempts: 3, statusCode: 200, error: null });
    const got = await received(p.name);
    expect(got).toHaveLength(3);
    // Every attempt carries the same delivery id and body (the receiver can deduplicate).
    expect(new Set(got.map((r) => r.headers["x-faultline-delivery"])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    // Backoff: the second retry waited longer than the first.
    const [a, b, c] = got.map((r) => r.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(900);
    expect(c - b).toBeGreaterThanOrEqual(1900);
    await settle(1500);
    expect(await received(p.name)).toHaveLength(3);
    expect(await deliveries(p)).toHaveLength(1);
  });

  it("a receiver that always answers 503 is tried 5 times, then dead-lettered in the log", async () => {
    const p = await alertProject("status/503");
    await createRule(p, { name: "Down", conditions: [{ id: FIRST_SEEN }] });
    await sendError(p.t, { message: "down receiver" });
    const log = await waitForDelivery(p, (d) => d.status === "dead", 50_000);
    expect(log).toMatchObject({ attempts: 5, statusCode: 503, error: "HTTP 503", ruleName: "Down" });
    expect(await received(p.name)).toHaveLength(5);
  }, 70_000);

  it("a 4xx is not retried", async () => {
    const p = await alertProject("status/410");
    await createRule(p, { name: "Gone", conditions: [{ id: FIRST_SEEN }] });
    await sendError(p.t, { message: "gone receiver" });
    const log = await waitForDelivery(p, (d) => d.status === "failed");
    expect(log).toMatchObject({ attempts: 1, statusCode: 410 });
    await settle(2500);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("a receiver that never answers times out and is retried", async () => {
    const p = await alertProject("hang");
    await createRule(p, { name: "Slow", conditions: [{ id: FIRST_SEEN }] });
    await sendError(p.t, { message: "slow receiver" });
    const log = await waitForDelivery(p, (d) => d.status === "retrying");
    expect(log.statusCode).toBeNull();
    expect(log.error).toMatch(/timeout|abort/i);
    expect(log.attempts).toBe(1);
  });

  it("backs off exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 5, 20].map(retryDelay)).toEqual([1, 2, 4, 8, 16, 300]);
  });

  it("refuses private and loopback targets unless the project allows them", async () => {
    const p = await alertProject();
    const base = `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}`;
    await createRule(p, {
      name: "Private",
      conditions: [{ id: FIRST_SEEN }],
      actions: [
        {
          id: "faultline.rules.actions.SlackWebhookAction",
          webhook_url: `${env.TEST_RECEIVER_URL}/ok/${p.name}-slack`,
        },
      ],
    });
    expect(
      (await call(p.owner.token, "PUT", `${base}/alert-settings/`, { allowPrivateTargets: false })).status,
    ).toBe(200);
    await sendError(p.t, { message: "to a private address" });
    const log = await waitForDelivery(p, (d) => d.status === "failed");
    expect(log.error).toMatch(/^refused: 127\.0\.0\.1 is a private or loopback address/);
    expect(log.target).toBe(`slack:127.0.0.1:${new URL(env.TEST_RECEIVER_URL).port}`);
    expect(await received(`${p.name}-slack`)).toHaveLength(0);
  });

  it("formats Slack and Discord incoming-webhook messages", async () => {
    const p = await alertProject();
    await createRule(p, {
      name: "Chat",
      conditions: [{ id: FIRST_SEEN }],
      actions: [
        {
          id: "faultline.rules.actions.SlackWebhookAction",
          webhook_url: `${env.TEST_RECEIVER_URL}/ok/${p.name}-slack`,
        },
        {
          id: "faultline.rules.actions.DiscordWebhookAction",
          webhook_url: `${env.TEST_RECEIVER_URL}/ok/${p.name}-discord`,
        },
      ],
    });
    await sendError(p.t, { message: "chat boom", release: "web@3.1.0", environment: "production" });
    const [slack] = await waitForReceived(`${p.name}-slack`);
    const [discord] = await waitForReceived(`${p.name}-discord`);
    const s = JSON.parse(slack!.body);
    expect(s.text).toContain("chat boom");
    expect(s.text).toContain(`/organizations/${p.t.orgSlug}/issues/`);
    expect(s.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(JSON.stringify(s.blocks)).toContain("release: web@3.1.0");
    const d = JSON.parse(discord!.body);
    expect(d.embeds[0]).toMatchObject({
      title: "chat boom",
      color: 0xe03e2f,
      footer: { text: "rule: Chat" },
    });
    expect(d.embeds[0].fields).toContainEqual({ name: "Release", value: "web@3.1.0", inline: true });
    expect(d.allowed_mentions).toEqual({ parse: [] });
    // Chat webhook URLs are credentials: the log names only their host.
    for (const row of await waitForDeliveries(p, 2))
      expect(row.target).toMatch(/^(slack|discord):127\.0\.0\.1:\d+$/);
  });

  it("sends a test notification for a rule's actions (Sentry's rule-actions endpoint)", async () => {
    const p = await alertProject();
    const base = `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}`;
    const res = await call(p.owner.token, "POST", `${base}/rule-actions/`, {
      name: "My rule",
      actions: [
        { id: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction", service: "webhooks" },
      ],
    });
    expect(res.status).toBe(202);
    const [hit] = await waitForReceived(p.name);
    const body = JSON.parse(hit!.body);
    expect(body).toMatchObject({ triggering_rules: ["My rule"], event: { test: true } });
    expect(await waitForDelivery(p, (d) => d.status === "delivered")).toMatchObject({
      rule: null,
      issue: null,
    });
    const bad = await call(p.owner.token, "POST", `${base}/rule-actions/`, { actions: [{ id: "nope" }] });
    expect(bad.status).toBe(400);
  });
});

async function waitForDeliveries(p: Awaited<ReturnType<typeof alertProject>>, n: number) {
  for (let i = 0; i < 100; i++) {
    const rows = await deliveries(p);
    if (rows.length >= n) return rows;
    await settle(200);
  }
  throw new Error("deliveries missing");
}
