// Trace search lists each trace once, also when it mixes an OTLP root span and a Sentry SDK transaction
// (both stored as segments): the row is the trace's root (the parentless segment, else the earliest),
// with the whole trace's span and error counts; filters apply to the root; pages follow the Link
// header's cursor. Through the REST API and the trace search page.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";
import { addUser, get, signIn } from "./ui-helpers.ts";

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
const nano = (seconds: number) => `${BigInt(Math.round(seconds * 1000)) * 1_000_000n}`;

/** An OTLP/JSON export of a root span and its child, starting at `start`. */
function otlpRootAndChild(traceId: string, root: string, child: string, start: number, name: string): string {
  const span = (spanId: string, parent: string | undefined, spanName: string, from: number, to: number) => ({
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: spanName,
    kind: 2,
    startTimeUnixNano: nano(from),
    endTimeUnixNano: nano(to),
    attributes: [],
    status: { code: 1 },
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "gateway" } },
            { key: "deployment.environment", value: { stringValue: "prod" } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: [
              span(root, undefined, name, start, start + 3),
              span(child, root, "call orders", start + 0.5, start + 2.5),
            ],
          },
        ],
      },
    ],
  });
}

/** A Sentry SDK transaction (and one child span) of the trace, child of `parent` when given. */
function transaction(traceId: string, spanId: string, parent: string | null, start: number, name: string) {
  const id = newEventId();
  const tx = {
    type: "transaction",
    event_id: id,
    transaction: name,
    start_timestamp: start,
    timestamp: start + 1,
    environment: "prod",
    contexts: {
      trace: {
        trace_id: traceId,
        span_id: spanId,
        op: "http.server",
        ...(parent ? { parent_span_id: parent } : {}),
      },
    },
    spans: [
      {
        span_id: `f${spanId.slice(1)}`,
        parent_span_id: spanId,
        trace_id: traceId,
        op: "db",
        description: "SELECT orders",
        start_timestamp: start + 0.1,
        timestamp: start + 0.5,
      },
    ],
  };
  return envelope({ event_id: id }, [{ type: "transaction" }, JSON.stringify(tx)]);
}

function errorIn(traceId: string, spanId: string): Uint8Array {
  const id = newEventId();
  return envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({
      event_id: id,
      message: "orders failed",
      exception: { values: [{ type: "OrdersError", value: "no stock" }] },
      contexts: { trace: { trace_id: traceId, span_id: spanId } },
    }),
  ]);
}

async function postOtlp(t: Tenant, body: string): Promise<void> {
  const res = await send(`/api/${t.projectId}/integration/otlp/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sentry-auth": `sentry sentry_key=${t.publicKey}` },
    body,
  });
  expect(res.status).toBe(200);
}

interface TraceRow {
  trace: string;
  name: string;
  rootSpanId: string;
  numSpans: number;
  numErrors: number;
}

async function searchApi(
  t: Tenant,
  params: Record<string, string>,
): Promise<{ rows: TraceRow[]; link: string }> {
  const q = new URLSearchParams({ project: String(t.projectId), statsPeriod: "24h", ...params });
  const res = await send(`/api/0/organizations/${t.orgSlug}/traces/?${q}`, {
    headers: { authorization: `Bearer ${t.token}` },
  });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()} for ${q}`);
  return { rows: ((await res.json()) as { data: TraceRow[] }).data, link: res.headers.get("link") ?? "" };
}

/** A mixed trace: OTLP root → OTLP child → Sentry transaction (+ child span), and one error event. */
async function mixedTrace(t: Tenant, n: number, start: number): Promise<{ traceId: string; root: string }> {
  const traceId = hex(0xabc000 + n, 32);
  const root = hex(0x1000 + n, 16);
  const child = hex(0x2000 + n, 16);
  await postOtlp(t, otlpRootAndChild(traceId, root, child, start, `otel checkout ${n}`));
  expect(
    (await postEnvelope(t, transaction(traceId, hex(0x3000 + n, 16), child, start + 1, "GET /orders")))
      .status,
  ).toBe(200);
  expect((await postEnvelope(t, errorIn(traceId, hex(0x3000 + n, 16)))).status).toBe(200);
  return { traceId, root };
}

describe("trace search", () => {
  it("lists a trace mixing an OTLP root span and a Sentry transaction once, rooted at the parentless span", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000);
    const { traceId, root } = await mixedTrace(t, 1, now - 60);
    const { rows } = await searchApi(t, {});
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      trace: traceId,
      name: "otel checkout 1",
      rootSpanId: root,
      numSpans: 4,
      numErrors: 1,
    });
    // Filters apply to the root: the transaction's name does not find the trace, the root's does.
    expect((await searchApi(t, { query: 'transaction:"GET /orders"' })).rows).toEqual([]);
    expect((await searchApi(t, { query: "otel checkout" })).rows.map((r) => r.trace)).toEqual([traceId]);
    expect((await searchApi(t, { query: "op:http.server" })).rows).toEqual([]);

    const browser = await signIn(await addUser(t, "member"));
    const page = await get(browser, `/organizations/${t.orgSlug}/explore/traces/?period=24h`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.split(`/performance/trace/${traceId}/`).length - 1).toBe(1);
    expect(html).toContain("otel checkout 1");
    expect(html).not.toContain("GET /orders");
  });

  it("roots a trace with no parentless segment at its earliest one", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000);
    const traceId = hex(0xdef, 32);
    // Two services' transactions, both continuing a trace whose root was not sent.
    await postEnvelope(t, transaction(traceId, hex(0x51, 16), hex(0x99, 16), now - 30, "later service"));
    await postEnvelope(t, transaction(traceId, hex(0x52, 16), hex(0x98, 16), now - 40, "earlier service"));
    const { rows } = await searchApi(t, {});
    expect(rows.map((r) => [r.trace, r.name, r.numSpans])).toEqual([[traceId, "earlier service", 4]]);
  });

  it("pages by cursor, each trace once, newest first", async () => {
    const t = await createTenant();
    const now = Math.floor(Date.now() / 1000);
    const made: string[] = [];
    for (let n = 0; n < 3; n += 1) made.push((await mixedTrace(t, 10 + n, now - 300 + n * 10)).traceId);
    const seen: string[] = [];
    let params: Record<string, string> = { per_page: "1" };
    for (let page = 0; page < 5; page += 1) {
      const { rows, link } = await searchApi(t, params);
      seen.push(...rows.map((r) => r.trace));
      const next = /rel="next"; results="true"; cursor="([^"]+)"/.exec(link);
      if (!next?.[1]) {
        expect(link).toContain('rel="next"; results="false"');
        break;
      }
      params = { per_page: "1", cursor: next[1] };
    }
    expect(seen).toEqual([...made].reverse());
    const bad = await send(`/api/0/organizations/${t.orgSlug}/traces/?cursor=nope`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: "Invalid cursor parameter." });
  });
});
