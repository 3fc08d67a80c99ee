// The face of the project service (the Durable Object that owns one project's grouping state, counters
// and rate limits): the types of its RPC and the pure issue-lifecycle helpers others share. The class
// itself is bound by the edge (src/index.ts) and named by env.ts as a type, straight from project-do.ts,
// so importing this face never loads the Durable Object runtime.
export type {
  ActiveRateLimit,
  AttachmentRow,
  EventRow,
  IngestBatch,
  IngestResult,
  IssueGrouping,
  KeyContext,
  OutcomeDelta,
  PreparedErrorEvent,
} from "./ingest-batch.ts";
export { emptyBatch, issueGroupingOf } from "./ingest-batch.ts";
export {
  compareReleasesBySemver,
  type IssueStatus,
  type ReleaseComparator,
  type Resolution,
} from "./issue-lifecycle.ts";
export type { RegroupMove, RegroupResult } from "./regroup.ts";
