// Event payloads out of D1 rows. When the object commits events, each payload, compressed at ingest
// (src/db/packed-payload.ts; here if it was spooled as text), is appended to the project's open segment
// in this object's own storage, and the row D1 gets names it
// with a locator (segment, offset, length) and keeps only the projection queries read, less its shape
// (src/db/payload-shape.ts), which event_shapes holds once. The segment
// bytes are written to storage before the group commit that writes the rows, and storage writes land
// in order: the spool entry (the acknowledged copy) is removed after both, so an acknowledged payload
// is always durable somewhere. A segment is closed after PAYLOAD_SEGMENT_MAX_EVENTS events, _BYTES
// bytes or _AGE_SECONDS, and sealed into one R2 object (one Class A PUT for hundreds of events); it
// leaves this storage only once that PUT succeeded, and a failed PUT is retried from the alarm.
// Readers of an open segment ask this object (read()); readers of a sealed one use ranged GETs.
import type { BlobBucket } from "../blobs/bucket.ts";
import { putPayloadSegment } from "../blobs/payload-segments.ts";
import { compressPayload, formatLocator, newSegmentId, parseLocator } from "../blobs/segment-format.ts";
import type { EventRow } from "../db/ingest-rows.ts";
import { packedBytes } from "../db/packed-payload.ts";
import {
  appendSegmentPart,
  closeSegment,
  createPayloadSegmentTables,
  dropSegment,
  insertSegment,
  type StoredSegment,
  segmentPart,
  segmentPartsFrom,
  storedSegments,
} from "../db/payload-segment-store.ts";
import { shapedProjection } from "../db/payload-shape.ts";
import {
  PAYLOAD_SEAL_RETRY_MS,
  PAYLOAD_SEGMENT_MAX_AGE_SECONDS,
  PAYLOAD_SEGMENT_MAX_BYTES,
  PAYLOAD_SEGMENT_MAX_EVENTS,
} from "../limits.ts";
import type { JsonObject } from "../protocol/types.ts";

/** Parts a seal reads per turn (about 150 KB of the bench's payloads). */
const SEAL_READ_PARTS = 128;

/** Resolves in a later turn of the event loop, letting other requests to the object run first. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export interface SegmentLimits {
  maxEvents: number;
  maxBytes: number;
  maxAgeSeconds: number;
}

export const DEFAULT_SEGMENT_LIMITS: SegmentLimits = {
  maxEvents: PAYLOAD_SEGMENT_MAX_EVENTS,
  maxBytes: PAYLOAD_SEGMENT_MAX_BYTES,
  maxAgeSeconds: PAYLOAD_SEGMENT_MAX_AGE_SECONDS,
};

/** Where sealed segments are written, when one closes, and the clock (seams of the tests). */
export interface SegmentSetup {
  bucket: BlobBucket;
  limits: () => SegmentLimits;
  now: () => number;
}

/** Counters for the benchmark: segments sealed and R2 writes that failed. */
export interface SegmentStats {
  segmentsSealed: number;
  segmentSealFailures: number;
}

export class PayloadSegments {
  readonly stats: SegmentStats = { segmentsSealed: 0, segmentSealFailures: 0 };
  /** Rows already placed (a retried attempt of the same commit reuses their locators). */
  private readonly placed = new WeakMap<EventRow, EventRow>();
  private sealing: Promise<boolean> | null = null;

  private readonly bucket: BlobBucket;
  private readonly limits: () => SegmentLimits;
  private readonly now: () => number;

  constructor(
    private readonly sql: SqlStorage,
    /** Arms the object's alarm for `at` (ms) at the latest. */
    private readonly wakeAt: (at: number) => Promise<void>,
    setup: SegmentSetup,
  ) {
    this.bucket = setup.bucket;
    this.limits = setup.limits;
    this.now = setup.now;
    createPayloadSegmentTables(sql);
  }

  /**
   * The rows as D1 is to store them: each inline payload appended to the open segment, the row with
   * its locator and projection. Rows without an inline payload (in R2 already) are left as they are.
   */
  place(projectId: number, rows: readonly EventRow[]): Map<EventRow, EventRow> {
    const out = new Map<EventRow, EventRow>();
    const todo: EventRow[] = [];
    for (const row of rows) {
      const done = this.placed.get(row);
      if (done) out.set(row, done);
      else if (row.packed || (row.payload !== null && !row.payloadKey)) todo.push(row);
    }
    // Synchronous throughout: no other request of the object appends in between. A payload packed at
    // ingest is ready; one spooled as text (before packing existed) is parsed and compressed here.
    const prepared = todo.map((row) => {
      if (row.packed) return { row, projection: row.packed.projection, bytes: packedBytes(row.packed) };
      const json = row.payload as string;
      return {
        row,
        projection: shapedProjection(JSON.parse(json) as JsonObject, row.title, row.userKey),
        bytes: compressPayload(json),
      };
    });
    let closed = false;
    let open = this.openSegment(projectId);
    for (const { row, projection, bytes } of prepared) {
      if (!open) open = this.startSegment(projectId);
      appendSegmentPart(this.sql, open.id, open.bytes, bytes);
      const payloadRef = formatLocator({ segment: open.id, offset: open.bytes, length: bytes.byteLength });
      open.events += 1;
      open.bytes += bytes.byteLength;
      const { packed: _packed, ...columns } = row;
      const stored: EventRow = { ...columns, ...projection, payloadRef };
      this.placed.set(row, stored);
      out.set(row, stored);
      if (this.due(open)) {
        closeSegment(this.sql, open.id);
        open = null;
        closed = true;
      }
    }
    if (closed) void this.seal();
    return out;
  }

