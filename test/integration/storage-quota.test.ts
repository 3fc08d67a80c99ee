// The organization's storage quota end to end: stored bytes counted by the group commit, the quota set
// through the organization usage API by an owner, ingest answering 429 with Retry-After and
// X-Sentry-Rate-Limits (`storage_quota`) once it is reached, the rate_limited outcome in the stats API
// and the receipt, the usage page's used / quota, and the data retention form of the settings page.
import { describe, expect, it } from "vitest";
import { DEFAULT_STORAGE_QUOTA_BYTES } from "../../src/limits.ts";
import { createTenant, envelope, newEventId, postEnvelope } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";
import { addUser, get, post, signIn } from "./ui-helpers.ts";

const errorEnvelope = (id: string, message: string) =>
  envelope({ event_id: id }, [{ type: "event" }, JSON.stringify({ event_id: id, message })]);

interface StorageBody {
  storage: { usedBytes: number; quotaBytes: number; defaultQuota: boolean; state: string };
}

interface StatsBody {
  groups: { by: Record<string, string>; totals: Record<string, number> }[];
}

describe("storage quota", () => {
  it("refuses ingest with 429 storage_quota once the organization's stored bytes reach its quota", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const member = await createUser(t.orgId, "member");
    const usage = `/api/0/organizations/${t.orgSlug}/usage/`;
    expect((await postEnvelope(t, errorEnvelope(newEventId(), "stored"))).status).toBe(200);
    const first = await call<StorageBody>(owner.token, "GET", usage);
    expect(first.status, first.text).toBe(200);
    expect(first.body.storage).toMatchObject({
      quotaBytes: DEFAULT_STORAGE_QUOTA_BYTES,
      defaultQuota: true,
      state: "ok",
    });
    const used = first.body.storage.usedBytes;
    expect(used).toBeGreaterThan(50);

    for (const bad of [-1, 1.5, "many", true]) {
      const refused = await call<{ detail: string }>(owner.token, "PUT", usage, { storageQuotaBytes: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/storageQuotaBytes/);
    }
    expect((await call(member.token, "PUT", usage, { storageQuotaBytes: used })).status).toBe(403);
    // A quota the organization already stores: refused from the next envelope on.
    const put = await call<StorageBody>(owner.token, "PUT", usage, { storageQuotaBytes: used });
    expect(put.status, put.text).toBe(200);
    expect(put.body.storage).toMatchObject({
      usedBytes: used,
      quotaBytes: used,
      defaultQuota: false,
      state: "over_quota",
    });

    const id = newEventId();
    const refused = await postEnvelope(t, errorEnvelope(id, "over quota"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
    expect(refused.headers.get("x-sentry-rate-limits")).toBe("3600::organization:storage_quota");
    const receipt = await call<{ outcome: string; reason: string }>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/receipt/`,
    );
    expect(receipt.body).toMatchObject({ outcome: "rate_limited", reason: "storage_quota" });
    const stats = await call<StatsBody>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=outcome&groupBy=reason&category=error&statsPeriod=1d&interval=1d`,
    );
    expect(stats.status, stats.text).toBe(200);
    const limited = stats.body.groups.find(
      (g) => g.by.outcome === "rate_limited" && g.by.reason === "storage_quota",
    );
    expect(limited?.totals["sum(quantity)"]).toBe(1);

    // The usage page shows used / quota and the refusal.
    const browser = await signIn(await addUser(t, "member"));
    const page = await (await get(browser, `/settings/${t.orgSlug}/projects/${t.projectSlug}/usage/`)).text();
    expect(page).toContain("Organization storage");
    expect(page).toContain(`data-storage-used="${used}"`);
    expect(page).toContain(`data-storage-quota="${used}"`);
    expect(page).toContain('data-storage-state="over_quota"');

    // Back to the default quota: accepted again.
    const reset = await call<StorageBody>(owner.token, "PUT", usage, { storageQuotaBytes: null });
    expect(reset.body.storage).toMatchObject({ defaultQuota: true, state: "ok" });
    expect((await postEnvelope(t, errorEnvelope(newEventId(), "room again"))).status).toBe(200);
    const after = await call<StorageBody>(owner.token, "GET", usage);
    expect(after.body.storage.usedBytes).toBeGreaterThan(used);
  });

  it("the settings page sets the project's retention (owners and admins), as the API shows it", async () => {
    const t = await createTenant();
    const owner = await signIn(await addUser(t, "owner"));
    const path = `/settings/${t.orgSlug}/projects/${t.projectSlug}/`;
    const page = await (await get(owner, path)).text();
    expect(page).toContain("Data retention");
    expect(page).toContain('data-retention-days="90"');
    const bad = await post(owner, path, { action: "retention", retentionDays: "0" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("retentionDays: a whole number of days from 1 to 90");
    expect((await post(owner, path, { action: "retention", retentionDays: "7" })).status).toBe(303);
    expect(await (await get(owner, path)).text()).toContain('data-retention-days="7"');
    const api = await call<{ retentionDays: number }>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`,
    );
    expect(api.body.retentionDays).toBe(7);
    const member = await signIn(await addUser(t, "member"));
    expect((await post(member, path, { action: "retention", retentionDays: "30" })).status).toBe(403);
    expect((await post(owner, path, { action: "retention", retentionDays: "" })).status).toBe(303);
    expect(await (await get(owner, path)).text()).toContain('data-retention-days="90"');
  });

  it("deleting an attachment or an issue through the API gives its bytes back to the quota", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const usage = `/api/0/organizations/${t.orgSlug}/usage/`;
    const used = async () => (await call<StorageBody>(owner.token, "GET", usage)).body.storage.usedBytes;
    const id = newEventId();
    const log = "a line of the log\n".repeat(100);
    const sent = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, JSON.stringify({ event_id: id, message: "with a log" })],
        [{ type: "attachment", filename: "app.log", content_type: "text/plain" }, log],
      ),
    );
    expect(sent.status).toBe(200);
    const withAttachment = await used();
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`;
    const listed = await call<{ id: string }[]>(owner.token, "GET", `${base}attachments/`);
    const attachment = listed.body[0]!.id;
    expect((await call(owner.token, "DELETE", `${base}attachments/${attachment}/`)).status).toBe(204);
    expect(await used()).toBe(withAttachment - log.length);

    const event = await call<{ groupID: string }>(owner.token, "GET", base);
    expect((await call(owner.token, "DELETE", `/api/0/issues/${event.body.groupID}/`)).status).toBe(202);
    expect(await used()).toBe(0);
  });
});
