// Every row type of src/db/: rows of D1 tables as raw queries return them (snake case, one field per
// column of migrations/*.sql; releases and deploys take drizzle's inferred types from schema.ts, their
// queries alias columns to them), then the rows of the read model's joins and projections. A query that
// selects fewer columns types its rows as a Pick or Omit of these.
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
  /**
   * Normalized payload JSON, or null when it is in R2 under payload_key; only its projection
   * (payload-projection.ts) when payload_ref names the whole payload in a payload segment.
   */
  payload: string | null;
  payload_key: string | null;
  /** Locator of the whole payload in a payload segment (absent on rows read without it). */
  payload_ref?: string | null;
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

/** A span of a trace with its project's slug (the API's trace view across an organization). */
export interface TraceSpanRow {
  project_id: number;
  project_slug: string;
  span_id: string;
  parent_span_id: string | null;
  segment_id: string | null;
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
  release: string | null;
  environment: string | null;
  attributes: string;
}

/** A `spans` row as the web UI's trace view (one project) reads it. */
export type SpanRow = Omit<
  TraceSpanRow,
  "project_slug" | "segment_id" | "release" | "environment" | "attributes"
> & {
  /** The span's attributes as stored (JSON text); OTLP span events are its `otel.events`. */
  attributes?: string;
};

/** A `releases` row, with drizzle's (camel-case) field names: queries alias their columns to these. */
export type ReleaseRow = typeof releases.$inferSelect;

/** A `deploys` row, with drizzle's (camel-case) field names. */
export type DeployRow = typeof deploys.$inferSelect;

// --- rows as the read model's queries select them ----------------------------------------------------

/** An issue with its project and organization (the `…/issues/{id}/` lookups). */
export interface IssueWithOrgRow extends IssueReadRow {
  p_slug: string;
  p_name: string;
  p_platform: string | null;
  organization_id: number;
  o_slug: string;
  o_name: string;
  o_created_at: number;
  o_shard: string;
}

/** An issue a change applies to. */
export interface IssueTarget {
  id: number;
  project_id: number;
}

/** One tag key/value over an issue's recent events, with when it was first and last seen. */
export interface TagCountRow {
  key: string;
  value: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

export interface TagValueCount {
  key: string;
  value: string;
  n: number;
}

/** A list row: the whole row (`full`), or the row without payload plus the summary JSON. */
export type EventListRow = Omit<EventTableRow, "payload" | "payload_key"> &
  Partial<Pick<EventTableRow, "payload" | "payload_key">> & { summary?: string | null };

/** An error event that carries a trace id, with its project's slug and issue's short id. */
export interface TraceErrorRow {
  project_id: number;
  project_slug: string;
  event_id: string;
  issue_id: number | null;
  short_id: number | null;
  title: string;
  culprit: string | null;
  level: string;
  timestamp: number;
  transaction_name: string | null;
  span_id: string | null;
}

/** An error event of a trace as the web UI's trace view reads it. */
export type TraceError = Pick<
  TraceErrorRow,
  "project_id" | "event_id" | "issue_id" | "title" | "level" | "timestamp"
>;

export interface ReleaseProjectRow {
  id: number;
  slug: string;
  name: string;
  platform: string | null;
}

export interface ReleaseListRow {
  id: number;
  version: string;
  date_added: number;
  date_released: number | null;
  new_issues: number;
  regressions: number;
  projects: string | null;
}

export interface ReleaseDetail {
  id: number;
  version: string;
  ref: string | null;
  url: string | null;
  date_added: number;
  date_started: number | null;
  date_released: number | null;
  commit_count: number;
}

export interface ReleaseDeployRow {
  environment: string;
  name: string | null;
  url: string | null;
  date_finished: number;
}

/** A member's role in an organization (as src/api/access.ts's Role). */
export type MemberRole = "owner" | "admin" | "member";

export interface OrgSummary {
  id: number;
  slug: string;
  name: string;
  role: MemberRole;
  /** The event shard of the organization (src/db/shards.ts). */
  shard: string;
}

export interface ProjectSummary {
  id: number;
  slug: string;
  name: string;
  platform: string | null;
  organization_id: number;
  rate_limit_count: number | null;
  rate_limit_window: number | null;
}

export interface KeyRow {
  id: number;
  public_key: string;
  label: string;
  is_active: number;
  rate_limit_count: number | null;
  rate_limit_window: number | null;
  created_at: number;
}

export interface MemberRow {
  user_id: number;
  email: string;
  name: string;
  role: MemberRole;
  created_at: number;
}

export interface TokenRow {
  id: number;
  name: string;
  token_last_characters: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
}

/** An organization as the API's access checks resolve it. */
export interface OrgRow {
  id: number;
  slug: string;
  name: string;
  created_at: number;
  /** The event shard that holds the organization's events, issues, … (src/db/shards.ts). */
  shard: string;
}

/** A `projects` row, every column. */
export interface ProjectRow {
  id: number;
  organization_id: number;
  team_id: number | null;
  slug: string;
  name: string;
  platform: string | null;
  status: string;
  rate_limit_count: number | null;
  rate_limit_window: number | null;
  created_at: number;
}
