// Ingest packs an event's payload for its segment (src/db/packed-payload.ts): the batch the project's
// object receives carries the compressed bytes and the row's projection, not the text. Spooled
// envelopes written before that carry the text, and a deploy leaves some in the spools: both kinds are
// read by id while spooled, and stored and read alike once flushed. Checked through the events API.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { packedText } from "../../src/db/packed-payload.ts";
import { ingestPrepared, isMissingRpcMethod, type ProjectIngest } from "../../src/ingest/object-ingest.ts";
import type { IngestBatch, IngestResult } from "../../src/project/index.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  prepareForTenant,
  send,
  type Tenant,
} from "./helpers.ts";

type Json = Record<string, unknown>;

async function prepared(t: Tenant, eventId: string): Promise<IngestBatch> {
  const body = envelope({ event_id: eventId }, [
    { type: "event" },
    JSON.stringify({
      event_id: eventId,
      level: "error",
      tags: { customer: "acme" },
      user: { id: "u-7" },
      contexts: { trace: { trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331" } },
      exception: {
        values: [
          {
            type: "PackError",
            value: `packed ${eventId}`,
            stacktrace: {
              frames: [{ function: "app::run", filename: "src/main.rs", lineno: 12, in_app: true }],
            },
          },
        ],
      },
    }),
  ]);
  const { batch } = await prepareForTenant(t, body);
  return batch;
}

/** The batch as it was spooled before payloads were packed: the payload text in the row. */
function asSpooledBefore(batch: IngestBatch): IngestBatch {
  const event = batch.event;
  if (!event?.row.packed) throw new Error("expected a packed payload");
  const { packed, ...row } = event.row;
  return { ...batch, event: { ...event, row: { ...row, payload: packedText(packed) } } };
}

const stub = (t: Tenant) => env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));

async function eventById(t: Tenant, id: string): Promise<Json> {
  const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`, {
    headers: { authorization: `Bearer ${t.token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

/**
 * What a user reads of the event, less what differs between two events by construction: ids, times,
 * the neighbours and the stored size (the bytes compressed, which depend on the id inside them).
 */
function readable(event: Json): Json {
  const { id: _i, eventID: _e, dateReceived: _r, dateCreated: _c, size: _s, ...rest } = event;
  const { nextEventID: _n, previousEventID: _p, ...read } = rest;
  return JSON.parse(JSON.stringify(read).replaceAll(String(event.eventID), "<id>")) as Json;
}

describe("payloads packed at ingest", () => {
  it("reads a packed and a text-spooled event alike, while spooled and once stored", async () => {
    const t = await createTenant();
    const packedId = newEventId();
    const textId = newEventId();
    const packedBatch = await prepared(t, packedId);
    expect(packedBatch.event?.row.payload).toBeNull();
    expect(packedBatch.event?.row.packed?.deflated.length).toBeGreaterThan(0);

    for (const batch of [packedBatch, asSpooledBefore(await prepared(t, textId))]) {
      expect((await stub(t).ingest(batch)).eventStored).toBe(true);
    }
    // Still in the spool: the event-by-id read answers from it.
    const spooled = [await eventById(t, packedId), await eventById(t, textId)];
    expect(spooled[0]?.tags).toContainEqual({ key: "customer", value: "acme" });
    expect(JSON.stringify(spooled[0]?.entries)).toContain(`packed ${packedId}`);
    expect(readable(spooled[0] as Json)).toEqual(readable(spooled[1] as Json));

    await drainSpool(t.projectId);
    const stored = [await eventById(t, packedId), await eventById(t, textId)];
    expect(readable(stored[0] as Json)).toEqual(readable(stored[1] as Json));
    expect(stored[0]?.entries).toEqual(spooled[0]?.entries);
    expect(stored[0]?.tags).toEqual(spooled[0]?.tags);
    expect(stored[0]?.user).toMatchObject({ id: "u-7" });
    // Both went to the project's payload segment, each row with its projection beside the locator.
    const rows = await env.DB.prepare(
      "SELECT payload_ref, shape_id FROM events WHERE project_id = ? ORDER BY event_id",
    )
      .bind(t.projectId)
      .all<{ payload_ref: string | null; shape_id: number | null }>();
    expect(rows.results).toHaveLength(2);
    for (const row of rows.results) {
      expect(row.payload_ref).not.toBeNull();
      expect(row.shape_id).not.toBeNull();
    }
    expect(new Set(rows.results.map((r) => r.shape_id)).size).toBe(1);
  });
});

/** The error workerd gives a call of a method the object's code lacks, as the runtime words it. */
async function refusalOf(t: Tenant, method: string): Promise<unknown> {
  const object = stub(t) as unknown as { noSuchMethod(): Promise<void> };
  const error = await object.noSuchMethod().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("calling a missing method did not fail");
  return new TypeError(error.message.replace("noSuchMethod", method));
}

describe("a deploy, while an object still runs the code before packing", () => {
  it("tells the runtime's refusal of a missing method from a method that ran and failed", async () => {
    const t = await createTenant();
    const missing = await (stub(t) as unknown as { noSuchMethod(): Promise<void> }).noSuchMethod().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMissingRpcMethod(missing, "noSuchMethod")).toBe(true);
    expect(isMissingRpcMethod(missing, "ingestPacked")).toBe(false);
    const failed = await stub(t)
      .ingest(null as unknown as IngestBatch)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failed).toBeInstanceOf(Error);
    expect(isMissingRpcMethod(failed, "ingest")).toBe(false);
  });

  it("sends that object the payload as text, and the event is stored whole", async () => {
    const t = await createTenant();
    const id = newEventId();
    const refusal = await refusalOf(t, "ingestPacked");
    const received: IngestBatch[] = [];
    // The object as the code before packing answers: no ingestPacked(), and ingest() reads the text.
    const before: ProjectIngest = {
      ingestPacked: () => Promise.reject(refusal),
      ingest: async (batch) => {
        received.push(batch);
        return (await stub(t).ingest(batch)) as IngestResult;
      },
    };
    const result = await ingestPrepared(before, await prepared(t, id));
    expect(result.eventStored).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]?.event?.row.packed).toBeUndefined();
    expect(JSON.parse(received[0]?.event?.row.payload ?? "null")).toMatchObject({ event_id: id });

    await drainSpool(t.projectId);
    const stored = await eventById(t, id);
    expect(JSON.stringify(stored.entries)).toContain(`packed ${id}`);
    expect(stored.tags).toContainEqual({ key: "customer", value: "acme" });
  });

  it("does not send the batch again when the object ran the call and failed", async () => {
    const t = await createTenant();
    let ingested = 0;
    const failing: ProjectIngest = {
      ingestPacked: () => Promise.reject(new Error("D1_ERROR: Network connection lost.")),
      ingest: async () => {
        ingested += 1;
        throw new Error("not to be called");
      },
    };
    await expect(ingestPrepared(failing, await prepared(t, newEventId()))).rejects.toThrow("D1_ERROR");
    expect(ingested).toBe(0);
  });
});
