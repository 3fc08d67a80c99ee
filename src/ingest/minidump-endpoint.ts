// `POST /api/{project_id}/minidump/?sentry_key=…`: crash uploads as Breakpad, Crashpad and
// sentry-native send them, a multipart/form-data body (possibly gzip-encoded as a whole) with the
// dump in `upload_file_minidump` (possibly gzip itself), the event as JSON in a `sentry` field and/or
// as `sentry[tags][key]`-style bracket fields; other files are kept as attachments and other fields
// as the event's `extra`. The request becomes an envelope (event + minidump attachment + the other
// files) and takes the envelope path; the answer is the event id as text, as Crashpad expects, and
// never a 429: crash reporters ignore rate limits and retry, so a rate-limited dump is answered 200
// too (its drop counted), as Relay answers it. A body sent as `application/octet-stream` or
// `application/x-dmp` is the dump alone. sentry-native's Crashpad backend adds its event and
// breadcrumbs as MessagePack files; Electron sends JSON in `sentry___<name>` fields and the event in
// `sentry__1`…`sentry__N` chunks: all merged here.
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { type MultipartPart, multipartBoundary, readMultipart } from "../http/multipart.ts";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_BYTES, MAX_REQUEST_BODY_BYTES } from "../limits.ts";
import { parseProjectIdPath } from "../protocol/auth.ts";
import { decodeBody, readBodyCapped } from "../protocol/decode.ts";
import { decodeMsgpackSequence } from "../protocol/msgpack.ts";
import type { Envelope, EnvelopeItem, JsonObject, JsonValue } from "../protocol/types.ts";
import { authenticateRequest, ingestEnvelope, recordRejected } from "./endpoints.ts";
import { MINIDUMP_ATTACHMENT_TYPE, minidumpBytes } from "./minidump.ts";

const MINIDUMP_FIELD = "upload_file_minidump";
const RAW_DUMP_TYPES = ["application/octet-stream", "application/x-dmp"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Sets `sentry[a][b]=v` into `event.a.b`; other bracket-less fields go to `extra`. */
function setBracketField(event: JsonObject, name: string, value: string): void {
  const path = /^sentry((?:\[[^\]]*\])+)$/.exec(name);
  if (!path?.[1]) {
    const extra = (event.extra as JsonObject | undefined) ?? {};
    extra[name] = value;
    event.extra = extra;
    return;
  }
  const keys = [...path[1].matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? "");
  let target = event;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (!next || typeof next !== "object" || Array.isArray(next)) target[key] = {};
    target = target[key] as JsonObject;
  }
  target[keys[keys.length - 1] ?? ""] = value;
}

/** `patch` merged into `target`, objects key by key (Relay's merge of the upload's JSON fields). */
function deepMerge(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    const before = target[key];
    const isObject = (v: JsonValue | undefined): v is JsonObject =>
      v !== null && typeof v === "object" && !Array.isArray(v);
    target[key] = isObject(before) && isObject(value) ? deepMerge({ ...before }, value) : value;
  }
  return target;
}

function parseSentryJson(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as JsonObject;
  } catch {
    // fall through
  }
  throw new FaultlineError(400, "invalid minidump upload: the `sentry` field is not a JSON object");
}

/** sentry-native's Crashpad backend: the event and breadcrumbs as MessagePack files. */
const NATIVE_EVENT = "__sentry-event";
const NATIVE_BREADCRUMBS = ["__sentry-breadcrumb1", "__sentry-breadcrumb2"];
/** Breadcrumbs kept from the two ring buffers (sentry-native's default maximum). */
const MAX_NATIVE_BREADCRUMBS = 100;

function asEventObject(value: JsonValue | undefined): JsonObject {
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

/** The event sentry-native wrote, with its breadcrumbs (both buffers, oldest first). */
function nativeEvent(parts: readonly MultipartPart[]): JsonObject {
  const eventPart = parts.find((p) => p.name === NATIVE_EVENT);
  const event = eventPart ? asEventObject(decodeMsgpackSequence(eventPart.body, 1)[0]) : {};
  const crumbs = parts
    .filter((p) => NATIVE_BREADCRUMBS.includes(p.name))
    .flatMap((p) => decodeMsgpackSequence(p.body, MAX_NATIVE_BREADCRUMBS))
    .filter((c): c is JsonObject => c !== null && typeof c === "object" && !Array.isArray(c));
  if (crumbs.length > 0) {
    const time = (c: JsonObject) => String(c.timestamp ?? "");
    crumbs.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0));
    event.breadcrumbs = { values: crumbs.slice(-MAX_NATIVE_BREADCRUMBS) };
  }
  return event;
}

