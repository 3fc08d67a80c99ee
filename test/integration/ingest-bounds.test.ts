// One sender's oversized data can neither fail other senders' envelopes nor overflow the Durable
// Object's RPC, and no envelope replaces data another one stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_ATTRIBUTE_VALUE_CHARS, MAX_PREPARED_BATCH_UNITS } from "../../src/limits.ts";
import { emptyBatch, type IngestBatch } from "../../src/project/ingest-batch.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const LOG_HEADERS = { type: "log", content_type: "application/vnd.sentry.items.log+json" };

function logItem(entries: object[]): [object, string] {
  return [{ ...LOG_HEADERS, item_count: entries.length }, JSON.stringify({ items: entries })];
}

const logEntry = (body: string, attributes: Record<string, { type: string; value: unknown }> = {}) => ({
  timestamp: Date.now() / 1000,
  level: "info",
  body,
  attributes,
});

function errorEnvelope(i: number): Uint8Array {
  const id = newEventId();
  return envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({ exception: { values: [{ type: "SenderError", value: `sender ${i % 6}` }] } }),
  ]);
}

async function outcomeRows(t: Tenant) {
  const { results } = await env.DB.prepare(
    "SELECT category, outcome, reason, SUM(quantity) AS quantity FROM outcomes WHERE project_id = ? GROUP BY 1, 2, 3",
  )
    .bind(t.projectId)
    .all<{ category: string; outcome: string; reason: string; quantity: number }>();
  return results;
}

