// Retention end to end inside workerd: events sent with old timestamps through the real ingest path,
// the project's retention set through the project API, and time let pass for the project object's
// alarm (the test worker's retention clock seam). The REST API then shows expired events and issues
// gone, an issue with a recent event kept, and the R2 bytes of what expired deleted; the hourly row
// budget stops a sweep and the next hour resumes it.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { payloadSegmentPrefix } from "../../src/blobs/keys.ts";
import { parseLocator } from "../../src/blobs/segment-format.ts";
import { PAYLOAD_SEGMENT_MAX_AGE_SECONDS } from "../../src/limits.ts";
import { stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

const DAY = 86_400;
const HOUR_MS = 3600 * 1000;

async function sendError(
  t: Tenant,
  fields: { message: string; timestamp: number; fingerprint?: string[]; extra?: Record<string, unknown> },
  attachment?: string,
): Promise<string> {
  const id = newEventId();
  const items: [object, string][] = [
    [{ type: "event" }, JSON.stringify({ event_id: id, level: "error", ...fields })],
  ];
  if (attachment)
    items.push([{ type: "attachment", filename: "app.log", content_type: "text/plain" }, attachment]);
  const res = await postEnvelope(t, envelope({ event_id: id }, ...items));
  expect(res.status).toBe(200);
  return id;
}

/** Lets the retention clock run `aheadMs` ahead and runs the project object's alarm once. */
async function sweep(t: Tenant, seams: { aheadMs?: number; budgetPerHour?: number }): Promise<void> {
  await stubOf(t).setRetention(seams);
  expect(await runDurableObjectAlarm(stubOf(t))).toBe(true);
}

const countEvents = async (t: Tenant) =>
  (
    await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>()
  )?.n;

/** The project's sealed payload segments in R2. */
async function segmentKeys(t: Tenant): Promise<string[]> {
  const listed = await env.BLOBS.list({ prefix: payloadSegmentPrefix(t.projectId) });
  return listed.objects.map((o) => o.key);
}

/** An event's stored bytes as the quota counts them: its row's payload text and its compressed payload. */
async function storedBytesOf(t: Tenant, eventId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT length(CAST(payload AS BLOB)) AS n, payload_ref FROM events WHERE project_id = ? AND event_id = ?",
  )
    .bind(t.projectId, eventId)
    .first<{ n: number; payload_ref: string | null }>();
  expect(row?.payload_ref).toBeTruthy();
  return (row?.n ?? 0) + (parseLocator(row?.payload_ref ?? "")?.length ?? 0);
}