  /** One payload's bytes of a segment still kept here, or null (unknown, or sealed into R2 already). */
  read(locator: string): Uint8Array | null {
    const where = parseLocator(locator);
    return where ? segmentPart(this.sql, where.segment, where.offset, where.length) : null;
  }

  /** Closes the open segment when it is due, and seals every closed one (the alarm's part). */
  async sealDue(): Promise<boolean> {
    const open = storedSegments(this.sql).find((s) => !s.closed);
    if (open && this.due(open)) closeSegment(this.sql, open.id);
    return this.seal();
  }

  /** When the alarm must run for the segments: a closed one's retry, or the open one's age limit. */
  dueAt(): number | null {
    const kept = storedSegments(this.sql);
    if (kept.some((s) => s.closed)) return this.now() + PAYLOAD_SEAL_RETRY_MS;
    const open = kept[0];
    return open ? (open.openedAt + this.limits().maxAgeSeconds) * 1000 : null;
  }

  /** Writes every closed segment to R2, oldest first; false when a write failed (retried later). */
  seal(): Promise<boolean> {
    if (!this.sealing)
      this.sealing = this.sealClosed().finally(() => {
        this.sealing = null;
      });
    return this.sealing;
  }

  /** Resolves once a seal under way has ended (a drain waits for it). */
  async settled(): Promise<void> {
    await this.sealing;
  }

  private async sealClosed(): Promise<boolean> {
    // A seal starts from the commit that closed the segment; it runs in later turns, not in that
    // commit's synchronous stretch, during which the object admits nothing.
    await nextTurn();
    // Segments that failed in this round are skipped, not retried: one that cannot be written (an R2
    // error, or parts that no longer tile it) must not hold back the closed segments after it.
    const failed = new Set<string>();
    for (;;) {
      const next = storedSegments(this.sql).find((s) => s.closed && !failed.has(s.id));
      if (!next) break;
      try {
        const bytes = await this.segmentBytes(next);
        await putPayloadSegment(this.bucket, next.projectId, next.id, bytes);
      } catch (error) {
        // The segment stays here, readable, until a later seal succeeds.
        failed.add(next.id);
        this.stats.segmentSealFailures += 1;
        console.error("payload segment: seal failed", error);
        continue;
      }
      dropSegment(this.sql, next.id);
      this.stats.segmentsSealed += 1;
    }
    if (failed.size === 0) return true;
    await this.wakeAt(this.now() + PAYLOAD_SEAL_RETRY_MS);
    return false;
  }

  /**
   * A closed segment's bytes, read SEAL_READ_PARTS parts at a time with a turn between rounds. Read at
   * once, a segment of a thousand payloads held the object for 9–17 ms, delaying every envelope that
   * arrived meanwhile. Its parts tile it (appended at its size, in one synchronous step with the count).
   */
  private async segmentBytes(segment: StoredSegment): Promise<Uint8Array> {
    const out = new Uint8Array(segment.bytes);
    let at = 0;
    for (;;) {
      let placed = 0;
      for (const { offset, data } of segmentPartsFrom(this.sql, segment.id, at, SEAL_READ_PARTS)) {
        if (offset !== at || at + data.byteLength > out.byteLength) break;
        out.set(data, at);
        at += data.byteLength;
        placed += 1;
      }
      if (at === out.byteLength) return out;
      // A gap or an overlap, or the parts ended short: not a segment to write as it is.
      if (placed < SEAL_READ_PARTS)
        throw new Error(`payload segment ${segment.id}: parts end at ${at} of ${out.byteLength} bytes`);
      await nextTurn();
    }
  }

  private openSegment(projectId: number): StoredSegment | null {
    const open = storedSegments(this.sql).find((s) => !s.closed && s.projectId === projectId) ?? null;
    if (open && this.due(open)) {
      closeSegment(this.sql, open.id);
      void this.seal();
      return null;
    }
    return open;
  }

  private startSegment(projectId: number): StoredSegment {
    const nowMs = this.now();
    const id = newSegmentId(nowMs);
    const openedAt = Math.floor(nowMs / 1000);
    insertSegment(this.sql, id, projectId, openedAt);
    void this.wakeAt((openedAt + this.limits().maxAgeSeconds) * 1000);
    return { id, projectId, openedAt, closed: false, events: 0, bytes: 0 };
  }

  private due(segment: StoredSegment): boolean {
    const limits = this.limits();
    return (
      segment.events >= limits.maxEvents ||
      segment.bytes >= limits.maxBytes ||
      this.now() / 1000 - segment.openedAt >= limits.maxAgeSeconds
    );
  }
}
