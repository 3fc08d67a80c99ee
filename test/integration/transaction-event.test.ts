// A transaction event as Sentry's event API serves it: the `spans` entry the waterfall reads, the
// transaction's start/end timestamps and its measurements — from the real sentry-rust 0.37 capture
// of a `sentry_tracing` transaction and from a browser-style transaction with web vitals.
import { describe, expect, it } from "vitest";
import { postCapture } from "./capture-helpers.ts";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

interface ApiSpan {
  span_id: string;
  parent_span_id: string | null;
  trace_id: string;
  op: string | null;
  description: string | null;
  start_timestamp: number;
  timestamp: number;
  exclusive_time: number;
  data: Record<string, unknown> | null;
}
interface ApiTransaction {
  type: string;
  startTimestamp: number;
  endTimestamp: number;
  measurements: Record<string, { value: number; unit?: string }>;
  contexts: { trace?: { trace_id: string; span_id: string; op: string } };
  entries: { type: string; data: ApiSpan[] }[];
}

async function eventOf(t: Tenant, id: string): Promise<ApiTransaction> {
  const reply = await call<ApiTransaction>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`,
  );
  expect(reply.status).toBe(200);
  return reply.body;
}

describe("transaction events in Sentry's event shape", () => {
  it("sentry-rust's tracing transaction has its spans entry, timestamps and trace context", async () => {
    const t = await createTenant();
    const event = await eventOf(t, await postCapture(t, "tracing-transaction"));
    expect(event.type).toBe("transaction");
    // start_timestamp is a float, timestamp RFC 3339 in the capture: both come back as float seconds.
    expect(event.startTimestamp).toBeCloseTo(1796301575.6085753, 3);
    expect(event.endTimestamp).toBeCloseTo(Date.parse("2026-12-03T12:39:35.636Z") / 1000, 2);
    expect(event.contexts.trace).toMatchObject({
      trace_id: "0807e452c5afffec302039e1300a7a0e",
      op: "checkout",
    });
    expect(event.measurements).toEqual({});
    const spans = event.entries.find((e) => e.type === "spans")?.data ?? [];
    // Ordered by start time, as the waterfall draws them.
    expect(spans.map((s) => s.op)).toEqual(["load_user", "query_db", "render_page"]);
    const query = spans.find((s) => s.op === "query_db")!;
    expect(query).toMatchObject({
      span_id: "ab53e06908a4048b",
      parent_span_id: "946368f19d399b5a",
      trace_id: "0807e452c5afffec302039e1300a7a0e",
      description: "rustapp::query_db",
      data: { statement: "SELECT * FROM users WHERE id = $1" },
    });
    expect(query.timestamp).toBeGreaterThan(query.start_timestamp);
    expect(query.exclusive_time).toBeCloseTo((query.timestamp - query.start_timestamp) * 1000, 3);
  });

  it("measurements come back as Sentry's {value, unit}; an error event has no spans entry", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const txId = newEventId();
    const traceId = "c".repeat(32);
    const tx = {
      type: "transaction",
      event_id: txId,
      transaction: "/checkout",
      platform: "javascript",
      start_timestamp: now - 2,
      timestamp: now,
      contexts: { trace: { trace_id: traceId, span_id: "d".repeat(16), op: "pageload" } },
      measurements: { lcp: { value: 1234.5, unit: "millisecond" }, cls: { value: 0.02 } },
      spans: [
        {
          span_id: "e".repeat(16),
          parent_span_id: "d".repeat(16),
          trace_id: traceId,
          op: "resource.script",
          description: "/app.js",
          start_timestamp: now - 1.5,
          timestamp: now - 1,
          exclusive_time: 400,
        },
      ],
    };
    const errorId = newEventId();
    const error = { event_id: errorId, message: "boom", timestamp: now };
    for (const [id, type, body] of [
      [txId, "transaction", tx],
      [errorId, "event", error],
    ] as const) {
      const res = await postEnvelope(t, envelope({ event_id: id }, [{ type }, JSON.stringify(body)]));
      expect(res.status).toBe(200);
    }

    const event = await eventOf(t, txId);
    expect(event.measurements).toEqual({
      lcp: { value: 1234.5, unit: "millisecond" },
      cls: { value: 0.02 },
    });
    expect(event.endTimestamp - event.startTimestamp).toBeCloseTo(2, 3);
    const spans = event.entries.find((e) => e.type === "spans")?.data ?? [];
    expect(spans).toHaveLength(1);
    // The SDK's exclusive time is kept as sent.
    expect(spans[0]).toMatchObject({ op: "resource.script", description: "/app.js", exclusive_time: 400 });

    const plain = (await eventOf(t, errorId)) as unknown as Record<string, unknown> & ApiTransaction;
    expect(plain.entries.some((e) => e.type === "spans")).toBe(false);
    expect(plain).not.toHaveProperty("startTimestamp");
  });
});
