// Turns a parsed envelope into the batch the project's Durable Object commits: every item is validated,
// normalized and (for errors) grouped here, in the stateless Worker, so the Durable Object only does
// what needs serializing. Bytes that do not belong in D1 are written to R2 first: a 2xx is only sent
// after the Durable Object's D1 commit, so nothing acknowledged can be missing. They are written only
// once every item has been read, so an envelope refused as invalid stores nothing, and each write has
// its own key, so a retry never replaces what an earlier request stored.
import { attachmentKey, eventPayloadKey, newWriteId, rawItemKey } from "../blobs/keys.ts";
import { FaultlineError } from "../errors.ts";
import {
  MAX_FEEDBACK_PAYLOAD_CHARS,
  MAX_INLINE_PAYLOAD_BYTES,
  MAX_PREPARED_BATCH_UNITS,
  MAX_SESSIONS_PER_ENVELOPE,
} from "../limits.ts";
import { symbolicateNativeEvent } from "../native/symbolicate-event.ts";
import {
  type AttachmentRow,
  type EventRow,
  emptyBatch,
  type IngestBatch,
  issueGroupingOf,
  type KeyContext,
  type OutcomeDelta,
} from "../project/ingest-batch.ts";
import {
  type DataCategory,
  itemQuantities,
  itemSizeLimit,
  KNOWN_ITEM_TYPES,
} from "../protocol/categories.ts";
import { normalizeEventId } from "../protocol/envelope.ts";
import { boundCheckIn, boundLog, boundMetadata, boundSpan } from "../protocol/items/bounds.ts";
import {
  type ItemParseResult,
  parseCheckIn,
  parseClientReport,
  parseLogItem,
  parseSessionItem,
  parseSessionsItem,
  parseSpanItem,
  parseUserReport,
  spansFromTransaction,
  summarizeOpaqueItem,
} from "../protocol/items/index.ts";
import { normalizeEvent } from "../protocol/normalize/index.ts";
import type { Envelope, EnvelopeItem, JsonObject, NormalizedEvent } from "../protocol/types.ts";

export interface PrepareContext {
  key: KeyContext;
  receivedAt: number;
  clientIp: string | undefined;
  blobs: R2Bucket;
  /** D1, to find the project's debug files for native frames. */
  db: D1Database;
}

export interface PreparedEnvelope {
  batch: IngestBatch;
  /** The id answered to the SDK: the error/transaction event's, else the envelope header's. */
  eventId: string | null;
  /** The envelope's event item was over its size limit (answered with 413). */
  eventTooLarge: boolean;
  /** R2 keys written while preparing; the ones no row ends up referencing are deleted again. */
  writtenBlobKeys: string[];
}

