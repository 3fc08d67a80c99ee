// The R2 side of retention (docs/retention.md): the objects of the rows the sweep deleted (event
// payloads under payload_key, attachments, raw items), and sealed payload segments (many events per
// object), deleted whole once no payload they hold can belong to an unexpired event. An object left
// behind by a failed delete has no row pointing at it any more: the sweep of unreferenced objects
// (sweep.ts) removes it later.
import { MAX_FUTURE_SECONDS } from "../limits.ts";
import type { BlobBucket } from "./bucket.ts";
import { deleteBlobs } from "./event-blobs.ts";
import { deletePayloadSegmentsBefore } from "./payload-segments.ts";

/** Segment objects listed per call of the segment deletion. */
const SEGMENTS_PER_LISTING = 1000;

export interface ExpiredBytes {
  /** Deletes the R2 objects the rows of one round pointed to (after the rows are gone). */
  deleteRowObjects(keys: readonly string[]): Promise<void>;
  /**
   * Deletes what is not addressed by one row, by the project's retention cutoff (seconds): called once a
   * sweep has deleted every expired row.
   */
  deleteExpiredSegments(projectId: number, cutoffSeconds: number): Promise<void>;
}

/**
 * Objects of single rows, and sealed segments by the time they opened: a segment takes payloads for at
 * most `segmentMaxAgeSeconds()` after it opened, and an event's timestamp (what retention compares)
 * may be ahead of the time it was stored by MAX_FUTURE_SECONDS, so a segment goes only once everything
 * it can hold was stored MAX_FUTURE_SECONDS before the cutoff: none of its events is still kept.
 */
export function rowObjectsAndSegments(bucket: BlobBucket, segmentMaxAgeSeconds: () => number): ExpiredBytes {
  return {
    async deleteRowObjects(keys) {
      await deleteBlobs(bucket, keys);
    },
    async deleteExpiredSegments(projectId, cutoffSeconds) {
      const before = cutoffSeconds - MAX_FUTURE_SECONDS;
      for (;;) {
        const deleted = await deletePayloadSegmentsBefore(
          bucket,
          projectId,
          before,
          segmentMaxAgeSeconds(),
          SEGMENTS_PER_LISTING,
        );
        if (deleted < SEGMENTS_PER_LISTING) break;
      }
    },
  };
}
