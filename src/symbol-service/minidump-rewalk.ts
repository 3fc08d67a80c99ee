// A stored minidump event walked again, for a late debug file: the unwind itself depends on the
// files (CFI instead of scanning), so re-symbolicating the old frames is not enough. The dump is read
// back from the event's `event.minidump` attachment and walked with the files stored now; its crash,
// threads and modules replace the stored ones (normalized as at ingest), everything else is kept.
import type { BlobBucket } from "../blobs/bucket.ts";
import { readBlobBytes } from "../blobs/event-blobs.ts";
import { eventMinidumpKey } from "../db/attachments.ts";
import { normalizeEvent } from "../protocol/normalize/index.ts";
import type { NormalizedEvent } from "../protocol/types.ts";
import { walkMinidump } from "./minidump.ts";

/** Whether a stored event came from a minidump (its crash is the synthetic `minidump` exception). */
export function isMinidumpEvent(event: NormalizedEvent): boolean {
  return event.exception?.values.some((value) => value.mechanism?.type === "minidump") ?? false;
}

/** The event re-walked from its dump; the event as it is when the dump is gone or unreadable. */
export async function rewalkMinidumpEvent(
  deps: { db: D1Database; control: D1Database; bucket: BlobBucket },
  projectId: number,
  event: NormalizedEvent,
): Promise<NormalizedEvent> {
  try {
    const key = await eventMinidumpKey(deps.db, projectId, event.event_id);
    const bytes = key ? await readBlobBytes(deps.bucket, key) : null;
    if (!bytes) return event;
    // The minidump's attachment row is on the event shard; the debug files are in the control plane.
    const walked = await walkMinidump(bytes, { db: deps.control, bucket: deps.bucket, projectId });
    const fresh = normalizeEvent(
      { ...walked.event, event_id: event.event_id },
      { receivedAt: event.timestamp, itemType: "event" },
    );
    const out: NormalizedEvent = { ...event };
    if (fresh.exception) {
      // The crash as walked now, under the stored mechanism and type (scrubbed at ingest).
      out.exception = fresh.exception;
    }
    if (fresh.threads) out.threads = fresh.threads;
    if (fresh.debug_meta) out.debug_meta = fresh.debug_meta;
    return out;
  } catch (error) {
    console.error("minidump re-walk failed", event.event_id, error);
    return event;
  }
}