/** One R2 object to write once the whole envelope has been read. */
interface StagedBlob {
  key: string;
  body: Uint8Array | string;
  contentType: string | undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseJsonPayload(item: EnvelopeItem): unknown {
  let text: string;
  try {
    text = decoder.decode(item.payload);
  } catch {
    throw new FaultlineError(400, `invalid ${item.type} item: payload is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FaultlineError(400, "invalid JSON data", { causes: [`${item.type} item: ${String(error)}`] });
  }
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

export async function prepareEnvelope(envelope: Envelope, ctx: PrepareContext): Promise<PreparedEnvelope> {
  const projectId = ctx.key.projectId;
  const headerEventId = normalizeEventId(envelope.headers.event_id) ?? null;
  const sentAt = typeof envelope.headers.sent_at === "string" ? envelope.headers.sent_at : undefined;
  const staged: StagedBlob[] = [];
  const batch = emptyBatch(ctx.key, ctx.receivedAt);
  const outcomes = batch.outcomes;
  let eventTooLarge = false;
  const attachments: AttachmentRow[] = [];
  const itemCtx = {
    receivedAt: ctx.receivedAt,
    envelopeEventId: headerEventId ?? undefined,
    clientIp: ctx.clientIp,
  };
  const normalizeCtx = (itemType: "event" | "transaction" | "feedback") => ({
    receivedAt: ctx.receivedAt,
    envelopeEventId: headerEventId ?? undefined,
    sentAt,
    clientIp: ctx.clientIp,
    itemType,
  });
  const drop = (item: EnvelopeItem, outcome: OutcomeDelta["outcome"], reason: string, eventId?: string) => {
    for (const q of itemQuantities(item)) {
      outcomes.push({
        category: q.category,
        outcome,
        reason,
        quantity: q.quantity,
        ...(eventId ? { eventId } : {}),
      });
    }
  };
  // What the batch carries to the Durable Object in one RPC (MAX_PREPARED_BATCH_UNITS).
  let units = 0;
  const fits = (value: unknown): boolean => {
    const size = JSON.stringify(value).length;
    if (units + size > MAX_PREPARED_BATCH_UNITS) return false;
    units += size;
    return true;
  };
  const collect = <T>(
    item: EnvelopeItem,
    result: ItemParseResult<T>,
    into: T[],
    bound: (record: T) => T = (record) => record,
  ) => {
    const category = itemQuantities(item)[0]?.category;
    let tooLarge = 0;
    for (const parsed of result.records) {
      const record = bound(parsed);
      if (fits(record)) into.push(record);
      else tooLarge += 1;
    }
    if (!category) return;
    if (tooLarge > 0)
      outcomes.push({ category, outcome: "too_large", reason: "envelope_too_large", quantity: tooLarge });
    for (const bad of result.invalid)
      outcomes.push({ category, outcome: "invalid", reason: bad.reason, quantity: bad.quantity });
  };

  for (const item of envelope.items) {
    const limit = itemSizeLimit(item.type);
    if (limit !== undefined && item.payload.byteLength > limit) {
      if (item.type === "event" || item.type === "transaction") eventTooLarge = true;
      drop(item, "too_large", `${item.type}_too_large`, headerEventId ?? undefined);
      continue;
    }
    switch (item.type) {
      case "event": {
        if (batch.event) {
          drop(item, "invalid", "duplicate_item");
          break;
        }
        // Symbolicate first: grouping must see the function names of native frames.
        const { event, missingImages } = await symbolicateNativeEvent(
          normalizeEvent(parseJsonPayload(item), normalizeCtx("event")),
          { db: ctx.db, bucket: ctx.blobs, projectId, cachedCandidates: true },
        );
        const grouping = issueGroupingOf(event);
        batch.event = {
          row: eventRow(event, grouping.title, ctx, staged),
          grouping,
          attachments,
          missingImages,
        };
        units += JSON.stringify(batch.event).length;
        break;
      }
      case "transaction": {
        if (batch.transaction) {
          drop(item, "invalid", "duplicate_item");
          break;
        }
        const tx = normalizeEvent(parseJsonPayload(item), normalizeCtx("transaction"));
        batch.transaction = {
          row: eventRow(tx, tx.transaction ?? "<unlabeled transaction>", ctx, staged),
          spans: spansFromTransaction(tx).map(boundSpan),
        };
        units += JSON.stringify(batch.transaction).length;
        break;
      }
      case "feedback": {
        const fb = normalizeEvent(parseJsonPayload(item), normalizeCtx("feedback"));
        const details = asObject(fb.contexts?.feedback);
        const message = typeof details?.message === "string" ? details.message : "";
        if (!message) {
          drop(item, "invalid", "missing_feedback_message");
          break;
        }
        batch.feedback.push({
          eventId: fb.event_id,
          message,
          contactEmail: stringOrNull(details?.contact_email),
          name: stringOrNull(details?.name),
          url: stringOrNull(details?.url),
          associatedEventId: normalizeEventId(details?.associated_event_id) ?? null,
          timestamp: fb.timestamp,
          payload: feedbackPayload(fb, details),
        });
        break;
      }
      case "attachment": {
        const eventId = headerEventId;
        if (!eventId) {
          drop(item, "invalid", "attachment_without_event_id");
          break;
        }
        const key = attachmentKey(projectId, eventId, newWriteId());
        const contentType = stringOrNull(item.headers.content_type) ?? "application/octet-stream";
        staged.push({ key, body: item.payload, contentType });
        attachments.push({
          name: stringOrNull(item.headers.filename) ?? "attachment",
          contentType,
          attachmentType: stringOrNull(item.headers.attachment_type) ?? "event.attachment",
          size: item.payload.byteLength,
          blobKey: key,
        });
        break;
      }
      case "span":
        collect(item, parseSpanItem(item.headers, item.payload, itemCtx), batch.spans, boundSpan);
        break;
      case "log":
        collect(item, parseLogItem(item.headers, item.payload, itemCtx), batch.logs, boundLog);
        break;
      case "session":
        // Relay's `max_session_count`: updates past it in one envelope are dropped, not stored.
        if (batch.sessionUpdates.length >= MAX_SESSIONS_PER_ENVELOPE) {
          drop(item, "invalid", "too_many_sessions");
          break;
        }
        collect(item, parseSessionItem(item.headers, item.payload, itemCtx), batch.sessionUpdates);
        break;
      case "sessions":
        collect(item, parseSessionsItem(item.headers, item.payload, itemCtx), batch.sessionAggregates);
        break;
      case "check_in":
        collect(item, parseCheckIn(item.headers, item.payload, itemCtx), batch.checkIns, boundCheckIn);
        break;
      case "user_report":
        collect(item, parseUserReport(item.headers, item.payload, itemCtx), batch.userReports);
        break;
      case "client_report": {
        const result = parseClientReport(item.headers, item.payload, itemCtx);
        batch.clientReports.push(...result.records);
        for (const report of result.records) {
          // Only `discarded` entries are the SDK's own drops; the other lists are what relays forward.
          for (const d of report.discarded.filter((entry) => entry.kind === "discarded")) {
            outcomes.push({
              category: d.category as DataCategory,
              outcome: "client_discard",
              reason: d.reason,
              quantity: d.quantity,
            });
          }
        }
        break;
      }
      default: {
        if (!KNOWN_ITEM_TYPES.has(item.type)) {
          // Newer SDKs send types we do not know yet: skip them, count them, never fail the envelope.
          outcomes.push({
            category: "default",
            outcome: "filtered",
            reason: `unknown_item_type:${item.type.slice(0, 40)}`,
            quantity: 1,
          });
          break;
        }
        const key = rawItemKey(projectId, item.type, newWriteId());
        staged.push({ key, body: item.payload, contentType: undefined });
        batch.rawItems.push({
          eventId: headerEventId,
          type: item.type,
          size: item.payload.byteLength,
          blobKey: key,
          metadata: boundMetadata(summarizeOpaqueItem(item.type, item.headers, item.payload)),
        });
      }
    }
  }

  if (attachments.length > 0 && !batch.event) {
    batch.looseAttachments = { eventId: headerEventId ?? "", rows: attachments };
  }
  const eventId = batch.event?.row.eventId ?? batch.transaction?.row.eventId ?? headerEventId;
  batch.units = units;
  const writtenBlobKeys = await writeStaged(ctx.blobs, staged);
  return { batch, eventId, eventTooLarge, writtenBlobKeys };
}

/** Writes the envelope's bytes to R2; when one write fails, removes the others and asks for a retry. */
async function writeStaged(bucket: R2Bucket, staged: StagedBlob[]): Promise<string[]> {
  const results = await Promise.allSettled(
    staged.map((b) =>
      bucket.put(b.key, b.body, b.contentType ? { httpMetadata: { contentType: b.contentType } } : {}),
    ),
  );
  if (results.every((r) => r.status === "fulfilled")) return staged.map((b) => b.key);
  const written = staged.filter((_, i) => results[i]?.status === "fulfilled").map((b) => b.key);
  // Fresh keys no row references yet: safe to remove.
  if (written.length > 0) await bucket.delete(written).catch(() => undefined);
  console.error(
    "R2 write failed",
    results.find((r) => r.status === "rejected"),
  );
  throw new FaultlineError(503, "event could not be stored, please retry", {
    headers: { "retry-after": "5" },
  });
}

function eventRow(
  event: NormalizedEvent,
  title: string,
  ctx: PrepareContext,
  staged: StagedBlob[],
): EventRow {
  let payload: string | null = JSON.stringify(event);
  let payloadKey: string | null = null;
  if (payload.length > MAX_INLINE_PAYLOAD_BYTES) {
    // D1 rows are capped at 1 MB; large payloads live in R2 with a pointer in the row.
    payloadKey = eventPayloadKey(ctx.key.projectId, event.event_id, newWriteId());
    staged.push({ key: payloadKey, body: payload, contentType: "application/json" });
    payload = null;
  }
  const type = event.type;
  return {
    eventId: event.event_id,
    type,
    timestamp: event.timestamp,
    received: event.received,
    level: event.level,
    platform: event.platform,
    release: event.release ?? null,
    environment: event.environment ?? null,
    userKey: userKeyOf(event),
    title,
    message: event.message ?? null,
    transactionName: event.transaction ?? null,
    traceId: traceIdOf(event),
    payload,
    payloadKey,
  };
}

/** The feedback row's payload JSON; one over its cap keeps only the ids and the feedback context. */
function feedbackPayload(fb: NormalizedEvent, details: JsonObject | undefined): string {
  const full = JSON.stringify(fb);
  if (full.length <= MAX_FEEDBACK_PAYLOAD_CHARS) return full;
  return JSON.stringify({
    event_id: fb.event_id,
    timestamp: fb.timestamp,
    contexts: { feedback: details ?? {} },
    _meta: { payload: { trimmed_from: full.length } },
  });
}

function asObject(value: unknown): JsonObject | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}
