// The organization's retention (docs/retention.md): `retentionDays` on GET/PUT
// /api/0/organizations/{org}/ (owners and admins, 1 to 90, null for the default of 90), the cap it puts
// on each project's own retentionDays, the sweep keeping the smaller of the two (a lowered organization
// retention applies at the next sweep), isolation from other organizations, and the settings pages.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { stubOf } from "./fault-helpers.ts";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";
import { addUser, get, post, signIn } from "./ui-helpers.ts";

const DAY = 86_400;
const HOUR_MS = 3600 * 1000;

const orgPath = (t: Tenant) => `/api/0/organizations/${t.orgSlug}/`;
const projectPath = (t: Tenant) => `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;

async function orgRetention(t: Tenant, token = t.token): Promise<number> {
  const res = await call<{ retentionDays: number }>(token, "GET", orgPath(t));
  expect(res.status, res.text).toBe(200);
  return res.body.retentionDays;
}

async function projectRetention(t: Tenant): Promise<number> {
  const res = await call<{ retentionDays: number }>(t.token, "GET", projectPath(t));
  expect(res.status, res.text).toBe(200);
  return res.body.retentionDays;
}

async function sendError(t: Tenant, message: string, timestamp: number): Promise<string> {
  const id = newEventId();
  const event = JSON.stringify({ event_id: id, level: "error", message, timestamp });
  expect((await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, event]))).status).toBe(200);
  return id;
}

async function sweep(t: Tenant, aheadMs: number): Promise<void> {
  await stubOf(t).setRetention({ aheadMs });
  expect(await runDurableObjectAlarm(stubOf(t))).toBe(true);
}

describe("organization retention", () => {
  it("GET shows 90 by default; an owner or admin PUTs 1 to 90 or null; anything else is a 400 with detail", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const admin = await createUser(t.orgId, "admin");
    expect(await orgRetention(t, owner.token)).toBe(90);
    const set = await call<{ retentionDays: number; slug: string }>(owner.token, "PUT", orgPath(t), {
      retentionDays: 30,
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ retentionDays: 30, slug: t.orgSlug });
    expect(await orgRetention(t)).toBe(30);
    for (const bad of [0, 91, 1.5, -3, "a month", true, {}, [30]]) {
      const refused = await call<{ detail: string }>(owner.token, "PUT", orgPath(t), { retentionDays: bad });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.detail).toMatch(/retentionDays/);
    }
    const missing = await call<{ detail: string }>(owner.token, "PUT", orgPath(t), { name: "renamed" });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/retentionDays: required/);
    expect((await call(owner.token, "PUT", orgPath(t), "[")).status).toBe(400);
    expect(await orgRetention(t)).toBe(30);
    expect((await call(admin.token, "PUT", orgPath(t), { retentionDays: "14" })).status).toBe(200);
    expect(await orgRetention(t)).toBe(14);
    // A member reads it but may not change it.
    const member = await createUser(t.orgId, "member");
    expect(await orgRetention(t, member.token)).toBe(14);
    const refused = await call<{ detail: string }>(member.token, "PUT", orgPath(t), { retentionDays: 1 });
    expect(refused.status).toBe(403);
    expect(await orgRetention(t)).toBe(14);
    const reset = await call<{ retentionDays: number }>(owner.token, "PUT", orgPath(t), {
      retentionDays: null,
    });
    expect(reset.body.retentionDays).toBe(90);
  });

  it("another organization's tokens can neither read nor change it", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ownerB = await createUser(b.orgId, "owner");
    const orgTokenB = await call<{ token: string }>(
      ownerB.token,
      "POST",
      `/api/0/organizations/${b.orgSlug}/org-auth-tokens/`,
      { name: "B ci" },
    );
    expect(orgTokenB.status, orgTokenB.text).toBe(201);
    const ownerA = await createUser(a.orgId, "owner");
    expect((await call(ownerA.token, "PUT", orgPath(a), { retentionDays: 20 })).status).toBe(200);
    for (const token of [ownerB.token, orgTokenB.body.token, b.token]) {
      const read = await call(token, "GET", orgPath(a));
      expect(read.status).toBe(404);
      expect(read.text).not.toContain('"retentionDays"');
      expect((await call(token, "PUT", orgPath(a), { retentionDays: 1 })).status).toBe(404);
    }
    expect((await call(orgTokenB.body.token, "PUT", orgPath(b), { retentionDays: 5 })).status).toBe(403);
    expect(await orgRetention(a)).toBe(20);
    expect(await orgRetention(b)).toBe(90);
  });

  it("caps each project's retentionDays: more than the organization's is a 400, the project shows the smaller", async () => {
    const t = await createTenant();
    const { token } = await createUser(t.orgId, "owner");
    expect((await call(token, "PUT", orgPath(t), { retentionDays: 30 })).status).toBe(200);
    // A project with no retention of its own keeps the organization's.
    expect(await projectRetention(t)).toBe(30);
    const over = await call<{ detail: string }>(t.token, "PUT", projectPath(t), { retentionDays: 31 });
    expect(over.status).toBe(400);
    expect(over.body.detail).toBe(
      "retentionDays: at most the organization's retention of 30 days, or null for it",
    );
    expect((await call(t.token, "PUT", projectPath(t), { retentionDays: 30 })).status).toBe(200);
    expect((await call(t.token, "PUT", projectPath(t), { retentionDays: 7 })).status).toBe(200);
    expect(await projectRetention(t)).toBe(7);
    // Lowered below the project's own: the organization's applies.
    expect((await call(token, "PUT", orgPath(t), { retentionDays: 3 })).status).toBe(200);
    expect(await projectRetention(t)).toBe(3);
    const listed = await call<{ slug: string; retentionDays: number }[]>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/projects/`,
    );
    expect(listed.body.find((p) => p.slug === t.projectSlug)?.retentionDays).toBe(3);
    const detail = await call<{ projects: { slug: string; retentionDays: number }[] }>(
      t.token,
      "GET",
      orgPath(t),
    );
    expect(detail.body.projects.find((p) => p.slug === t.projectSlug)?.retentionDays).toBe(3);
    // Raised again: the project's own 7 days are back.
    expect((await call(token, "PUT", orgPath(t), { retentionDays: null })).status).toBe(200);
    expect(await projectRetention(t)).toBe(7);
  });

  it("the sweep keeps the smaller of the two; lowering the organization's applies at the next sweep", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const { token } = await createUser(t.orgId, "owner");
    expect((await call(token, "PUT", orgPath(t), { retentionDays: 3 })).status).toBe(200);
    expect((await call(t.token, "PUT", projectPath(t), { retentionDays: 2 })).status).toBe(200);
    const fourDays = await sendError(t, "four days old", now - 4 * DAY);
    const twoAndHalf = await sendError(t, "two and a half days old", now - 2.5 * DAY);
    const oneAndHalf = await sendError(t, "a day and a half old", now - 1.5 * DAY);
    const recent = await sendError(t, "recent", now);
    const status = async (id: string) =>
      (await call(t.token, "GET", `${projectPath(t)}events/${id}/`)).status;

    // The project's 2 days, below the organization's 3.
    await sweep(t, 2 * HOUR_MS);
    expect(await Promise.all([fourDays, twoAndHalf, oneAndHalf, recent].map(status))).toEqual([
      404, 404, 200, 200,
    ]);
    // The organization lowered to 1 day: the next sweep (an hour on) keeps one day only.
    expect((await call(token, "PUT", orgPath(t), { retentionDays: 1 })).status).toBe(200);
    await sweep(t, 4 * HOUR_MS);
    expect(await Promise.all([oneAndHalf, recent].map(status))).toEqual([404, 200]);
  });

  it("the organization's settings page shows and sets it for owners and admins; a project's form is capped by it", async () => {
    const t = await createTenant();
    const owner = await signIn(await addUser(t, "owner"));
    const path = `/settings/${t.orgSlug}/projects/`;
    const page = await (await get(owner, path)).text();
    expect(page).toContain('data-organization-retention-days="90"');
    const bad = await post(owner, path, { action: "retention", retentionDays: "91" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("retentionDays: a whole number of days from 1 to 90");
    expect((await post(owner, path, { action: "retention", retentionDays: "10" })).status).toBe(303);
    expect(await (await get(owner, path)).text()).toContain('data-organization-retention-days="10"');
    expect(await orgRetention(t)).toBe(10);
    const projectPage = `/settings/${t.orgSlug}/projects/${t.projectSlug}/`;
    expect(await (await get(owner, projectPage)).text()).toContain('data-retention-days="10"');
    const over = await post(owner, projectPage, { action: "retention", retentionDays: "20" });
    expect(over.status).toBe(400);
    expect(await over.text()).toContain("at most the organization&#39;s retention of 10 days");
    const member = await signIn(await addUser(t, "member"));
    const seen = await (await get(member, path)).text();
    expect(seen).toContain('data-organization-retention-days="10"');
    expect(seen).not.toContain('id="org-retention"');
    expect((await post(member, path, { action: "retention", retentionDays: "30" })).status).toBe(403);
    expect(await orgRetention(t)).toBe(10);
  });
});
