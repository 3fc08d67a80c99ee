// Bytes in R2 written by ingest: a retry never replaces or removes what an acknowledged request
// stored, a refused envelope stores nothing, and the sweep removes only old unreferenced objects.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweepUnreferencedBlobs } from "../../src/blobs/sweep.ts";
import worker from "../../src/index.ts";
import { stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  send,
  type Tenant,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

/** An event whose normalized payload is over the inline limit (256 KiB), so it is kept in R2. */
function bigEvent(marker: string): string {
  const extra: Record<string, string> = {};
  for (let i = 0; i < 40; i++) extra[`pad${i}`] = "x".repeat(8000);
  return JSON.stringify({ exception: { values: [{ type: "BigError", value: marker }] }, extra });
}

async function storedEntries(t: Tenant, eventId: string): Promise<string> {
  const reply = await call<{ entries: unknown[] }>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
  );
  expect(reply.status).toBe(200);
  return JSON.stringify(reply.body.entries);
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await env.BLOBS.list({ prefix });
  return listed.objects.map((o) => o.key);
}

/** Lets the clean-up the Worker scheduled with waitUntil run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** Stores the event `id` with an oversized ("FIRST-BODY") payload, which therefore lives in R2. */
async function acknowledgeFirstBody(t: Tenant, id: string): Promise<void> {
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, bigEvent("FIRST-BODY")]));
  expect(res.status).toBe(200);
}

