// Sealed payload segments in R2 (keys: payloadSegmentKey in keys.ts, format: segment-format.ts): one
// object written once, when its segment is sealed, holding the payloads of hundreds of events; a
// payload is read back with a ranged GET. A segment object is never rewritten: a payload rewritten
// later (re-symbolication) goes to an object of its own.
import type { BlobBucket } from "./bucket.ts";
import { payloadSegmentKey, payloadSegmentPrefix } from "./keys.ts";
import { type PayloadLocator, segmentOpenedAt } from "./segment-format.ts";

/** Writes a sealed segment's bytes (one Class A operation). */
export async function putPayloadSegment(
  bucket: BlobBucket,
  projectId: number,
  segmentId: string,
  bytes: Uint8Array,
): Promise<void> {
  await bucket.put(payloadSegmentKey(projectId, segmentId), bytes, {
    httpMetadata: { contentType: "application/octet-stream" },
  });
}

/** One payload's compressed bytes from its sealed segment; null when the segment is not (yet) in R2. */
export async function readPayloadRange(
  bucket: BlobBucket,
  projectId: number,
  locator: PayloadLocator,
): Promise<Uint8Array | null> {
  const object = await bucket.get(payloadSegmentKey(projectId, locator.segment), {
    range: { offset: locator.offset, length: locator.length },
  });
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/**
 * Deletes the project's sealed segments whose every payload was stored before `cutoff` (seconds): a
 * segment takes payloads for at most `maxAgeSeconds` after it opened, so one opened at t holds
 * nothing stored after t + maxAgeSeconds. Answers how many were deleted. Lists at most `maxKeys`
 * segments per call (retention calls it again for the rest).
 */
export async function deletePayloadSegmentsBefore(
  bucket: BlobBucket,
  projectId: number,
  cutoff: number,
  maxAgeSeconds: number,
  maxKeys = 1000,
): Promise<number> {
  const listed = await bucket.list({ prefix: payloadSegmentPrefix(projectId), limit: maxKeys });
  const expired: string[] = [];
  for (const object of listed.objects) {
    const opened = segmentOpenedAt(object.key.slice(payloadSegmentPrefix(projectId).length));
    // Ids sort by the time they opened: the first one too young ends the listing's expired run.
    if (opened === null) continue;
    if (opened + maxAgeSeconds > cutoff) break;
    expired.push(object.key);
  }
  if (expired.length > 0) await bucket.delete(expired);
  return expired.length;
}
