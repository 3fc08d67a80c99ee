// What the project's Durable Object reports about itself (`getStats`, the ingest-stats API): its group
// commits' D1 costs, its flushes, what waits in its spool, and its payload segments.
import type { CommitStats } from "./group-commit.ts";
import type { SegmentStats } from "./payload-segments.ts";
import type { RetentionTotals } from "./retention.ts";
import type { FlushStats } from "./spool-flusher.ts";

/** `segmentsSealed`: payload segments written to R2 (one Class A PUT each); `segmentSealFailures`: failed writes. */
export interface ProjectStats extends CommitStats, FlushStats, SegmentStats {
  /** Envelopes in the spool, not yet in D1 (0 once drained). */
  spooled: number;
  /** Bytes of those envelopes (UTF-8 of their prepared JSON). */
  spoolBytes: number;
  /** What the retention sweeps deleted since the object started. */
  retention: RetentionTotals;
}
