// Sentry's "archive until escalating" through the issues API: the issue stays archived while its day's
// events stay under its ceiling (twice its busiest day of the week before it was archived, at least
// ESCALATION_MIN_CEILING), and the event that passes it brings the issue back as unresolved /
// escalating, with `set_escalating` by no user, and fires ReappearedEventCondition ("the issue changes
// state from archived to escalating") once.
import { describe, expect, it } from "vitest";
import { ESCALATION_MIN_CEILING } from "../../src/limits.ts";
import {
  alertProject,
  createRule,
  issueIdOf,
  REAPPEARED,
  received,
  sendError,
  settle,
  waitForReceived,
} from "./alert-helpers.ts";
import { createTenant, drainSpool, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const DAY = 86_400;

interface IssueBody {
  status: string;
  substatus: string | null;
  statusDetails: Record<string, unknown>;
}

const issuePath = (t: Tenant, id: number) => `/api/0/organizations/${t.orgSlug}/issues/${id}/`;

async function archiveUntilEscalating(t: Tenant, token: string, id: number): Promise<void> {
  const res = await call<IssueBody>(token, "PUT", issuePath(t, id), {
    status: "ignored",
    substatus: "archived_until_escalating",
  });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ status: "ignored", substatus: "archived_until_escalating" });
}

async function issue(t: Tenant, token: string, id: number): Promise<IssueBody> {
  const res = await call<IssueBody>(token, "GET", issuePath(t, id));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The day's events go at least an hour after midnight (UTC), so none lands on the day before. */
function todayAt(now: number): number {
  const start = Math.floor(now / DAY) * DAY;
  return Math.max(start + 3600, now - 60);
}

describe("archived until escalating", () => {
  it("comes back as escalating with the event that passes the ceiling, and fires the Reappeared rule once", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Escalates", conditions: [{ id: REAPPEARED }] });
    const message = "archived until it escalates";
    const at = todayAt(Date.now() / 1000);
    const id = await issueIdOf(p.t, await sendError(p.t, { message, timestamp: at }));
    await archiveUntilEscalating(p.t, p.owner.token, id);
    expect(await issue(p.t, p.owner.token, id)).toMatchObject({
      status: "ignored",
      substatus: "archived_until_escalating",
      statusDetails: {},
    });

    // No history: the ceiling is the floor. The events before the archive count towards the day.
    for (let n = 1; n < ESCALATION_MIN_CEILING; n++) await sendError(p.t, { message, timestamp: at });
    await drainSpool(p.t.projectId);
    await settle(1500);
    expect(await received(p.name)).toHaveLength(0);
    expect((await issue(p.t, p.owner.token, id)).status).toBe("ignored");

    const passing = await sendError(p.t, { message, timestamp: at });
    const [hit] = await waitForReceived(p.name, 1);
    expect(JSON.parse(hit!.body).triggering_rules).toEqual(["Escalates"]);
    expect(JSON.parse(hit!.body).event.event_id).toBe(passing);
    expect(await issue(p.t, p.owner.token, id)).toMatchObject({
      status: "unresolved",
      substatus: "escalating",
      statusDetails: {},
    });
    const activity = await call<{ activity: { type: string; user: unknown }[] }>(
      p.owner.token,
      "GET",
      `${issuePath(p.t, id)}activities/`,
    );
    expect(activity.body.activity.map((a) => a.type)).toEqual([
      "set_escalating",
      "set_ignored",
      "first_seen",
    ]);
    expect(activity.body.activity[0]?.user).toBeNull();
    const stream = await call<{ id: string }[]>(
      p.owner.token,
      "GET",
      `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}/issues/?query=${encodeURIComponent("is:escalating")}`,
    );
    expect(stream.body.map((i) => i.id)).toEqual([String(id)]);

    // Unresolved again, its next events are no escalation.
    await sendError(p.t, { message, timestamp: at });
    await settle(1500);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("sets the ceiling at twice the busiest day of the week before; an issue archived forever stays", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const today = Math.floor(now / DAY) * DAY;
    const message = "busy last week";
    // Last week: 7 events two days ago and 2 three days ago. Busiest day 7, so the ceiling is 14.
    const first = await sendError(t, { message, timestamp: today - 2 * DAY + 3600 });
    for (let n = 1; n < 7; n++) await sendError(t, { message, timestamp: today - 2 * DAY + 3600 });
    for (let n = 0; n < 2; n++) await sendError(t, { message, timestamp: today - 3 * DAY + 3600 });
    const id = await issueIdOf(t, first);
    const forever = await issueIdOf(t, await sendError(t, { message: "archived for good" }));
    await archiveUntilEscalating(t, t.token, id);
    const res = await call<IssueBody>(t.token, "PUT", issuePath(t, forever), { status: "ignored" });
    expect(res.body.substatus).toBe("archived_forever");

    const at = todayAt(now);
    for (let n = 0; n < 14; n++) {
      await sendError(t, { message, timestamp: at });
      await sendError(t, { message: "archived for good", timestamp: at });
    }
    await drainSpool(t.projectId);
    expect((await issue(t, t.token, id)).status).toBe("ignored");
    await sendError(t, { message, timestamp: at });
    await drainSpool(t.projectId);
    expect(await issue(t, t.token, id)).toMatchObject({ status: "unresolved", substatus: "escalating" });
    expect(await issue(t, t.token, forever)).toMatchObject({
      status: "ignored",
      substatus: "archived_forever",
    });
  });
});
