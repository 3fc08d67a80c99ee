// The alert rules page: create from the templates, disable, edit, send a test notification, delete,
// the webhooks settings (owners and admins only), the delivery log, and which rules fired on the
// issue page.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueIdOf, sendError, waitForReceived } from "./alert-helpers.ts";
import { createTenant } from "./helpers.ts";
import { addUser, get, post, signIn } from "./ui-helpers.ts";

const rulesOf = async (projectId: number) =>
  (
    await env.DB.prepare(
      "SELECT name, status, frequency, conditions, actions FROM alert_rules WHERE project_id = ? ORDER BY id",
    )
      .bind(projectId)
      .all<{ name: string; status: string; frequency: number; conditions: string; actions: string }>()
  ).results;

describe("alert rules page", () => {
  it("creates rules from templates, disables, edits, tests and deletes them", async () => {
    const t = await createTenant();
    const owner = await signIn(await addUser(t, "owner"));
    const page = `/settings/${t.orgSlug}/projects/${t.projectSlug}/alerts/`;
    expect(
      (
        await post(owner, page, {
          action: "webhooks",
          urls: `${env.TEST_RECEIVER_URL}/ok/ui-${t.orgSlug}`,
          allowPrivate: "1",
        })
      ).status,
    ).toBe(303);
    for (const template of ["new-issue", "regression", "spike"])
      expect(
        (await post(owner, page, { action: "create", template, name: "", target: "webhooks" })).status,
      ).toBe(303);
    const rules = await rulesOf(t.projectId);
    expect(rules.map((r) => r.name)).toEqual([
      "A new issue is created",
      "An issue regresses",
      "Spike: more than 100 events in 5 minutes",
    ]);
    expect(JSON.parse(rules[2]!.conditions)).toEqual([
      { id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition", value: 100, interval: "5m" },
    ]);
    const html = await (await get(owner, page)).text();
    expect(html).toContain("The issue is seen more than 100 times in 5m");
    expect(html).toContain("Send test notification");

    const ids = (
      await env.DB.prepare("SELECT id FROM alert_rules WHERE project_id = ? ORDER BY id")
        .bind(t.projectId)
        .all<{ id: number }>()
    ).results.map((r) => String(r.id));
    expect((await post(owner, page, { action: "disable", rule: ids[1]! })).status).toBe(303);
    expect((await rulesOf(t.projectId))[1]!.status).toBe("disabled");
    const bad = await post(owner, page, {
      action: "edit",
      rule: ids[2]!,
      name: "Spike",
      frequency: "1",
      environment: "",
      json: "{}",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("frequency: Ensure this value is between 5 and 43200.");
    const edited = await post(owner, page, {
      action: "edit",
      rule: ids[2]!,
      name: "Big spike",
      frequency: "120",
      environment: "production",
      json: JSON.stringify({
        conditions: [
          {
            id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
            value: 500,
            interval: "1h",
          },
        ],
      }),
    });
    expect(edited.status).toBe(303);
    expect((await rulesOf(t.projectId))[2]).toMatchObject({ name: "Big spike", frequency: 120 });

    expect((await post(owner, page, { action: "test", rule: ids[0]! })).status).toBe(303);
    const [hit] = await waitForReceived(`ui-${t.orgSlug}`);
    expect(JSON.parse(hit!.body)).toMatchObject({
      triggering_rules: ["A new issue is created"],
      event: { test: true },
    });

    expect((await post(owner, page, { action: "delete", rule: ids[2]! })).status).toBe(303);
    expect(await rulesOf(t.projectId)).toHaveLength(2);
  });

  it("shows the delivery log and, on the issue page, which rules fired", async () => {
    const t = await createTenant();
    const owner = await signIn(await addUser(t, "owner"));
    const page = `/settings/${t.orgSlug}/projects/${t.projectSlug}/alerts/`;
    await post(owner, page, {
      action: "webhooks",
      urls: `${env.TEST_RECEIVER_URL}/ok/ui2-${t.orgSlug}`,
      allowPrivate: "1",
    });
    await post(owner, page, { action: "create", template: "new-issue", name: "Page me", target: "webhooks" });
    const eventId = await sendError(t, { message: "ui alert" });
    await waitForReceived(`ui2-${t.orgSlug}`);
    const issueId = await issueIdOf(t, eventId);
    let log = "";
    for (let i = 0; i < 50 && !log.includes("delivered"); i++) {
      log = await (await get(owner, page)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(log).toContain("Delivery log");
    expect(log).toContain("delivered");
    const issue = await (await get(owner, `/organizations/${t.orgSlug}/issues/${issueId}/`)).text();
    expect(issue).toContain("Alerts fired");
    expect(issue).toContain("Page me");
  });

  it("members manage rules; only owners and admins change the webhook settings", async () => {
    const t = await createTenant();
    const member = await signIn(await addUser(t, "member"));
    const page = `/settings/${t.orgSlug}/projects/${t.projectSlug}/alerts/`;
    expect(
      (await post(member, page, { action: "create", template: "new-issue", target: "email" })).status,
    ).toBe(303);
    expect(
      (await post(member, page, { action: "webhooks", urls: "https://hooks.example.com/x" })).status,
    ).toBe(403);
    const html = await (await get(member, page)).text();
    expect(html).toContain("Owners and admins set the webhook URLs.");
    expect(html).not.toContain("Sentry-Hook-Signature");
    const other = await createTenant();
    const stranger = await signIn(await addUser(other, "owner"));
    expect((await get(stranger, page)).status).toBe(404);
    expect(
      (await post(stranger, page, { action: "create", template: "spike", target: "email" })).status,
    ).toBe(404);
    expect(await rulesOf(t.projectId)).toHaveLength(1);
  });
});
