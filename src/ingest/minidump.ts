// Envelopes that carry a minidump (an `attachment` item with `attachment_type: "event.minidump"`,
// as sentry-native sends it and as the minidump endpoint builds it): the dump is parsed and walked
// before the items are prepared, and the event it describes becomes the envelope's event item,
// merged with the event item that came with it (the SDK's tags, release, user, contexts win; the
// crash, threads and modules come from the dump). The dump itself stays an attachment of the event.
import { FaultlineError } from "../errors.ts";
import { MAX_ATTACHMENT_BYTES, MAX_EVENT_BYTES } from "../limits.ts";
import { decodeBody } from "../protocol/decode.ts";
import { normalizeEventId } from "../protocol/envelope.ts";
import type { Envelope, EnvelopeItem, JsonObject } from "../protocol/types.ts";
import { walkMinidump } from "../symbol-service/index.ts";
import { boundMinidumpEvent, looksLikeMinidump } from "../symbolication/minidump/index.ts";
import { asObject, parseJsonPayload } from "./items/draft.ts";
import type { PrepareContext } from "./items/index.ts";

export const MINIDUMP_ATTACHMENT_TYPE = "event.minidump";

const encoder = new TextEncoder();

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);
const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const BZIP2_MAGIC = [0x42, 0x5a, 0x68];
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/**
 * A dump as sent, decompressed when the file itself is gzip or zstd (Crashpad may gzip the file part;
 * Relay also takes zstd). bzip2 and xz, which Relay takes too, are refused by name.
 */
export function minidumpBytes(payload: Uint8Array): Uint8Array {
  let bytes = payload;
  if (startsWith(payload, GZIP_MAGIC)) bytes = decodeBody(payload, "gzip", MAX_ATTACHMENT_BYTES);
  else if (startsWith(payload, ZSTD_MAGIC)) bytes = decodeBody(payload, "zstd", MAX_ATTACHMENT_BYTES);
  else if (startsWith(payload, BZIP2_MAGIC) || startsWith(payload, XZ_MAGIC)) {
    const format = payload[0] === 0x42 ? "bzip2" : "xz";
    throw new FaultlineError(
      400,
      `invalid minidump: ${format}-compressed dumps are not supported; send it uncompressed, gzip or zstd`,
    );
  }
  if (!looksLikeMinidump(bytes))
    throw new FaultlineError(400, "invalid minidump: the file does not start with MDMP");
  return bytes;
}

function mergeEvent(fromDump: JsonObject, sent: JsonObject | undefined): JsonObject {
  if (!sent) return fromDump;
  const contexts = { ...(asObject(fromDump.contexts) ?? {}), ...(asObject(sent.contexts) ?? {}) };
  // The SDK's own exception/threads/debug_meta describe the handler, not the crash: the dump's win.
  return { ...sent, ...fromDump, ...pick(sent, ["level", "timestamp"]), contexts };
}

function pick(object: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

/**
 * Replaces the envelope's event item by the event its minidump describes (adding one when there is
 * none). Envelopes without a minidump are returned as they are. A dump that does not start with
 * MDMP is a 400; one that does is always kept, gunzipped, as the event's attachment.
 */
export async function expandMinidump(envelope: Envelope, ctx: PrepareContext): Promise<Envelope> {
  const dumpItem = envelope.items.find(
    (item) => item.type === "attachment" && item.headers.attachment_type === MINIDUMP_ATTACHMENT_TYPE,
  );
  if (!dumpItem) return envelope;
  const bytes = minidumpBytes(dumpItem.payload);
  const eventItem = envelope.items.find((item) => item.type === "event");
  // The SDK's part is bound like any event item; the dump's part is bound below, after the walk.
  if (eventItem && eventItem.payload.byteLength > MAX_EVENT_BYTES) return envelope;
  const sent = eventItem ? asObject(parseJsonPayload(eventItem)) : undefined;
  const fromDump = await walkOrReport(bytes, ctx);
  const eventId =
    normalizeEventId(envelope.headers.event_id) ??
    normalizeEventId(sent?.event_id) ??
    crypto.randomUUID().replaceAll("-", "");
  const event = { ...mergeEvent(fromDump, sent), event_id: eventId };
  boundMinidumpEvent(event, MAX_EVENT_BYTES);
  const item: EnvelopeItem = {
    type: "event",
    headers: { type: "event" },
    payload: encoder.encode(JSON.stringify(event)),
  };
  // The dump is stored as it is read (gunzipped), so a later re-walk reads a dump.
  const items = envelope.items
    .filter((i) => i !== eventItem)
    .map((i) => (i === dumpItem ? { ...i, payload: bytes } : i));
  // The event first: attachments after it belong to it.
  return { headers: { ...envelope.headers, event_id: eventId }, items: [item, ...items] };
}

/**
 * The event the dump describes. A dump that starts like one but cannot be read (truncated, corrupt
 * streams) still makes an event, as Sentry's does: a `native_bad_dump` processing error and the
 * crash marked unreadable, so the event, its other attachments and the dump itself are kept.
 */
async function walkOrReport(bytes: Uint8Array, ctx: PrepareContext): Promise<JsonObject> {
  try {
    const walked = await walkMinidump(bytes, {
      db: ctx.db,
      bucket: ctx.blobs,
      projectId: ctx.key.projectId,
      cachedCandidates: { background: ctx.background },
    });
    return walked.event;
  } catch (error) {
    if (!(error instanceof FaultlineError) || error.status !== 400) throw error;
    return {
      platform: "native",
      level: "fatal",
      errors: [{ type: "native_bad_dump", name: "minidump", value: error.detail }],
      exception: {
        values: [
          {
            type: "Minidump",
            value: `Unreadable minidump: ${error.detail}`,
            mechanism: { type: "minidump", handled: false, synthetic: true },
          },
        ],
      },
    };
  }
}