/** The multipart upload as an envelope: event item, the dump, the other files. */
export function minidumpEnvelope(parts: readonly MultipartPart[]): Envelope {
  const dump = parts.find((p) => p.name === MINIDUMP_FIELD);
  if (!dump) throw new FaultlineError(400, `invalid minidump upload: no ${MINIDUMP_FIELD} file`);
  // sentry-native's MessagePack event first, the `sentry` JSON field over it.
  let event: JsonObject = nativeEvent(parts);
  const json = parts.find((p) => p.name === "sentry" && p.filename === null);
  if (json) event = { ...event, ...parseSentryJson(decoder.decode(json.body)) };
  const items: EnvelopeItem[] = [];
  const chunks = new Map<number, string>();
  const fields: MultipartPart[] = [];
  for (const part of parts) {
    if (part === dump || part === json) continue;
    if (part.name === NATIVE_EVENT || NATIVE_BREADCRUMBS.includes(part.name)) continue;
    const chunk = part.filename === null ? /^sentry__(\d+)$/.exec(part.name) : null;
    if (chunk?.[1]) chunks.set(Number(chunk[1]), decoder.decode(part.body));
    else if (part.filename === null && part.name.startsWith("sentry___"))
      event = deepMerge(event, parseSentryJson(decoder.decode(part.body)));
    else if (part.filename === null) fields.push(part);
    else {
      items.push({
        type: "attachment",
        headers: {
          type: "attachment",
          filename: part.filename || part.name,
          content_type: part.contentType ?? "application/octet-stream",
          attachment_type: "event.attachment",
        },
        payload: part.body,
      });
    }
  }
  if (chunks.size > 0) {
    const text = [...chunks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, t]) => t)
      .join("");
    event = deepMerge(event, parseSentryJson(text));
  }
  for (const part of fields) setBracketField(event, part.name, decoder.decode(part.body));
  // The id the answer names, also when the event is then rate limited (the answer is 200 then too).
  if (typeof event.event_id !== "string") event.event_id = crypto.randomUUID().replace(/-/g, "");
  const bytes = minidumpBytes(dump.body);
  items.unshift({
    type: "attachment",
    headers: {
      type: "attachment",
      filename: dump.filename || "minidump.dmp",
      content_type: "application/x-dmp",
      attachment_type: MINIDUMP_ATTACHMENT_TYPE,
    },
    payload: bytes,
  });
  items.unshift({
    type: "event",
    headers: { type: "event" },
    payload: encoder.encode(JSON.stringify(event)),
  });
  return { headers: { event_id: event.event_id }, items };
}

export async function handleMinidump(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string,
): Promise<Response> {
  const projectId = parseProjectIdPath(pathProject);
  const who = await authenticateRequest(request, env, projectId, (work) => ctx.waitUntil(work));
  const raw = await readBodyCapped(request.body, MAX_REQUEST_BODY_BYTES);
  const body = decodeBody(raw, request.headers.get("content-encoding"), MAX_ATTACHMENTS_BYTES);
  let envelope: Envelope;
  try {
    const contentType = request.headers.get("content-type");
    const parts: MultipartPart[] = [];
    if (RAW_DUMP_TYPES.includes((contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? ""))
      parts.push({ name: MINIDUMP_FIELD, filename: "minidump.dmp", contentType, body });
    else {
      const boundary = multipartBoundary(contentType);
      for await (const part of readMultipart(once(body), boundary, MAX_ATTACHMENT_BYTES)) parts.push(part);
    }
    envelope = minidumpEnvelope(parts);
  } catch (error) {
    if (error instanceof FaultlineError && error.status < 500) {
      const outcome = {
        category: "error",
        outcome: "invalid",
        reason: "invalid_minidump",
        quantity: 1,
      } as const;
      ctx.waitUntil(recordRejected(env, who.key.projectId, outcome, who.key));
    }
    throw error;
  }
  const answer = await ingestEnvelope(request, env, ctx, envelope, who);
  if (answer.status !== 200 && answer.status !== 429) return answer;
  const { id } = answer.status === 200 ? ((await answer.json()) as { id?: string }) : { id: undefined };
  const headers = new Headers(answer.headers);
  headers.set("content-type", "text/plain; charset=utf-8");
  const eventId = id ?? String(envelope.headers.event_id ?? "");
  return new Response(eventId ? formatUuid(eventId) : "", { status: 200, headers });
}

function formatUuid(id: string): string {
  return id.length === 32
    ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`
    : id;
}
