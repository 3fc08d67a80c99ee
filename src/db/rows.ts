// Rows of D1 tables as raw queries return them (snake case, one field per column of migrations/*.sql).
// A query that selects fewer columns types its rows as a Pick or Omit of these.
import type { deploys, releases } from "./schema.ts";

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

/** An `issues` row as the read model returns it: with the status it reads back as (expired ignores). */
export interface IssueReadRow extends IssueTableRow {
  effective_status: string;
}

/** An `attachments` row as event views read it. */
export interface AttachmentRow {
  id: number;
  name: string;
  content_type: string;
  attachment_type: string;
  size: number;
  blob_key: string;
}

/** A `spans` row as the trace view reads it. */
export interface SpanRow {
  project_id: number;
  span_id: string;
  parent_span_id: string | null;
  event_id: string | null;
  is_segment: number;
  name: string;
  op: string | null;
  description: string | null;
  status: string | null;
  start_timestamp: number;
  end_timestamp: number;
  duration_ms: number;
  transaction_name: string | null;
}

/** A `releases` row, with drizzle's (camel-case) field names: queries alias their columns to these. */
export type ReleaseRow = typeof releases.$inferSelect;

/** A `deploys` row, with drizzle's (camel-case) field names. */
export type DeployRow = typeof deploys.$inferSelect;
