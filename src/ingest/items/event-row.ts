// The `events` row of a normalized error event or transaction: the columns queries filter on, and the
// payload packed for its segment (db/packed-payload.ts), or in R2 (staged) when it is over what a D1
// row keeps.
import { eventPayloadKey, newWriteId } from "../../blobs/keys.ts";
import { packPayload } from "../../db/packed-payload.ts";
import { MAX_INLINE_PAYLOAD_BYTES } from "../../limits.ts";
import type { EventRow } from "../../project/index.ts";
import type { JsonObject, NormalizedEvent } from "../../protocol/types.ts";
import type { EnvelopeDraft } from "./draft.ts";

export function eventRow(event: NormalizedEvent, title: string, draft: EnvelopeDraft): EventRow {
  let payload: string | null = JSON.stringify(event);
  let payloadKey: string | null = null;
  if (payload.length > MAX_INLINE_PAYLOAD_BYTES) {
    // D1 rows are capped at 1 MB; large payloads live in R2 with a pointer in the row.
    payloadKey = eventPayloadKey(draft.projectId, event.event_id, newWriteId());
    draft.staged.push({ key: payloadKey, body: payload, contentType: "application/json" });
    payload = null;
  }
  const type = event.type;
  const userKey = userKeyOf(event);
  const packed =
    payload === null ? null : packPayload(event as unknown as JsonObject, payload, title, userKey);
  return {
    eventId: event.event_id,
    type,
    timestamp: event.timestamp,
    received: event.received,
    level: event.level,
    platform: event.platform,
    release: event.release ?? null,
    environment: event.environment ?? null,
    userKey,
    title,
    message: event.message ?? null,
    transactionName: event.transaction ?? null,
    traceId: traceIdOf(event),
    payload: null,
    payloadKey,
    ...(packed ? { packed } : {}),
  };
}

/** A stable key for distinct-user counts: Sentry counts by id, else email, username, then IP. */
export function userKeyOf(event: NormalizedEvent): string | null {
  const user = event.user;
  if (!user) return null;
  if (user.id) return `id:${user.id}`;
  if (user.email) return `email:${user.email}`;
  if (user.username) return `username:${user.username}`;
  if (user.ip_address) return `ip:${user.ip_address}`;
  return null;
}

function traceIdOf(event: NormalizedEvent): string | null {
  const trace = event.contexts?.trace;
  if (trace && typeof trace === "object" && !Array.isArray(trace) && typeof trace.trace_id === "string") {
    return trace.trace_id;
  }
  return null;
}
