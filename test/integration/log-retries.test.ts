// Log retries stored once: an OTLP logs request or an envelope `log` item sent again with the same bytes
// (an SDK's or exporter's retry after a timeout) is stored once, whether the first copy is still in the
// project object's spool or already in D1, and a flush whose commit landed but whose answer was lost
// does not insert twice; the volume counters count once. Two identical records in one request stay
// two. Read back through the events API (dataset logs) and the explorer's histogram.
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { logVolume } from "../../src/db/telemetry-search.ts";
import type { D1FaultCounts, D1Faults } from "../faults/faulty-d1.ts";
import { setFaults } from "./fault-helpers.ts";
import { createTenant, drainSpool, envelope, postEnvelope, send, type Tenant } from "./helpers.ts";

let faulted: Tenant | null = null;
afterEach(async () => {
  if (faulted) await setFaults(faulted, {});
  faulted = null;
});

async function faults(t: Tenant, f: D1Faults): Promise<void> {
  faulted = t;
  await setFaults(t, f);
}

async function faultCounts(): Promise<D1FaultCounts> {
  const res = await exports.default.fetch(new Request("http://faultline.test/__faults"));
  return (await res.json()) as D1FaultCounts;
}

const nowNano = () => `${BigInt(Date.now()) * 1_000_000n}`;

/** An OTLP/JSON logs request with these bodies (one log record each, same timestamp). */
function otlpLogs(bodies: string[], at = nowNano()): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "retry-svc" } }] },
        scopeLogs: [
          {
            scope: { name: "test" },
            logRecords: bodies.map((body) => ({
              timeUnixNano: at,
              severityNumber: 9,
              severityText: "INFO",
              body: { stringValue: body },
            })),
          },
        ],
      },
    ],
  });
}

function postOtlpLogs(t: Tenant, body: string, drain = true): Promise<Response> {
  return send(
    `/api/${t.projectId}/integration/otlp/v1/logs`,
    {
      method: "POST",
      headers: { "content-type": "application/json", "x-sentry-auth": `sentry sentry_key=${t.publicKey}` },
      body,
    },
    { drain },
  );
}

/** An envelope with one `log` item of these bodies. */
function logEnvelope(bodies: string[], at = Date.now() / 1000): Uint8Array {
  return envelope({}, [
    { type: "log", item_count: bodies.length, content_type: "application/vnd.sentry.items.log+json" },
    JSON.stringify({ items: bodies.map((body) => ({ timestamp: at, level: "info", body })) }),
  ]);
}

/** Log messages the events API lists for the project (dataset logs), sorted. */
async function listedLogs(t: Tenant): Promise<string[]> {
  const q = new URLSearchParams({ dataset: "logs", project: String(t.projectId), per_page: "100" });
  q.append("field", "message");
  const res = await send(`/api/0/organizations/${t.orgSlug}/events/?${q}`, {
    headers: { authorization: `Bearer ${t.token}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { message: string }[] };
  return body.data.map((r) => r.message).sort();
}

/** The histogram's total, from the volume counters (30-minute buckets read them). */
async function countedVolume(t: Tenant): Promise<number> {
  const now = Date.now() / 1000;
  const filters = { projectIds: [t.projectId], from: now - 86400, to: now + 60, levels: [], attributes: [] };
  return (await logVolume(env.DB, filters, 1800)).reduce((n, v) => n + v.n, 0);
}

describe("log retries", () => {
  it("an OTLP request retried while the first copy is spooled, and again after the flush, is stored once", async () => {
    const t = await createTenant();
    const body = otlpLogs(["retried a", "retried b"]);
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    expect((await postOtlpLogs(t, body, false)).status).toBe(200);
    expect((await postOtlpLogs(t, body, false)).status).toBe(200);
    await setFaults(t, {});
    await drainSpool(t.projectId);
    expect((await postOtlpLogs(t, body)).status).toBe(200);
    expect(await listedLogs(t)).toEqual(["retried a", "retried b"]);
    expect(await countedVolume(t)).toBe(2);
    // Other bytes are other records, even with the same bodies.
    expect(
      (await postOtlpLogs(t, otlpLogs(["retried a"], `${BigInt(Date.now() + 5) * 1_000_000n}`))).status,
    ).toBe(200);
    expect(await listedLogs(t)).toEqual(["retried a", "retried a", "retried b"]);
  });

  it("an envelope log item retried while spooled and after the flush is stored once", async () => {
    const t = await createTenant();
    const bytes = logEnvelope(["sdk line"]);
    await faults(t, { downUntil: Date.now() + 60_000, only: "object" });
    expect((await postEnvelope(t, bytes, {}, { drain: false })).status).toBe(200);
    expect((await postEnvelope(t, bytes, {}, { drain: false })).status).toBe(200);
    await setFaults(t, {});
    await drainSpool(t.projectId);
    expect((await postEnvelope(t, bytes)).status).toBe(200);
    expect(await listedLogs(t)).toEqual(["sdk line"]);
    expect(await countedVolume(t)).toBe(1);
  });

  it("a flush whose commit landed but whose answer was lost inserts the records once", async () => {
    const t = await createTenant();
    const before = await faultCounts();
    await faults(t, { commitThenFailRate: 1, only: "object" });
    expect((await postOtlpLogs(t, otlpLogs(["landed 1", "landed 2"]), false)).status).toBe(200);
    expect((await postEnvelope(t, logEnvelope(["landed 3"]), {}, { drain: false })).status).toBe(200);
    await drainSpool(t.projectId, 30_000);
    await setFaults(t, {});
    expect((await faultCounts()).committedThenFailed).toBeGreaterThan(before.committedThenFailed);
    expect(await listedLogs(t)).toEqual(["landed 1", "landed 2", "landed 3"]);
    expect(await countedVolume(t)).toBe(3);
  });

  it("two identical records in one request stay two, through OTLP and an envelope", async () => {
    const t = await createTenant();
    const at = nowNano();
    expect((await postOtlpLogs(t, otlpLogs(["twin", "twin"], at))).status).toBe(200);
    const seconds = Date.now() / 1000;
    expect((await postEnvelope(t, logEnvelope(["pair", "pair"], seconds))).status).toBe(200);
    expect(await listedLogs(t)).toEqual(["pair", "pair", "twin", "twin"]);
    expect(await countedVolume(t)).toBe(4);
  });
});
