// The face of the project service (the Durable Object that owns one project's grouping state, counters
// and rate limits): the contract of its RPC methods (the ingest batch and result), and the issue-state
// types and release order other services show and compare. The class itself is bound by the edge
// (src/index.ts) and named by env.ts as a type, straight from project-do.ts, so importing this face
// never loads the Durable Object runtime. Everything else in src/project/ is internal.

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
  type LogSource,
  type OutcomeDelta,
  type PreparedErrorEvent,
  type PreparedTransaction,
  type RawItemRow,
  withPayloadText,
} from "./ingest-batch.ts";
export {
  compareReleasesBySemver,
  type IssueState,
  type IssueStatus,
  type ReleaseComparator,
  type Resolution,
} from "./issue-lifecycle.ts";
export {
  archiveIssuesUntilEscalating,
  clearTelemetry,
  deleteIssues,
  forgetProjectAlertRules,
  forgetProjectIssues,
  type IssueFields,
  type IssueTarget,
  monitorsChanged,
  setIssuesFields,
  setIssuesIgnoreDetails,
  setIssuesStatus,
} from "./issue-mutations.ts";
export { type FailedMonitor, monitorIssueHash } from "./monitor-failure.ts";
export type { RateLimitConfig } from "./rate-limiter.ts";
export type { RegroupMove, RegroupResult } from "./regroup.ts";
export {
  openLiveTail,
  openSegmentBytes,
  payloadReader,
  spooledBlobKeys,
  spooledEvent,
  spooledEventIn,
} from "./spool-reads.ts";
export type { ProjectStats } from "./stats.ts";
export type { TailItem } from "./tail-items.ts";
export { forgetProjectBudget, pendingProjectUsage } from "./usage-reads.ts";