describe("event payloads in R2", () => {
  it("keeps the acknowledged body when the same event id is re-sent with other content", async () => {
    const t = await createTenant();
    const id = newEventId();
    const first = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "event" }, bigEvent("FIRST-BODY")]),
    );
    expect(first.status).toBe(200);
    const row = await env.DB.prepare(
      "SELECT payload, payload_key FROM events WHERE project_id = ? AND event_id = ?",
    )
      .bind(t.projectId, id)
      .first<{ payload: string | null; payload_key: string | null }>();
    expect(row?.payload).toBeNull();
    expect(row?.payload_key).toBeTruthy();
    expect(await storedEntries(t, id)).toContain("FIRST-BODY");

    const retry = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "event" }, bigEvent("SECOND-BODY")]),
    );
    expect(retry.status).toBe(200);
    await settle();
    const entries = await storedEntries(t, id);
    expect(entries).toContain("FIRST-BODY");
    expect(entries).not.toContain("SECOND-BODY");
    // The retry's own object was removed again: only the stored event's object remains.
    expect(await keysUnder(`projects/${t.projectId}/events/`)).toEqual([row?.payload_key]);
  });

  it("keeps the acknowledged body when a re-send carries an invalid item beside it", async () => {
    const t = await createTenant();
    const id = newEventId();
    await acknowledgeFirstBody(t, id);
    // The broken transaction is dropped as invalid (the envelope is answered 200, as Relay does); the
    // event is a duplicate of the stored one.
    const resent = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, bigEvent("REFUSED-BODY")],
        [{ type: "transaction" }, "{not json"],
      ),
    );
    expect(resent.status).toBe(200);
    await settle();
    const entries = await storedEntries(t, id);
    expect(entries).toContain("FIRST-BODY");
    expect(entries).not.toContain("REFUSED-BODY");
  });

  it("keeps the acknowledged body readable when a re-send carries an item that used to fail the commit", async () => {
    const t = await createTenant();
    const id = newEventId();
    await acknowledgeFirstBody(t, id);
    // A 3 MiB log attribute made the D1 commit fail, and the failed request's clean-up deleted the
    // event's (shared) payload object.
    const log = {
      items: [
        {
          timestamp: Date.now() / 1000,
          level: "info",
          body: "big",
          attributes: { blob: { type: "string", value: "y".repeat(3 * 1024 * 1024) } },
        },
      ],
    };
    const resend = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, bigEvent("RESENT-BODY")],
        [
          { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
          JSON.stringify(log),
        ],
      ),
    );
    expect([200, 503]).toContain(resend.status);
    await settle();
    const entries = await storedEntries(t, id);
    expect(entries).toContain("FIRST-BODY");
    expect(entries).not.toContain("RESENT-BODY");
  });
  it("keeps the acknowledged body readable when a re-send's flush to D1 fails", async () => {
    const t = await createTenant();
    const id = newEventId();
    await acknowledgeFirstBody(t, id);
    // A real D1 failure for this request only: a trigger that aborts the insert of one log body.
    const poison = `fail-this-commit-${newEventId()}`;
    const trigger = `fail_${newEventId()}`;
    await env.DB.prepare(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON logs WHEN NEW.body = '${poison}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    ).run();
    try {
      const log = { items: [{ timestamp: Date.now() / 1000, level: "info", body: poison }] };
      const resend = await postEnvelope(
        t,
        envelope(
          { event_id: id },
          [{ type: "event" }, bigEvent("RESENT-BODY")],
          [
            { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
            JSON.stringify(log),
          ],
        ),
      );
      // Spooled (200); the flush finds D1 refusing it and drops only it, with its own bytes.
      expect(resend.status).toBe(200);
      await settle();
    } finally {
      await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    const entries = await storedEntries(t, id);
    expect(entries).toContain("FIRST-BODY");
    expect(entries).not.toContain("RESENT-BODY");
    // The failed request's own object is gone; the stored event's stays.
    expect(await keysUnder(`projects/${t.projectId}/events/`)).toHaveLength(1);
  });
});

describe("refused envelopes and the blob sweep", () => {
  it("stores no bytes of an invalid event's attachments, and none for an envelope refused with 400", async () => {
    const t = await createTenant();
    const id = newEventId();
    // The event is not JSON: dropped with its attachments (as Relay drops the event's items), while
    // the profile beside them is kept.
    const res = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "attachment", filename: "a.txt", content_type: "text/plain" }, "a".repeat(10_000)],
        [{ type: "profile" }, JSON.stringify({ version: "1", platform: "python" })],
        [{ type: "attachment", filename: "b.txt" }, "b".repeat(10_000)],
        [{ type: "event" }, "{broken"],
      ),
    );
    expect(res.status).toBe(200);
    await settle();
    expect(await keysUnder(`projects/${t.projectId}/attachments/`)).toEqual([]);
    expect(await keysUnder(`projects/${t.projectId}/events/`)).toEqual([]);
    const list = await call<unknown[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/attachments/`,
    );
    expect(list.status === 404 || (list.status === 200 && list.body.length === 0)).toBe(true);
    const other = newEventId();
    const refused = await postEnvelope(
      t,
      envelope(
        { event_id: other },
        [{ type: "attachment", filename: "c.txt" }, "c".repeat(10_000)],
        [{ type: "event" }, "{broken"],
      ),
      { "content-encoding": "gzip" },
    );
    expect(refused.status).toBe(400);
    await settle();
    expect(await keysUnder(`projects/${t.projectId}/attachments/`)).toEqual([]);
  });

  it("deletes unreferenced objects older than a day and keeps referenced and young ones", async () => {
    const t = await createTenant();
    const id = newEventId();
    const res = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, bigEvent("KEPT")],
        [{ type: "attachment", filename: "f" }, "file"],
      ),
    );
    expect(res.status).toBe(200);
    const prefix = `projects/${t.projectId}/`;
    const referenced = await keysUnder(prefix);
    expect(referenced).toHaveLength(2);
    const orphan = `${prefix}attachments/${id}/orphan`;
    const orphanItem = `${prefix}items/replay_recording/orphan`;
    const debugFile = `${prefix}debug-files/${"a".repeat(40)}`;
    await env.BLOBS.put(orphan, "left behind");
    await env.BLOBS.put(orphanItem, "left behind");
    await env.BLOBS.put(debugFile, "owned by debug_files");

    // Young: nothing is taken yet.
    const now = await sweepUnreferencedBlobs(env.DB, env.BLOBS, Date.now(), { prefix });
    expect(now.deleted).toEqual([]);
    // A day later the orphans go; referenced objects and debug files stay.
    const later = await sweepUnreferencedBlobs(env.DB, env.BLOBS, Date.now() + 25 * 3600 * 1000, { prefix });
    expect(later.deleted.sort()).toEqual([orphan, orphanItem].sort());
    expect((await keysUnder(prefix)).sort()).toEqual([...referenced, debugFile].sort());
    expect(await storedEntries(t, id)).toContain("KEPT");
  });

  it("continues where the last bounded run stopped, and runs from the daily cron", async () => {
    const a = await sweepUnreferencedBlobs(env.DB, env.BLOBS, Date.now(), { maxObjects: 1 });
    expect(a.listed).toBe(1);
    const position = () =>
      env.DB.prepare("SELECT after_key, updated_at FROM blob_sweep_state WHERE id = 1").first<{
        after_key: string;
        updated_at: number;
      }>();
    expect((await position())?.after_key).toBe(a.nextAfter);
    const b = await sweepUnreferencedBlobs(env.DB, env.BLOBS, Date.now(), { maxObjects: 1 });
    expect(b.nextAfter > a.nextAfter || b.nextAfter === "").toBe(true);

    const before = (await position())?.updated_at ?? 0;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await position())?.updated_at).toBeGreaterThan(before);
  });
});

describe("an envelope the object spooled although the Worker's call to it failed", () => {
  it("keeps its payload and attachment bytes: the flush stores it, and a retry is the same event", async () => {
    const t = await createTenant();
    const id = newEventId();
    const body = envelope(
      { event_id: id },
      [{ type: "event" }, bigEvent("SPOOLED-BODY")],
      [{ type: "attachment", filename: "app.log", content_type: "text/plain" }, "the log of the crash"],
    );
    await stubOf(t).failNextIngestsAfterSpooling(1);
    const failed = await postEnvelope(t, body, {}, { drain: false });
    expect(failed.status).toBe(503);
    await settle();
    await drainSpool(t.projectId);
    expect(await storedEntries(t, id)).toContain("SPOOLED-BODY");
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/attachments/`;
    const list = await call<{ id: string; name: string }[]>(t.token, "GET", base);
    expect(list.body.map((a) => a.name)).toEqual(["app.log"]);
    const download = async () => {
      const res = await send(`${base}${list.body[0]?.id}/?download=1`, {
        headers: { authorization: `Bearer ${t.token}` },
      });
      return { status: res.status, text: await res.text() };
    };
    expect(await download()).toEqual({ status: 200, text: "the log of the crash" });
    // The SDK retries the 503: the same event, its bytes still there.
    expect((await postEnvelope(t, body)).status).toBe(200);
    await settle();
    expect(await storedEntries(t, id)).toContain("SPOOLED-BODY");
    expect(await download()).toEqual({ status: 200, text: "the log of the crash" });
  });
});
