// Sentry's issue alert rule API: the rule JSON it answers, partial updates, validation errors in
// Sentry's field-error shape, deletion, foreign rules and the scopes (alerts:read / alerts:write).
import { describe, expect, it } from "vitest";
import { alertProject, FIRST_SEEN, FREQUENCY, WEBHOOKS } from "./alert-helpers.ts";
import { call, createUser, orgToken } from "./tenant-helpers.ts";

describe("issue alert rules API", () => {
  it("creates, lists, reads, updates and deletes a rule in Sentry's shape", async () => {
    const p = await alertProject();
    const created = await call<Record<string, unknown>>(p.owner.token, "POST", p.rules, {
      name: "New issues",
      actionMatch: "any",
      filterMatch: "all",
      frequency: 30,
      environment: "production",
      conditions: [{ id: FIRST_SEEN }],
      filters: [{ id: "sentry.rules.filters.level.LevelFilter", match: "gte", level: "40" }],
      actions: [WEBHOOKS],
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      name: "New issues",
      actionMatch: "any",
      filterMatch: "all",
      frequency: 30,
      environment: "production",
      status: "active",
      projects: [p.t.projectSlug],
      conditions: [{ id: FIRST_SEEN, name: "A new issue is created" }],
      filters: [{ id: "sentry.rules.filters.level.LevelFilter", match: "gte", level: "40" }],
      actions: [{ ...WEBHOOKS, name: "Send a notification via webhooks" }],
    });
    const id = created.body.id as string;
    const list = await call<Record<string, unknown>[]>(p.owner.token, "GET", p.rules);
    expect(list.body.map((r) => r.id)).toEqual([id]);
    const one = await call(p.owner.token, "GET", `${p.rules}${id}/`);
    expect(one.body).toEqual(created.body);

    // PUT keeps what it does not name (Sentry's UI sends the whole rule; scripts often send a part).
    const renamed = await call<Record<string, unknown>>(p.owner.token, "PUT", `${p.rules}${id}/`, {
      name: "Renamed",
      frequency: 60,
      // The echoed `name` of a node is ignored.
      conditions: [{ id: FREQUENCY, value: 100, interval: "5m", name: "whatever" }],
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: "Renamed", frequency: 60, environment: "production" });
    expect(renamed.body.conditions).toEqual([
      { id: FREQUENCY, value: 100, interval: "5m", name: "The issue is seen more than 100 times in 5m" },
    ]);

    expect((await call(p.owner.token, "DELETE", `${p.rules}${id}/`)).status).toBe(202);
    expect((await call(p.owner.token, "GET", `${p.rules}${id}/`)).status).toBe(404);
    expect((await call(p.owner.token, "GET", p.rules)).body).toEqual([]);
  });

  it("answers invalid rules with 400 and Sentry's field errors", async () => {
    const p = await alertProject();
    const bad = await call<Record<string, string[]>>(p.owner.token, "POST", p.rules, {
      name: "",
      actionMatch: "sometimes",
      frequency: 1,
      conditions: [{ id: FREQUENCY, value: 10, interval: "2h" }, { id: "sentry.rules.conditions.Nope" }],
      filters: [{ id: "sentry.rules.filters.level.LevelFilter", match: "eq", level: "41" }],
      actions: [],
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual([
      "actionMatch",
      "actions",
      "conditions",
      "filters",
      "frequency",
      "name",
    ]);
    for (const messages of Object.values(bad.body))
      expect(messages.every((m) => typeof m === "string")).toBe(true);
    const notJson = await call(p.owner.token, "POST", p.rules, [1, 2]);
    expect(notJson.status).toBe(400);
    // An action Faultline cannot deliver is refused, not silently kept.
    const slackNoUrl = await call(p.owner.token, "POST", p.rules, {
      name: "x",
      conditions: [{ id: FIRST_SEEN }],
      actions: [{ id: "faultline.rules.actions.SlackWebhookAction" }],
    });
    expect(slackNoUrl.status).toBe(400);
    expect(slackNoUrl.body).toHaveProperty("actions");
  });

  it("a rule of another project is a 404, even in the same organization", async () => {
    const p = await alertProject();
    const q = await alertProject();
    const rule = await call<{ id: string }>(q.owner.token, "POST", q.rules, {
      name: "q",
      frequency: 5,
      conditions: [{ id: FIRST_SEEN }],
      actions: [WEBHOOKS],
    });
    expect(rule.status).toBe(200);
    expect((await call(p.owner.token, "GET", `${p.rules}${rule.body.id}/`)).status).toBe(404);
    expect((await call(p.owner.token, "PUT", `${p.rules}${rule.body.id}/`, { name: "stolen" })).status).toBe(
      404,
    );
    expect((await call(p.owner.token, "DELETE", `${p.rules}${rule.body.id}/`)).status).toBe(404);
    expect((await call(p.owner.token, "GET", `${p.rules}not-a-number/`)).status).toBe(404);
    // q's owner is not a member of p's organization: 404, and nothing of p is shown.
    const foreign = await call(q.owner.token, "GET", p.rules);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: expect.any(String) });
  });

  it("checks Sentry's alert scopes: alerts:read reads, alerts:write (or project:write) changes", async () => {
    const p = await alertProject();
    const body = { name: "s", frequency: 5, conditions: [{ id: FIRST_SEEN }], actions: [WEBHOOKS] };
    const reader = await orgToken(p.t.orgId, "alerts:read");
    expect((await call(reader, "GET", p.rules)).status).toBe(200);
    expect((await call(reader, "POST", p.rules, body)).status).toBe(403);
    const projectReader = await orgToken(p.t.orgId, "project:read");
    expect((await call(projectReader, "GET", p.rules)).status).toBe(200);
    expect((await call(projectReader, "POST", p.rules, body)).status).toBe(403);
    const writer = await orgToken(p.t.orgId, "alerts:write");
    expect((await call(writer, "POST", p.rules, body)).status).toBe(200);
    expect((await call(writer, "GET", p.rules)).status).toBe(200);
    const projectWriter = await orgToken(p.t.orgId, "project:write");
    expect((await call(projectWriter, "POST", p.rules, body)).status).toBe(200);
    const eventsOnly = await orgToken(p.t.orgId, "event:read");
    expect((await call(eventsOnly, "GET", p.rules)).status).toBe(403);
    // A member manages alerts as in Sentry (the member role carries alerts:write).
    const member = await createUser(p.t.orgId, "member", "alerts:read alerts:write");
    expect((await call(member.token, "POST", p.rules, body)).status).toBe(200);
  });

  it("keeps webhook URLs in the legacy webhooks plugin, one per line, refusing private ones unless allowed", async () => {
    const p = await alertProject();
    const base = `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}`;
    const set = await call<Record<string, unknown>>(p.owner.token, "PUT", `${base}/plugins/webhooks/`, {
      urls: "https://hooks.example.com/a\n\nhttps://hooks.example.com/b\n",
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      slug: "webhooks",
      enabled: true,
      config: [{ name: "urls", value: "https://hooks.example.com/a\nhttps://hooks.example.com/b" }],
    });
    await call(p.owner.token, "PUT", `${base}/alert-settings/`, { allowPrivateTargets: false });
    for (const url of [
      "http://127.0.0.1:9/x",
      "http://10.1.2.3/",
      "http://[::1]/",
      "http://localhost/",
      "ftp://a.example/",
    ]) {
      const refused = await call(p.owner.token, "PUT", `${base}/plugins/webhooks/`, { urls: url });
      expect(refused.status, url).toBe(400);
      expect(refused.body).toEqual({ detail: expect.stringContaining(url) });
    }
    const secret = await call<{ webhookSecret: string }>(p.owner.token, "GET", `${base}/alert-settings/`);
    expect(secret.body.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    const rotated = await call<{ webhookSecret: string }>(p.owner.token, "PUT", `${base}/alert-settings/`, {
      rotateSecret: true,
    });
    expect(rotated.body.webhookSecret).not.toBe(secret.body.webhookSecret);
  });
});
