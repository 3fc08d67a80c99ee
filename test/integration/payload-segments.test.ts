// Event payloads in segments, through the ingest endpoint and the REST API: a row keeps a locator and
// the projection queries read; the event detail is the same JSON whether the payload is in the open
// segment (read from the project's object), in a sealed one (a ranged R2 GET) or inline in an old row,
// and after a merge. Segments seal on their event count and their age; a failed R2 write loses nothing.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { payloadSegmentKey, payloadSegmentPrefix } from "../../src/blobs/keys.ts";
import { deletePayloadSegmentsBefore } from "../../src/blobs/payload-segments.ts";
import {
  decompressPayload,
  newSegmentId,
  parseLocator,
  plainLocator,
} from "../../src/blobs/segment-format.ts";
import type { EventRow } from "../../src/db/ingest-rows.ts";
import { EVENT_BYTES_SQL } from "../../src/db/storage-usage.ts";
import { PAYLOAD_SEGMENT_MAX_AGE_SECONDS } from "../../src/limits.ts";
import { PayloadSegments } from "../../src/project/payload-segments.ts";
import type { SegmentTest } from "../faults/worker.ts";
import { stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  eventRow,
  newEventId,
  postEnvelope,
  storedPayload,
  type Tenant,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

type Json = Record<string, unknown>;

const objectOf = (t: Tenant) => env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
const limits = (maxEvents: number) => ({ maxEvents, maxBytes: 64 * 1024 * 1024, maxAgeSeconds: 600 });
const setSegments = (t: Tenant, settings: SegmentTest) => stubOf(t).setSegmentTest(settings);

/** Sends an error event with what only the whole payload has (breadcrumbs, extra, frames' context). */
async function sendEvent(t: Tenant, message: string, fingerprint = message): Promise<string> {
  const id = newEventId();
  const body = {
    event_id: id,
    message,
    level: "error",
    fingerprint: [fingerprint],
    timestamp: Date.now() / 1000,
    tags: { customer: "acme" },
    user: { id: "u-1" },
    breadcrumbs: [{ message: `before ${message}`, category: "ui.click" }],
    extra: { order: 17, note: "x".repeat(500) },
    exception: {
      values: [
        {
          type: "Error",
          value: message,
          stacktrace: {
            frames: [{ function: "main", filename: "main.rs", lineno: 3, context_line: "boom()" }],
          },
        },
      ],
    },
  };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  return id;
}

/** `count` events of one issue, messages `${name} 0`, `${name} 1`, …, then the spool drained into D1. */
async function sendAndDrain(t: Tenant, count: number, name: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await sendEvent(t, `${name} ${i}`, name));
  await drainSpool(t.projectId);
  return ids;
}

