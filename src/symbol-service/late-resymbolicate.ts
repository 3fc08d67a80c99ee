// One step of a late-file job: the stored events of a batch are re-symbolicated (from their state
// before symbolication), their image references updated, and their new payloads written where the
// old ones were kept (inline, or a NEW R2 key: a payload in a sealed segment is never rewritten there,
// it moves to an object of its own). The caller hands the results to the project's Durable Object,
// which regroups them.
import type { BlobBucket } from "../blobs/bucket.ts";
import { eventPayloadText, type OpenSegmentRead } from "../blobs/event-blobs.ts";
import { putEventPayload } from "../blobs/event-payloads.ts";
import { eventPayloadKey, newWriteId } from "../blobs/keys.ts";
import { deleteImagesOfEvents } from "../db/event-debug-images.ts";
import { type StoredPayload, storedPayloads } from "../db/event-payloads.ts";
import { payloadProjection } from "../db/payload-projection.ts";
import { MAX_INLINE_PAYLOAD_BYTES } from "../limits.ts";
import type { JsonObject, NormalizedEvent } from "../protocol/types.ts";
import { unsymbolicated } from "../symbolication/native-event.ts";
import { isMinidumpEvent, rewalkMinidumpEvent } from "./minidump-rewalk.ts";
import { recordReferences, symbolicateStored } from "./symbolicate-event.ts";

/** A re-symbolicated event, for the project's object to regroup. */
export interface ResymbolicatedEvent {
  eventId: string;
  /** The symbolicated event (its grouping is computed by the project's object). */
  event: NormalizedEvent;
  /** The new payload JSON when it is stored inline; its projection when it lives in R2 under payloadKey. */
  payload: string | null;
  payloadKey: string | null;
  /** Always null: a rewritten payload leaves its segment. */
  payloadRef: null;
}

async function loadPayload(
  deps: { bucket: BlobBucket; openSegment: OpenSegmentRead },
  projectId: number,
  row: StoredPayload,
): Promise<NormalizedEvent | null> {
  const text = await eventPayloadText(deps, {
    project_id: projectId,
    payload: row.payload,
    payload_key: row.payloadKey,
    payload_ref: row.payloadRef,
  });
  if (text === null) return null;
  try {
    return JSON.parse(text) as NormalizedEvent;
  } catch {
    return null;
  }
}

/** Re-symbolicates these events of the project; returns them for regrouping. */
export async function resymbolicateEvents(
  deps: { db: D1Database; control: D1Database; bucket: BlobBucket; openSegment: OpenSegmentRead },
  projectId: number,
  eventIds: readonly string[],
): Promise<ResymbolicatedEvent[]> {
  const rows = await storedPayloads(deps.db, projectId, eventIds);
  const out: ResymbolicatedEvent[] = [];
  for (const row of rows) {
    const stored = await loadPayload(deps, projectId, row);
    if (!stored) continue;
    // A minidump's frames come from a walk that depended on the files: walk it again first.
    const base = isMinidumpEvent(stored)
      ? await rewalkMinidumpEvent(deps, projectId, stored)
      : unsymbolicated(stored);
    const { event, references } = await symbolicateStored(base, {
      db: deps.control,
      bucket: deps.bucket,
      projectId,
    });
    await recordReferences(deps.db, projectId, event, references);
    let payload: string | null = JSON.stringify(event);
    let payloadKey = row.payloadKey;
    if (payloadKey !== null || row.payloadRef !== null || payload.length > MAX_INLINE_PAYLOAD_BYTES) {
      // A new key: the stored object or segment is never rewritten in place (its row moves to the new
      // object; an old object, then unreferenced, is removed by the blob sweep). The row keeps the
      // projection the queries read.
      payloadKey = eventPayloadKey(projectId, row.eventId, newWriteId());
      await putEventPayload(deps.bucket, payloadKey, payload);
      payload = payloadProjection(event as unknown as JsonObject);
    }
    out.push({ eventId: row.eventId, event, payload, payloadKey, payloadRef: null });
  }
  // References of events that were never stored (rejected, rate limited) lead nowhere.
  const found = new Set(rows.map((r) => r.eventId));
  await deleteImagesOfEvents(
    deps.db,
    projectId,
    eventIds.filter((id) => !found.has(id)),
  );
  return out;
}
