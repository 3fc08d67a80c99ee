// Rows of D1 tables as raw queries return them (snake case, one field per column of migrations/*.sql).
// A query that selects fewer columns types its rows as a Pick or Omit of these.

/** An `events` row. */
export interface EventTableRow {
  project_id: number;
  event_id: string;
  issue_id: number | null;
  type: string;
  timestamp: number;
  received: number;
  level: string;
  platform: string;
  release: string | null;
  environment: string | null;
  user_key: string | null;
  title: string;
  message: string | null;
  transaction_name: string | null;
  trace_id: string | null;
  /** Normalized payload JSON, or null when it is in R2 under payload_key. */
  payload: string | null;
  payload_key: string | null;
}

/** An `issues` row. */
export interface IssueTableRow {
  id: number;
  project_id: number;
  primary_hash: string;
  type: string;
  title: string;
  culprit: string;
  level: string;
  platform: string;
  logger: string | null;
  metadata: string;
  status: "unresolved" | "resolved" | "ignored";
  substatus: string | null;
  resolution: string | null;
  resolved_at: number | null;
  first_seen: number;
  last_seen: number;
  times_seen: number;
  user_count: number;
  first_release: string | null;
  last_release: string | null;
  is_bookmarked: number;
  has_seen: number;
  assigned_to: string | null;
  short_id: number | null;
  status_details: string | null;
}

/** A member's role in an organization (`members.role`). */
export type Role = "owner" | "admin" | "member";

/** One page of a list: rows skipped and rows wanted (cursor pagination in src/api/pagination.ts). */
export interface Page {
  offset: number;
  limit: number;
}
