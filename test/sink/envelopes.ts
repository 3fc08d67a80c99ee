// Envelopes as an SDK would send them, posted with fetch to a DSN: for the tests of the sink that need
// no SDK (or exact control over what arrives).
import { randomBytes } from "node:crypto";

export const newId = (bytes = 16) => randomBytes(bytes).toString("hex");

export interface SentItem {
  type: string;
  payload: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

/** Posts one envelope to the DSN's project; answers the HTTP status. */
export async function sendEnvelope(dsn: string, items: SentItem[]): Promise<number> {
  const url = new URL(dsn);
  const event = items.find((i) => i.type === "event" || i.type === "transaction");
  const eventId = typeof event?.payload.event_id === "string" ? event.payload.event_id : newId();
  const projectId = url.pathname.replace(/^\//, "");
  const lines = [JSON.stringify({ event_id: eventId, dsn, sent_at: new Date().toISOString() })];
  for (const item of items) {
    const body = JSON.stringify(item.payload);
    lines.push(JSON.stringify({ type: item.type, length: Buffer.byteLength(body), ...item.headers }), body);
  }
  const response = await fetch(`${url.protocol}//${url.host}/api/${projectId}/envelope/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-sentry-envelope",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_client=faultline-tests/1.0, sentry_key=${url.username}`,
    },
    body: `${lines.join("\n")}\n`,
  });
  await response.arrayBuffer();
  return response.status;
}

/** An error event: `TypeError: <value>`, with optional release, tags, level and trace. */
export function errorEvent(
  value: string,
  fields: { release?: string; tags?: Record<string, string>; level?: string; traceId?: string } = {},
): SentItem {
  const eventId = newId();
  return {
    type: "event",
    payload: {
      event_id: eventId,
      timestamp: Date.now() / 1000,
      platform: "javascript",
      level: fields.level ?? "error",
      exception: { values: [{ type: "TypeError", value }] },
      ...(fields.release ? { release: fields.release } : {}),
      ...(fields.tags ? { tags: fields.tags } : {}),
      ...(fields.traceId ? { contexts: { trace: { trace_id: fields.traceId, span_id: newId(8) } } } : {}),
    },
  };
}

export function messageEvent(message: string, level = "info"): SentItem {
  return {
    type: "event",
    payload: { event_id: newId(), timestamp: Date.now() / 1000, level, message },
  };
}
