// Issue alerts end to end inside workerd: events through ingest, rules evaluated in the project's
// Durable Object at commit, deliveries through the real queue to a real local HTTP receiver
// (test/support/receiver.mjs), and the delivery log. Conditions and the rule's `frequency`.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  alertProject,
  createRule,
  deliveries,
  FIRST_SEEN,
  FREQUENCY,
  issueIdOf,
  REAPPEARED,
  REGRESSION,
  received,
  sendError,
  settle,
  UNIQUE_USERS,
  waitForDelivery,
  waitForReceived,
} from "./alert-helpers.ts";
import { call } from "./tenant-helpers.ts";

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("issue alert conditions", () => {
  it("a new issue sends Sentry's legacy webhook payload, signed with the project's secret", async () => {
    const p = await alertProject();
    await createRule(p, { name: "New issue", conditions: [{ id: FIRST_SEEN }] });
    const eventId = await sendError(p.t, {
      message: "first seen boom",
      release: "app@1.0.0",
      environment: "prod",
      tags: { shard: "a" },
    });
    const [hit] = await waitForReceived(p.name);
    const issueId = await issueIdOf(p.t, eventId);
    const body = JSON.parse(hit!.body);
    expect(body).toMatchObject({
      id: String(issueId),
      project: p.t.projectSlug,
      project_slug: p.t.projectSlug,
      level: "error",
      message: "first seen boom",
      url: `http://faultline.test/organizations/${p.t.orgSlug}/issues/${issueId}/?referrer=webhooks_plugin`,
      triggering_rules: ["New issue"],
      event: { event_id: eventId, id: eventId, release: "app@1.0.0", environment: "prod", level: "error" },
    });
    expect(body.event.tags).toContainEqual(["shard", "a"]);
    const settings = await call<{ webhookSecret: string }>(
      p.owner.token,
      "GET",
      `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}/alert-settings/`,
    );
    expect(hit!.headers["sentry-hook-signature"]).toBe(await hmacHex(settings.body.webhookSecret, hit!.body));
    expect(hit!.headers["content-type"]).toBe("application/json");

    // The same issue again is not new: nothing more is sent.
    await sendError(p.t, { message: "first seen boom" });
    await settle();
    expect(await received(p.name)).toHaveLength(1);
    const log = await waitForDelivery(p, (d) => d.status === "delivered");
    expect(log).toMatchObject({
      ruleName: "New issue",
      issue: String(issueId),
      statusCode: 200,
      attempts: 1,
      error: null,
    });
    expect((await deliveries(p, `?issue=${issueId}`)).length).toBe(1);
  });

  it("a regression fires when a resolved issue gets an event; not again within the rule's frequency", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Regressed", conditions: [{ id: REGRESSION }] });
    const first = await sendError(p.t, { message: "regress me" });
    const issueId = await issueIdOf(p.t, first);
    await settle(1500);
    expect(await received(p.name)).toHaveLength(0);
    const resolve = () =>
      call(p.owner.token, "PUT", `/api/0/organizations/${p.t.orgSlug}/issues/${issueId}/`, {
        status: "resolved",
      });
    expect((await resolve()).status).toBe(200);
    await sendError(p.t, { message: "regress me" });
    await waitForReceived(p.name, 1);
    // Regressed, still unresolved: a further event is no regression.
    await sendError(p.t, { message: "regress me" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
    // Resolved and regressed again within the rule's frequency (5 minutes): Sentry's rule stays quiet.
    expect((await resolve()).status).toBe(200);
    await sendError(p.t, { message: "regress me" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("an ignored issue whose snooze an event ends fires ReappearedEventCondition; one ignored forever never", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Reappeared", conditions: [{ id: REAPPEARED }] });
    const ignore = async (message: string, details: Record<string, unknown>) => {
      const issueId = await issueIdOf(p.t, await sendError(p.t, { message }));
      const res = await call(p.owner.token, "PUT", `/api/0/organizations/${p.t.orgSlug}/issues/${issueId}/`, {
        status: "ignored",
        ...details,
      });
      expect(res.status).toBe(200);
      return issueId;
    };
    // Archived forever: its events keep it archived and fire nothing.
    const forever = await ignore("ignored forever", {});
    await sendError(p.t, { message: "ignored forever" });
    // Ignored until 2 more events: the first leaves it ignored, the second wakes it.
    const snoozed = await ignore("ignored one", { statusDetails: { ignoreCount: 2 } });
    await sendError(p.t, { message: "ignored one" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(0);
    const second = await sendError(p.t, { message: "ignored one" });
    const [hit] = await waitForReceived(p.name, 1);
    expect(JSON.parse(hit!.body).triggering_rules).toEqual(["Reappeared"]);
    expect(JSON.parse(hit!.body).event.event_id).toBe(second);
    const issue = (id: number) =>
      call<{ status: string; substatus: string; statusDetails: Record<string, unknown> }>(
        p.owner.token,
        "GET",
        `/api/0/organizations/${p.t.orgSlug}/issues/${id}/`,
      );
    expect((await issue(snoozed)).body).toMatchObject({
      status: "unresolved",
      substatus: "ongoing",
      statusDetails: {},
    });
    expect((await issue(forever)).body.status).toBe("ignored");
    const activity = await call<{ activity: { type: string; user: unknown }[] }>(
      p.owner.token,
      "GET",
      `/api/0/organizations/${p.t.orgSlug}/issues/${snoozed}/activities/`,
    );
    expect(activity.body.activity.map((a) => a.type)).toEqual([
      "set_unresolved",
      "set_ignored",
      "first_seen",
    ]);
    expect(activity.body.activity[0]?.user).toBeNull();
    // Awake, its next event is no reappearance.
    await sendError(p.t, { message: "ignored one" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("more than N events in an interval fires on the event that crosses N", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Spike", conditions: [{ id: FREQUENCY, value: 2, interval: "1m" }] });
    await sendError(p.t, { message: "spiky" });
    await sendError(p.t, { message: "spiky" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(0);
    const third = await sendError(p.t, { message: "spiky" });
    const [hit] = await waitForReceived(p.name, 1);
    expect(JSON.parse(hit!.body).event.event_id).toBe(third);
    // Within the rule's frequency (5 minutes) the same issue does not fire again.
    await sendError(p.t, { message: "spiky" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("more than N distinct users in an interval counts users, not events", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Users", conditions: [{ id: UNIQUE_USERS, value: 1, interval: "1h" }] });
    await sendError(p.t, { message: "users", user: "u1" });
    await sendError(p.t, { message: "users", user: "u1" });
    await sendError(p.t, { message: "users", user: "u1" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(0);
    await sendError(p.t, { message: "users", user: "u2" });
    await waitForReceived(p.name, 1);
  });

  it("frequency: an issue fires a rule at most once per `frequency` minutes; another issue fires on its own", async () => {
    const p = await alertProject();
    await createRule(p, {
      name: "Every event",
      frequency: 5,
      conditions: [{ id: FREQUENCY, value: 0, interval: "1m" }],
    });
    await sendError(p.t, { message: "issue one" });
    await sendError(p.t, { message: "issue one" });
    await sendError(p.t, { message: "issue two" });
    await waitForReceived(p.name, 2);
    await settle(1500);
    const got = (await received(p.name)).map((r) => JSON.parse(r.body).message).sort();
    expect(got).toEqual(["issue one", "issue two"]);
  });

  it("actionMatch any / none, a disabled rule, and a change through the API take effect at once", async () => {
    const p = await alertProject();
    const id = await createRule(p, {
      name: "Any",
      actionMatch: "any",
      conditions: [{ id: REGRESSION }, { id: FIRST_SEEN }],
    });
    await sendError(p.t, { message: "any one" });
    await waitForReceived(p.name, 1);
    expect((await call(p.owner.token, "PUT", `${p.rules}${id}/`, { status: "disabled" })).status).toBe(200);
    await sendError(p.t, { message: "any two" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
    // `none`: fires when no condition holds (here: an event that is not the issue's first).
    expect(
      (
        await call(p.owner.token, "PUT", `${p.rules}${id}/`, {
          status: "active",
          actionMatch: "none",
          conditions: [{ id: FIRST_SEEN }],
        })
      ).status,
    ).toBe(200);
    await sendError(p.t, { message: "any three" });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
    await sendError(p.t, { message: "any three" });
    await waitForReceived(p.name, 2);
  });

  it("does not read D1 for rules per event: the object caches them until the API changes them", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Cached", conditions: [{ id: FIRST_SEEN }] });
    await sendError(p.t, { message: "cache warm" });
    await waitForReceived(p.name, 1);
    // A rule inserted behind the API's back is not seen (cached); the API's change is.
    await env.DB.prepare("UPDATE alert_rules SET status = 'disabled' WHERE project_id = ?")
      .bind(p.t.projectId)
      .run();
    await sendError(p.t, { message: "cache second" });
    await waitForReceived(p.name, 2);
  });
});