async function storage(t: Tenant, token: string) {
  const res = await call<{ storage: { usedBytes: number; quotaBytes: number; state: string } }>(
    token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/usage/`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body.storage;
}

describe("retention", () => {
  it("the project API sets retentionDays from 1 to 90 days, null for the default, and refuses others", async () => {
    const t = await createTenant();
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    expect((await call<{ retentionDays: number }>(t.token, "GET", base)).body.retentionDays).toBe(90);
    const set = await call<{ retentionDays: number }>(t.token, "PUT", base, { retentionDays: 1 });
    expect(set.status, set.text).toBe(200);
    expect(set.body.retentionDays).toBe(1);
    for (const bad of [0, 91, 1.5, "a week", true]) {
      const refused = await call<{ detail: string }>(t.token, "PUT", base, { retentionDays: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/retentionDays/);
    }
    expect((await call<{ retentionDays: number }>(t.token, "GET", base)).body.retentionDays).toBe(1);
    const reset = await call<{ retentionDays: number }>(t.token, "PUT", base, { retentionDays: null });
    expect(reset.body.retentionDays).toBe(90);
  });

  it("the alarm deletes expired events with their R2 bytes and issues whose last event expired; an issue with a recent event stays", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    expect((await call(t.token, "PUT", base, { retentionDays: 1 })).status).toBe(200);
    const now = Date.now() / 1000;
    const old = now - 3 * DAY;
    const expiredOnly = await sendError(t, { message: "gone with its issue", timestamp: old }, "log line\n");
    // Over the inline limit: the payload is kept in R2 under payload_key, not in a payload segment.
    const large = await sendError(t, {
      message: "large and old",
      timestamp: old,
      extra: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`pad${i}`, "x".repeat(8000)])),
    });
    const keptOld = await sendError(t, { message: "kept issue", timestamp: old, fingerprint: ["kept"] });
    const keptNew = await sendError(t, { message: "kept issue", timestamp: now, fingerprint: ["kept"] });
    const tx = newEventId();
    expect((await postEnvelope(t, transactionWithOneSpan(tx, "c".repeat(32), old))).status).toBe(200);

    const row = (id: string) =>
      env.DB.prepare("SELECT issue_id, payload_key FROM events WHERE project_id = ? AND event_id = ?")
        .bind(t.projectId, id)
        .first<{ issue_id: number; payload_key: string | null }>();
    const expiredIssue = (await row(expiredOnly))!.issue_id;
    const keptIssue = (await row(keptNew))!.issue_id;
    const payloadKey = (await row(large))!.payload_key!;
    const attachmentKey = (await env.DB.prepare(
      "SELECT blob_key FROM attachments WHERE project_id = ? AND event_id = ?",
    )
      .bind(t.projectId, expiredOnly)
      .first<{ blob_key: string }>())!.blob_key;
    expect(await env.BLOBS.head(payloadKey)).not.toBeNull();
    expect(await env.BLOBS.head(attachmentKey)).not.toBeNull();
    const before = await storage(t, owner.token);
    expect(before.usedBytes).toBeGreaterThan(256 * 1024);

    // Two hours on: the sweep is due (an hour after the object first saw the project).
    await sweep(t, { aheadMs: 2 * HOUR_MS });

    const event = (id: string) => call(t.token, "GET", `${base}events/${id}/`);
    for (const id of [expiredOnly, large, keptOld, tx]) expect((await event(id)).status).toBe(404);
    expect((await event(keptNew)).status).toBe(200);
    const issue = (id: number) => call<{ count: string }>(t.token, "GET", `/api/0/issues/${id}/`);
    expect((await issue(expiredIssue)).status).toBe(404);
    expect((await issue(keptIssue)).status).toBe(200);
    const list = await call<{ id: string }[]>(t.token, "GET", `${base}issues/?query=`);
    expect(list.body.map((i) => Number(i.id))).toEqual([keptIssue]);
    expect(await env.BLOBS.head(payloadKey)).toBeNull();
    expect(await env.BLOBS.head(attachmentKey)).toBeNull();
    const spans = await env.DB.prepare("SELECT COUNT(*) AS n FROM spans WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(spans?.n).toBe(0);
    // What is left counted: the recent event's projection and compressed payload only.
    const after = await storage(t, owner.token);
    expect(after.usedBytes).toBe(await storedBytesOf(t, keptNew));
  });

  it("a finished sweep deletes the sealed payload segments of expired events and keeps one that holds a kept event", async () => {
    const t = await createTenant();
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    expect((await call(t.token, "PUT", base, { retentionDays: 1 })).status).toBe(200);
    const now = Date.now() / 1000;
    const old = now - 3 * DAY;
    const limits = {
      maxEvents: 2,
      maxBytes: 64 * 1024 * 1024,
      maxAgeSeconds: PAYLOAD_SEGMENT_MAX_AGE_SECONDS,
    };
    // Two events received three days ago (the segment clock set back): their segment seals on its count.
    await stubOf(t).setSegmentTest({ limits, clockOffsetMs: -3 * DAY * 1000 });
    const gone = [
      await sendError(t, { message: "old one", timestamp: old }),
      await sendError(t, { message: "old two", timestamp: old }),
    ];
    await drainSpool(t.projectId);
    // Then, received now, an expired event beside a kept one in a second segment.
    await stubOf(t).setSegmentTest({ limits });
    const expiredBeside = await sendError(t, { message: "old but recent segment", timestamp: old });
    const kept = await sendError(t, { message: "kept", timestamp: now });
    await drainSpool(t.projectId);
    const sealed = await segmentKeys(t);
    expect(sealed).toHaveLength(2);

    await sweep(t, { aheadMs: 2 * HOUR_MS });

    const event = (id: string) => call<{ message: string }>(t.token, "GET", `${base}events/${id}/`);
    for (const id of [...gone, expiredBeside]) expect((await event(id)).status).toBe(404);
    // The older segment (sorted first) is gone; the one the kept event's payload is in stays and serves it.
    expect(await segmentKeys(t)).toEqual([sealed[1]]);
    const detail = await event(kept);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.message).toBe("kept");
    const owner = await createUser(t.orgId, "owner");
    expect((await storage(t, owner.token)).usedBytes).toBe(await storedBytesOf(t, kept));
  });

  it("a sweep stops at the hour's row budget and the next hour resumes it", async () => {
    const t = await createTenant();
    expect(
      (await call(t.token, "PUT", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`, { retentionDays: 1 }))
        .status,
    ).toBe(200);
    const old = Date.now() / 1000 - 2 * DAY;
    for (let i = 0; i < 12; i += 1)
      await sendError(t, { message: `old ${i}`, timestamp: old, fingerprint: ["one"] });
    expect(await countEvents(t)).toBe(12);

    // The budget is per clock hour: each sweep runs 10 minutes into the hour `n` hours ahead, so two
    // sweeps meant for the same hour never straddle its end, whatever the time the test runs at.
    const intoHour = (n: number) =>
      (Math.floor(Date.now() / HOUR_MS) + n) * HOUR_MS + 10 * 60_000 - Date.now();
    // One event is one row (no attachments): a budget of 5 rows deletes 5 events.
    await sweep(t, { aheadMs: intoHour(2), budgetPerHour: 5 });
    expect(await countEvents(t)).toBe(7);
    // The same hour: nothing more, whatever the alarm does.
    await sweep(t, { aheadMs: intoHour(2) + 60_000 });
    expect(await countEvents(t)).toBe(7);
    // The next hour: the budget is fresh.
    await sweep(t, { aheadMs: intoHour(3) });
    expect(await countEvents(t)).toBe(2);
    await sweep(t, { aheadMs: intoHour(4), budgetPerHour: 1000 });
    expect(await countEvents(t)).toBe(0);
    expect(
      (await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=`)).body,
    ).toEqual([]);
  });

  it("with the default of 90 days, everything the project received expires: logs, sessions, check-ins, user reports, outcomes", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const id = await sendError(t, { message: "with a report", timestamp: now });
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const items: [object, string][] = [
      [
        { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
        JSON.stringify({ items: [{ timestamp: now, level: "info", body: "a log line", attributes: {} }] }),
      ],
      [
        { type: "session" },
        JSON.stringify({
          sid: crypto.randomUUID(),
          init: true,
          started: iso(now - 5),
          timestamp: iso(now),
          status: "exited",
          errors: 0,
          duration: 5,
          attrs: { release: "1.0", environment: "production" },
        }),
      ],
      [
        { type: "check_in" },
        JSON.stringify({
          check_in_id: crypto.randomUUID().replaceAll("-", ""),
          monitor_slug: "nightly",
          status: "ok",
          monitor_config: { schedule: { type: "crontab", value: "0 3 * * *" } },
        }),
      ],
      [
        { type: "user_report" },
        JSON.stringify({ event_id: id, name: "Ann", email: "ann@example.test", comments: "broke" }),
      ],
    ];
    expect((await postEnvelope(t, envelope({}, ...items))).status).toBe(200);
    const tables = [
      "events",
      "issues",
      "logs",
      "log_volume",
      "session_updates",
      "release_health_hours",
      "user_reports",
      "outcomes",
      "check_ins",
      "monitor_check_ins",
    ];
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const table of tables) {
        const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`)
          .bind(t.projectId)
          .first<{ n: number }>();
        out[table] = row?.n ?? 0;
      }
      return out;
    };
    const before = await counts();
    for (const table of tables) expect(before[table], table).toBeGreaterThan(0);
    // 89 days on, nothing is expired yet; 91 days on, all of it is.
    await sweep(t, { aheadMs: 89 * DAY * 1000 });
    expect(await counts()).toEqual(before);
    await sweep(t, { aheadMs: 91 * DAY * 1000 });
    expect(Object.values(await counts())).toEqual(tables.map(() => 0));
  });

  it("a deleted project's object stops waking for retention", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    await sendError(t, { message: "soon deleted", timestamp: Date.now() / 1000 });
    const alarm = () => runInDurableObject(stubOf(t), (_instance, state) => state.storage.getAlarm());
    expect(await alarm()).not.toBeNull();
    expect((await call(owner.token, "DELETE", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`)).status).toBe(
      204,
    );
    // The open payload segment is sealed on the same alarm (its clock is past its age limit too).
    await stubOf(t).setSegmentTest({ clockOffsetMs: 2 * HOUR_MS });
    await sweep(t, { aheadMs: 2 * HOUR_MS });
    expect(await alarm()).toBeNull();
  });
});