describe("oversized items", () => {
  it("stores a 3 MiB log attribute trimmed, and every concurrent envelope succeeds", async () => {
    const t = await createTenant();
    const huge = "z".repeat(3 * 1024 * 1024);
    const bodies = Array.from({ length: 40 }, (_, i) => errorEnvelope(i));
    const logBody = envelope(
      {},
      logItem([
        logEntry("with a huge attribute", {
          huge: { type: "string", value: huge },
          small: { type: "string", value: "kept" },
        }),
      ]),
    );
    const statuses = await Promise.all([
      ...bodies.slice(0, 20).map((b) => postEnvelope(t, b).then((r) => r.status)),
      postEnvelope(t, logBody).then((r) => r.status),
      ...bodies.slice(20).map((b) => postEnvelope(t, b).then((r) => r.status)),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const events = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(events?.n).toBe(40);
    const log = await env.DB.prepare("SELECT body, attributes FROM logs WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ body: string; attributes: string }>();
    expect(log?.body).toBe("with a huge attribute");
    const attributes = JSON.parse(log!.attributes) as Record<string, unknown>;
    expect(attributes.small).toBe("kept");
    expect(attributes.huge).toBe("z".repeat(MAX_ATTRIBUTE_VALUE_CHARS));
    expect(attributes._meta).toEqual({ huge: { trimmed_from: huge.length } });
  });

  it("keeps a large log envelope within the Durable Object RPC bound, counting the rest as too large", async () => {
    const t = await createTenant();
    // Three 4 MB log containers (1000 entries of 4000 characters each): 12 MB of records.
    const entries = Array.from({ length: 1000 }, (_, i) => logEntry(`${i} ${"l".repeat(4000)}`));
    const res = await postEnvelope(t, envelope({}, logItem(entries), logItem(entries), logItem(entries)));
    expect(res.status).toBe(200);
    const stored = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(LENGTH(body) + LENGTH(attributes)) AS chars FROM logs WHERE project_id = ?",
    )
      .bind(t.projectId)
      .first<{ n: number; chars: number }>();
    expect(stored!.n).toBeGreaterThan(0);
    expect(stored!.n).toBeLessThan(3000);
    expect(stored!.chars).toBeLessThanOrEqual(MAX_PREPARED_BATCH_UNITS);
    const tooLarge = (await outcomeRows(t)).find(
      (o) => o.outcome === "too_large" && o.category === "log_item",
    );
    expect(tooLarge?.quantity).toBe(3000 - stored!.n);
  });
});

describe("a group commit that fails for one envelope", () => {
  it("stores every other sender's envelope and counts the one D1 refuses as invalid", async () => {
    const t = await createTenant();
    // A real D1 failure for one envelope only: a trigger that aborts the insert of one log body.
    const poison = `fail-this-commit-${newEventId()}`;
    const trigger = `fail_${newEventId()}`;
    await env.DB.prepare(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON logs WHEN NEW.body = '${poison}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    ).run();
    try {
      const bodies = Array.from({ length: 40 }, (_, i) => errorEnvelope(i));
      bodies.splice(20, 0, envelope({}, logItem([logEntry(poison)])));
      // Spooled first (durable), all answered 200; the flush meets the refusal later.
      const replies = await Promise.all(
        bodies.map(async (b) => (await postEnvelope(t, b, {}, { drain: false })).status),
      );
      expect(replies).toEqual(bodies.map(() => 200));
      await drainSpool(t.projectId);
    } finally {
      await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    const events = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(events?.n).toBe(40);
    expect(await outcomeRows(t)).toContainEqual({
      category: "log_item",
      outcome: "invalid",
      reason: "storage_refused",
      quantity: 1,
    });
  });

  it("isolates a value over D1's size limit to its own envelope, over the real RPC", async () => {
    const t = await createTenant();
    const key = {
      organizationId: t.orgId,
      projectId: t.projectId,
      keyId: t.keyId,
      projectLimit: null,
      keyLimit: null,
    };
    const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
    const logBatch = (body: string): IngestBatch => {
      const batch = emptyBatch(key, Date.now() / 1000);
      batch.logs.push({
        timestamp: Date.now() / 1000,
        level: "info",
        body,
        attributes: {},
        typedAttributes: {},
      });
      batch.units = body.length;
      return batch;
    };
    // A value over D1's size limit (SQLITE_TOOBIG) makes the whole D1 transaction fail; the
    // parsers never produce one, so the batch is built directly and sent over the real RPC. The spool
    // keeps it (its parts stay under the object's own value limit) until the flush isolates it.
    // Cloudflare's D1 refuses a value over 2 MB, but the local D1 of workerd 1.20261103 and 1.20261117
    // only one over 8 MiB (1.20260815's near 2.2 MB), so the value is over all of them.
    const batches = Array.from({ length: 30 }, (_, i) => logBatch(`legit ${i}`));
    batches.splice(15, 0, logBatch("b".repeat(9 * 1024 * 1024)));
    const results = await Promise.allSettled(batches.map((b) => stub.ingest(b)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await stub.drainSpool(20_000)).toBe(true);
    const stats = await stub.getStats();
    expect(stats.refusedByD1).toBe(1);
    // They did share commits (otherwise nothing was isolated).
    expect(stats.commits).toBeLessThan(batches.length + 1);
    const logs = await env.DB.prepare("SELECT body FROM logs WHERE project_id = ?")
      .bind(t.projectId)
      .all<{ body: string }>();
    expect(logs.results.map((r) => r.body).sort()).toEqual(
      batches.flatMap((b, i) => (i === 15 ? [] : [b.logs[0]!.body])).sort(),
    );
    expect(await outcomeRows(t)).toContainEqual({
      category: "log_item",
      outcome: "invalid",
      reason: "storage_refused",
      quantity: 1,
    });
  });
});

describe("stored spans", () => {
  it("keeps a transaction's span when a span item reuses its trace and span ids", async () => {
    const t = await createTenant();
    const id = newEventId();
    const traceId = newEventId();
    const now = Date.now() / 1000;
    expect((await postEnvelope(t, transactionWithOneSpan(id, traceId, now))).status).toBe(200);
    const read = () =>
      env.DB.prepare("SELECT * FROM spans WHERE project_id = ? AND trace_id = ? ORDER BY span_id")
        .bind(t.projectId, traceId)
        .all<Record<string, unknown>>();
    const before = (await read()).results;
    expect(before.find((s) => s.span_id === "b".repeat(16))).toMatchObject({
      event_id: id,
      description: "SELECT orders",
    });

    const intruder = {
      trace_id: traceId,
      span_id: "b".repeat(16),
      op: "other",
      description: "replaced",
      start_timestamp: now - 10,
      timestamp: now - 9,
    };
    const res = await postEnvelope(t, envelope({}, [{ type: "span" }, JSON.stringify(intruder)]));
    expect(res.status).toBe(200);
    expect((await read()).results).toEqual(before);
  });
});

describe("span containers", () => {
  it("stores a container of 1,000 spans over 1 MiB in all: a span's limit is per entry", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const traceId = newEventId();
    const items = Array.from({ length: 1000 }, (_, i) => ({
      trace_id: traceId,
      span_id: i.toString(16).padStart(16, "0"),
      name: `db.query ${i}`,
      status: "ok",
      is_segment: false,
      start_timestamp: now - 2,
      end_timestamp: now - 1,
      attributes: {
        "sentry.op": { type: "string", value: "db" },
        sql: { type: "string", value: "q".repeat(1000) },
      },
    }));
    const payload = JSON.stringify({ version: 2, items });
    expect(payload.length).toBeGreaterThan(1024 * 1024);
    const res = await postEnvelope(
      t,
      envelope({}, [
        { type: "span", item_count: items.length, content_type: "application/vnd.sentry.items.span.v2+json" },
        payload,
      ]),
    );
    expect(res.status).toBe(200);
    const q = new URLSearchParams({ dataset: "spans", project: String(t.projectId), field: "count()" });
    q.set("query", `trace:${traceId}`);
    const found = await call<{ data: Record<string, number>[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/?${q}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.data[0]?.["count()"]).toBe(1000);
  });
});
