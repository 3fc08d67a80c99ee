// The project service's face: the Durable Object class (for the Worker's exports and the binding's
// type), the contract of its RPC methods (the ingest batch and result), and the issue-state types and
// release order other services show and compare. Everything else in src/project/ is internal.
export type { ProjectStats } from "./group-commit.ts";
export {
  type ActiveRateLimit,
  type AttachmentRow,
  type EventRow,
  emptyBatch,
  type FeedbackRow,
  type IngestBatch,
  type IngestResult,
  type IssueGrouping,
  issueGroupingOf,
  type KeyContext,
  type OutcomeDelta,
  type PreparedErrorEvent,
  type PreparedTransaction,
  type RawItemRow,
} from "./ingest-batch.ts";
export {
  compareReleasesBySemver,
  type IssueState,
  type IssueStatus,
  type ReleaseComparator,
  type Resolution,
} from "./issue-lifecycle.ts";
export { ProjectDO } from "./project-do.ts";
export type { RateLimitConfig } from "./rate-limiter.ts";
export type { RegroupMove, RegroupResult } from "./regroup.ts";
