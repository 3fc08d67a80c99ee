// Items kept as bytes in R2 with a row pointing to them: `attachment` items (linked to the envelope's
// event id) and opaque items of known types Faultline does not interpret (replays, profiles…). Types
// not known at all are skipped and counted, never failing the envelope.
import { attachmentKey, newWriteId, rawItemKey } from "../../blobs/keys.ts";
import { KNOWN_ITEM_TYPES } from "../../protocol/categories.ts";
import { boundMetadata } from "../../protocol/items/bounds.ts";
import { summarizeOpaqueItem } from "../../protocol/items/index.ts";
import type { EnvelopeItem } from "../../protocol/types.ts";
import { type EnvelopeDraft, stringOrNull } from "./draft.ts";

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function prepareAttachmentItem(item: EnvelopeItem, draft: EnvelopeDraft): Promise<void> {
  const eventId = draft.headerEventId;
  if (!eventId) {
    draft.drop(item, "invalid", "attachment_without_event_id");
    return;
  }
  const key = attachmentKey(draft.projectId, eventId, newWriteId());
  const contentType = stringOrNull(item.headers.content_type) ?? "application/octet-stream";
  draft.staged.push({ key, body: item.payload, contentType });
  draft.attachments.push({
    name: stringOrNull(item.headers.filename) ?? "attachment",
    contentType,
    attachmentType: stringOrNull(item.headers.attachment_type) ?? "event.attachment",
    size: item.payload.byteLength,
    blobKey: key,
    sha1: await sha1Hex(item.payload),
  });
}

export function prepareOtherItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  if (!KNOWN_ITEM_TYPES.has(item.type)) {
    // Newer SDKs send types we do not know yet: skip them, count them, never fail the envelope.
    draft.batch.outcomes.push({
      category: "default",
      outcome: "filtered",
      reason: `unknown_item_type:${item.type.slice(0, 40)}`,
      quantity: 1,
    });
    return;
  }
  const key = rawItemKey(draft.projectId, item.type, newWriteId());
  draft.staged.push({ key, body: item.payload, contentType: undefined });
  draft.batch.rawItems.push({
    eventId: draft.headerEventId,
    type: item.type,
    size: item.payload.byteLength,
    blobKey: key,
    metadata: boundMetadata(summarizeOpaqueItem(item.type, item.headers, item.payload)),
  });
}