async function detail(t: Tenant, eventId: string): Promise<Json> {
  const res = await call<Json>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** Segments kept in the project's object: [id, events, closed]. */
const keptSegments = (t: Tenant) =>
  runInDurableObject(objectOf(t), (_instance, state) =>
    state.storage.sql
      .exec<{ id: string; events: number; closed: number }>(
        "SELECT id, events, closed FROM payload_segments ORDER BY opened_at, id",
      )
      .toArray(),
  );

async function sealedKeys(t: Tenant): Promise<string[]> {
  const listed = await env.BLOBS.list({ prefix: payloadSegmentPrefix(t.projectId) });
  return listed.objects.map((o) => o.key);
}

const entryTypes = (event: Json) => (event.entries as { type: string }[]).map((e) => e.type);

describe("payload segments", () => {
  let t: Tenant;
  beforeEach(async () => {
    t = await createTenant();
  });

  it("keeps a locator and the projection in the row, and serves the same event JSON from the open segment, the sealed one and an inline row", async () => {
    const id = await sendEvent(t, "segmented");
    await drainSpool(t.projectId);
    const row = await eventRow(t.projectId, id);
    // The compact locator: base-36 second + base64url random, base-36 offset, decimal length.
    expect(row?.payload_ref).toMatch(/^[0-9a-z]{6,7}[A-Za-z0-9_-]{11}\/[0-9a-z]+\/\d+$/);
    const compactRef = String(row?.payload_ref);
    const located = parseLocator(compactRef);
    expect(located?.segment).toMatch(/^\d{10}-[0-9a-f]{16}$/);
    expect(compactRef.length).toBeLessThanOrEqual(
      plainLocator(located ?? { segment: "", offset: 0, length: 0 }).length - 10,
    );
    expect(row?.payload_key).toBeNull();
    expect(String(row?.payload)).not.toContain("breadcrumbs");
    expect(JSON.parse(String(row?.payload)).tags).toEqual([["customer", "acme"]]);

    const open = await detail(t, id);
    expect(entryTypes(open)).toEqual(expect.arrayContaining(["exception", "breadcrumbs"]));
    expect(open.context).toMatchObject({ order: 17 });
    expect(await sealedKeys(t)).toEqual([]);

    // A row written before the compact locator keeps the plain text: it reads the same, from the open segment
    // and (below) from the sealed one, and the stored-bytes counter measures it the same.
    const countedBytes = async () =>
      (
        await env.DB.prepare(
          `SELECT ${EVENT_BYTES_SQL} AS n FROM events WHERE project_id = ? AND event_id = ?`,
        )
          .bind(t.projectId, id)
          .first<{ n: number }>()
      )?.n;
    const compactBytes = await countedBytes();
    expect(compactBytes).toBeGreaterThan(String(row?.payload).length);
    const setRef = (ref: string) =>
      env.DB.prepare("UPDATE events SET payload_ref = ? WHERE project_id = ? AND event_id = ?")
        .bind(ref, t.projectId, id)
        .run();
    await setRef(plainLocator(located ?? { segment: "", offset: 0, length: 0 }));
    expect(await detail(t, id)).toEqual(open);
    expect(await countedBytes()).toBe(compactBytes);

    // Past its age the alarm seals the segment into one R2 object and the object lets it go.
    await setSegments(t, { clockOffsetMs: (PAYLOAD_SEGMENT_MAX_AGE_SECONDS + 1) * 1000 });
    expect(await runDurableObjectAlarm(objectOf(t))).toBe(true);
    expect(await sealedKeys(t)).toHaveLength(1);
    expect(await keptSegments(t)).toEqual([]);
    expect(await detail(t, id)).toEqual(open);
    await setRef(compactRef);
    expect(await detail(t, id)).toEqual(open);

    // A row written before segments (the whole payload inline) reads the same.
    const whole = await storedPayload(t.projectId, id);
    await env.DB.prepare(
      "UPDATE events SET payload = ?, payload_ref = NULL WHERE project_id = ? AND event_id = ?",
    )
      .bind(whole, t.projectId, id)
      .run();
    expect(await detail(t, id)).toEqual(open);
  });

  it("seals a segment once it holds its event count: one R2 object for each full segment", async () => {
    await setSegments(t, { limits: limits(3) });
    const ids = await sendAndDrain(t, 7, "counted");
    expect(await sealedKeys(t)).toHaveLength(2);
    const kept = await keptSegments(t);
    expect(kept).toEqual([expect.objectContaining({ events: 1, closed: 0 })]);
    for (const [i, id] of ids.entries()) {
      const event = await detail(t, id);
      expect(event.message).toBe(`counted ${i}`);
      expect(entryTypes(event)).toContain("breadcrumbs");
    }
    const stats = await objectOf(t).getStats();
    expect(stats.segmentsSealed).toBe(2);
  });

  it("serves every event of a segment sealed over several read rounds through the events API", async () => {
    // 130 payloads: more than one round of the seal's reads (128 parts).
    await setSegments(t, { limits: limits(130) });
    const ids = await sendAndDrain(t, 130, "round");
    expect(await sealedKeys(t)).toHaveLength(1);
    expect(await keptSegments(t)).toEqual([]);
    for (const i of [0, 127, 128, 129]) {
      const event = await detail(t, ids[i] as string);
      expect(event.message).toBe(`round ${i}`);
      expect(entryTypes(event)).toContain("breadcrumbs");
    }
  });

  it("keeps a segment whose R2 write failed, readable, until a later alarm writes it", async () => {
    await setSegments(t, { limits: limits(2), failPuts: true });
    const ids = [await sendEvent(t, "kept 0", "kept"), await sendEvent(t, "kept 1", "kept")];
    await drainSpool(t.projectId);
    expect(await sealedKeys(t)).toEqual([]);
    expect(await keptSegments(t)).toEqual([expect.objectContaining({ events: 2, closed: 1 })]);
    expect((await objectOf(t).getStats()).segmentSealFailures).toBeGreaterThan(0);
    const before = await Promise.all(ids.map((id) => detail(t, id)));
    expect(before.map((e) => e.message)).toEqual(["kept 0", "kept 1"]);
    // The retry is armed.
    expect(await runInDurableObject(objectOf(t), (_i, state) => state.storage.getAlarm())).not.toBeNull();

    await setSegments(t, { limits: limits(2) });
    expect(await runDurableObjectAlarm(objectOf(t))).toBe(true);
    expect(await sealedKeys(t)).toHaveLength(1);
    expect(await keptSegments(t)).toEqual([]);
    expect(await Promise.all(ids.map((id) => detail(t, id)))).toEqual(before);
  });

  it("keeps an open segment through a crash of the project's object, and seals it after", async () => {
    const id = await sendEvent(t, "survives");
    await drainSpool(t.projectId);
    const before = await detail(t, id);
    await stubOf(t)
      .crash()
      .catch(() => undefined);
    // A new instance reads the open segment from the object's storage.
    expect(await detail(t, id)).toEqual(before);
    await setSegments(t, { clockOffsetMs: (PAYLOAD_SEGMENT_MAX_AGE_SECONDS + 1) * 1000 });
    expect(await runDurableObjectAlarm(objectOf(t))).toBe(true);
    expect(await sealedKeys(t)).toHaveLength(1);
    expect(await detail(t, id)).toEqual(before);
  });

  it("serves the same event JSON after its issue is merged into another", async () => {
    await setSegments(t, { limits: limits(2) });
    const a = await sendEvent(t, "merge a", "merge-a");
    const b = await sendEvent(t, "merge b", "merge-b");
    await sendEvent(t, "merge c", "merge-c");
    await drainSpool(t.projectId);
    const [beforeA, beforeB] = [await detail(t, a), await detail(t, b)];
    const ids = [beforeA.groupID, beforeB.groupID] as string[];
    const merged = await call<{ merge?: { parent: string } }>(
      t.token,
      "PUT",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?${ids.map((id) => `id=${id}`).join("&")}`,
      { merge: 1 },
    );
    expect(merged.status).toBe(200);
    const parent = merged.body.merge?.parent;
    for (const [id, before] of [
      [a, beforeA],
      [b, beforeB],
    ] as const) {
      const after = await detail(t, id);
      expect(after.groupID).toBe(parent);
      // The issue's side (its hashes, the event's neighbours in it) changed; the event's own JSON did not.
      const own = ({ groupID, fingerprints, nextEventID, previousEventID, ...rest }: Json) => rest;
      expect(own(after)).toEqual(own(before));
      expect(entryTypes(after)).toContain("breadcrumbs");
    }
  });
});

/** A row with its payload as text, as the object commits it. */
const textRow = (i: number): EventRow => ({
  eventId: newEventId(),
  type: "error",
  timestamp: 1_765_000_000 + i,
  received: 1_765_000_000 + i,
  level: "error",
  platform: "rust",
  release: null,
  environment: null,
  userKey: null,
  title: `seal ${i}`,
  message: `seal ${i}`,
  transactionName: null,
  traceId: null,
  payload: JSON.stringify({ message: `seal ${i}`, extra: { i, note: "y".repeat(i % 50) } }),
  payloadKey: null,
});

/**
 * A PayloadSegments of its own over a project object's storage (an object no project uses, so no flush
 * or alarm of its own touches the segments), its R2 writes counted as they are called.
 */
function segmentsIn(sql: SqlStorage, maxEvents: number) {
  const puts: string[] = [];
  const bucket = new Proxy(env.BLOBS, {
    get(target, name) {
      if (name === "put")
        return (...args: Parameters<R2Bucket["put"]>) => {
          puts.push(args[0]);
          return target.put(...args);
        };
      const value: unknown = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const segments = new PayloadSegments(sql, async () => undefined, {
    bucket,
    limits: () => limits(maxEvents),
    now: () => Date.now(),
  });
  return { segments, puts };
}

const unusedObject = () => env.PROJECTS.get(env.PROJECTS.idFromName(`seal-${newEventId()}`));

describe("sealing a payload segment", () => {
  it("runs after the commit that closed the segment, and writes its payloads end to end over several read rounds", async () => {
    await runInDurableObject(unusedObject(), async (_instance, state) => {
      const { segments, puts } = segmentsIn(state.storage.sql, 300);
      const rows = Array.from({ length: 300 }, (_, i) => textRow(i));
      const placed = segments.place(4242, rows);
      // Nothing of the seal ran in the commit's synchronous stretch, which admits no envelope.
      expect(puts).toEqual([]);
      expect(await segments.seal()).toBe(true);
      expect(puts).toHaveLength(1);
      const sealed = await env.BLOBS.get(puts[0] as string);
      const bytes = new Uint8Array(await (sealed as R2ObjectBody).arrayBuffer());
      let end = 0;
      for (const row of rows) {
        const where = parseLocator(placed.get(row)?.payloadRef ?? "");
        if (!where) throw new Error("a placed row has no locator");
        expect(decompressPayload(bytes.slice(where.offset, where.offset + where.length))).toBe(row.payload);
        end = Math.max(end, where.offset + where.length);
      }
      expect(bytes.byteLength).toBe(end);
      expect(state.storage.sql.exec("SELECT id FROM payload_segments").toArray()).toEqual([]);
      expect(segments.stats).toEqual({ segmentsSealed: 1, segmentSealFailures: 0 });
    });
  });

  it("does not write a segment whose parts no longer tile it, and keeps it", async () => {
    await runInDurableObject(unusedObject(), async (_instance, state) => {
      const { segments, puts } = segmentsIn(state.storage.sql, 3);
      const rows = [0, 1, 2].map(textRow);
      const placed = segments.place(4242, rows);
      const middle = parseLocator(placed.get(rows[1] as EventRow)?.payloadRef ?? "");
      state.storage.sql.exec(
        "DELETE FROM payload_segment_parts WHERE segment_id = ? AND offset = ?",
        middle?.segment,
        middle?.offset,
      );
      expect(await segments.seal()).toBe(false);
      expect(puts).toEqual([]);
      expect(segments.stats.segmentSealFailures).toBe(1);
      expect(state.storage.sql.exec("SELECT events, closed FROM payload_segments").toArray()).toEqual([
        { events: 3, closed: 1 },
      ]);
    });
  });
  it("writes the closed segments after one that cannot be written, and keeps only that one", async () => {
    await runInDurableObject(unusedObject(), async (_instance, state) => {
      const { segments, puts } = segmentsIn(state.storage.sql, 3);
      segments.place(4242, [0, 1, 2, 3, 4, 5].map(textRow));
      // Two closed segments; the first in sealing order loses a part, before the seal's first turn.
      const ordered = state.storage.sql
        .exec<{ id: string }>("SELECT id FROM payload_segments ORDER BY opened_at, id")
        .toArray()
        .map((r) => r.id);
      expect(ordered).toHaveLength(2);
      const [broken, whole] = ordered as [string, string];
      state.storage.sql.exec("DELETE FROM payload_segment_parts WHERE segment_id = ? AND offset > 0", broken);
      expect(await segments.seal()).toBe(false);
      expect(puts).toEqual([payloadSegmentKey(4242, whole)]);
      expect(segments.stats).toEqual({ segmentsSealed: 1, segmentSealFailures: 1 });
      expect(state.storage.sql.exec("SELECT id, closed FROM payload_segments").toArray()).toEqual([
        { id: broken, closed: 1 },
      ]);
    });
  });
});

describe("deletePayloadSegmentsBefore", () => {
  it("deletes the sealed segments whose every payload is older than the cutoff, and no other project's", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const t0 = 1_765_000_000;
    const ids = [t0, t0 + 1000, t0 + 5000].map((s) => newSegmentId(s * 1000));
    for (const id of ids) await env.BLOBS.put(payloadSegmentKey(t.projectId, id), new Uint8Array([1]));
    await env.BLOBS.put(payloadSegmentKey(other.projectId, ids[0] as string), new Uint8Array([1]));

    // Opened at t0 + 1000 and open for at most 600 s: everything in it is older than t0 + 1600.
    const deleted = await deletePayloadSegmentsBefore(env.BLOBS, t.projectId, t0 + 1600, 600);
    expect(deleted).toBe(2);
    expect(await sealedKeys(t)).toEqual([payloadSegmentKey(t.projectId, ids[2] as string)]);
    expect(await sealedKeys(other)).toHaveLength(1);
    // One second short of the last one's bound keeps it.
    expect(await deletePayloadSegmentsBefore(env.BLOBS, t.projectId, t0 + 5599, 600)).toBe(0);
    expect(await deletePayloadSegmentsBefore(env.BLOBS, t.projectId, t0 + 5600, 600)).toBe(1);
  });
});
