// A small world of telemetry for the events/stats API tests: error events in two issues, a
// transaction with spans, and logs, all sent through the real envelope endpoint.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";

export interface Sent {
  errorIds: string[];
  traceId: string;
  transactionId: string;
  now: number;
}

async function post(t: Tenant, body: Uint8Array): Promise<void> {
  const res = await postEnvelope(t, body);
  expect(res.status, await res.clone().text()).toBe(200);
}

export function errorEvent(eventId: string, fields: Record<string, unknown>) {
  return envelope({ event_id: eventId }, [
    { type: "event" },
    JSON.stringify({ event_id: eventId, ...fields }),
  ]);
}

/** Sends the world to a tenant and waits until every error event has its issue. */
export async function sendWorld(t: Tenant, tag = "alpha"): Promise<Sent> {
  const now = Date.now() / 1000;
  const traceId = newEventId();
  const errorIds = [newEventId(), newEventId(), newEventId()];
  const exception = (type: string, value: string) => ({
    exception: {
      values: [
        {
          type,
          value,
          stacktrace: { frames: [{ filename: "app/checkout.js", function: "pay", lineno: 3 }] },
        },
      ],
    },
  });
  await post(
    t,
    errorEvent(errorIds[0] ?? "", {
      ...exception("PaymentError", `card declined ${tag}`),
      level: "error",
      environment: "production",
      timestamp: now - 120,
      user: { id: "u1", email: "one@example.test" },
      tags: { region: "eu", plan: "gold" },
      contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16) } },
      transaction: "POST /checkout",
    }),
  );
  await post(
    t,
    errorEvent(errorIds[1] ?? "", {
      ...exception("PaymentError", `card declined ${tag}`),
      level: "error",
      environment: "staging",
      timestamp: now - 60,
      user: { id: "u2", email: "two@example.test" },
      tags: { region: "us" },
    }),
  );
  await post(
    t,
    errorEvent(errorIds[2] ?? "", {
      message: `disk almost full ${tag}`,
      level: "warning",
      environment: "production",
      timestamp: now - 30,
      user: { id: "u1" },
    }),
  );
  const transactionId = newEventId();
  const tx = {
    type: "transaction",
    event_id: transactionId,
    transaction: "POST /checkout",
    environment: "production",
    start_timestamp: now - 2,
    timestamp: now - 1,
    contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16), op: "http.server", status: "ok" } },
    spans: [
      {
        span_id: "b".repeat(16),
        parent_span_id: "a".repeat(16),
        trace_id: traceId,
        op: "db.query",
        description: `SELECT * FROM orders ${tag}`,
        start_timestamp: now - 1.9,
        timestamp: now - 1.6,
        data: { "db.system": "postgresql", "db.rows": 42 },
      },
      {
        span_id: "c".repeat(16),
        parent_span_id: "a".repeat(16),
        trace_id: traceId,
        op: "http.client",
        description: "GET https://bank.example/charge",
        status: "internal_error",
        start_timestamp: now - 1.5,
        timestamp: now - 1.1,
      },
    ],
  };
  await post(t, envelope({ event_id: transactionId }, [{ type: "transaction" }, JSON.stringify(tx)]));
  const logs = {
    items: [
      {
        timestamp: now - 50,
        trace_id: traceId,
        level: "info",
        body: `order placed ${tag}`,
        attributes: { "order.id": { type: "string", value: "o-1" } },
      },
      {
        timestamp: now - 40,
        trace_id: traceId,
        level: "error",
        body: `charge failed ${tag}`,
        severity_number: 17,
        attributes: {},
      },
    ],
  };
  await post(
    t,
    envelope({}, [
      { type: "log", item_count: 2, content_type: "application/vnd.sentry.items.log+json" },
      JSON.stringify(logs),
    ]),
  );
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM events WHERE project_id = ? AND issue_id IS NOT NULL",
    )
      .bind(t.projectId)
      .first<{ n: number }>();
    if (row?.n === 3) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { errorIds, traceId, transactionId, now };
}
