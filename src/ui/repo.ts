// The web UI's reads (and the few writes that are not issue status changes) against D1. Every function
// takes ids already resolved through the caller's memberships (see access in routes.ts), so nothing here
// decides who may see what.

import { effectiveStatusSql, type SqlFragment, sortSql } from "../api/index.ts";
import type { EventTableRow, IssueTableRow, Role } from "../db/rows.ts";
import type { IssueSort } from "./issue-search.ts";

export interface OrgSummary {
  id: number;
  slug: string;
  name: string;
  role: Role;
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

/** The `issues` columns the UI reads. */
const ISSUE_FIELDS = [
  "id",
  "project_id",
  "type",
  "title",
  "culprit",
  "level",
  "platform",
  "metadata",
  "status",
  "substatus",
  "resolution",
  "first_seen",
  "last_seen",
  "times_seen",
  "user_count",
  "first_release",
  "last_release",
  "is_bookmarked",
] as const satisfies readonly (keyof IssueTableRow)[];

/** An `issues` row as the UI selects it (ISSUE_COLUMNS). */
export type IssueRow = Pick<IssueTableRow, (typeof ISSUE_FIELDS)[number]>;

/** An `events` row as the UI selects it (EVENT_COLUMNS). */
export type EventRow = Omit<EventTableRow, "user_key">;

const ISSUE_COLUMNS = ISSUE_FIELDS.join(", ");

export async function orgsOfUser(db: D1Database, userId: number): Promise<OrgSummary[]> {
  const rows = await db
    .prepare(
      `SELECT o.id, o.slug, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
       WHERE m.user_id = ? ORDER BY o.name`,
    )
    .bind(userId)
    .all<OrgSummary>();
  return rows.results;
}

/** The organization by slug, only when the user is a member of it. */
export async function orgForUser(db: D1Database, userId: number, slug: string): Promise<OrgSummary | null> {
  return db
    .prepare(
      `SELECT o.id, o.slug, o.name, m.role FROM organizations o JOIN memberships m ON m.organization_id = o.id
       WHERE o.slug = ? AND m.user_id = ?`,
    )
    .bind(slug, userId)
    .first<OrgSummary>();
}

export async function projectsOf(db: D1Database, orgId: number): Promise<ProjectSummary[]> {
  const rows = await db
    .prepare(
      `SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects
       WHERE organization_id = ? ORDER BY slug`,
    )
    .bind(orgId)
    .all<ProjectSummary>();
  return rows.results;
}

export async function projectBySlug(
  db: D1Database,
  orgId: number,
  slug: string,
): Promise<ProjectSummary | null> {
  return db
    .prepare(
      `SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects
       WHERE organization_id = ? AND slug = ?`,
    )
    .bind(orgId, slug)
    .first<ProjectSummary>();
}

/** Accepted error/default/transaction counts per project and hour since `sinceHour` (outcome counters). */
export async function volumeByHour(
  db: D1Database,
  projectIds: number[],
  sinceHour: number,
): Promise<{ project_id: number; hour: number; n: number }[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .prepare(
      `SELECT project_id, hour, SUM(quantity) AS n FROM outcomes
       WHERE project_id IN (${projectIds.map(() => "?").join(",")}) AND hour >= ? AND outcome = 'accepted'
         AND category IN ('error', 'default', 'security', 'transaction')
       GROUP BY project_id, hour`,
    )
    .bind(...projectIds, sinceHour)
    .all<{ project_id: number; hour: number; n: number }>();
  return rows.results;
}

export async function openIssueCounts(db: D1Database, projectIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (projectIds.length === 0) return counts;
  const rows = await db
    .prepare(
      `SELECT project_id, COUNT(*) AS n FROM issues WHERE project_id IN (${projectIds.map(() => "?").join(",")})
       AND status = 'unresolved' GROUP BY project_id`,
    )
    .bind(...projectIds)
    .all<{ project_id: number; n: number }>();
  for (const r of rows.results) counts.set(r.project_id, r.n);
  return counts;
}

/** One page of issues matching a search (alias `i`, from the API's query module) and the total count. */
export async function listIssues(
  db: D1Database,
  projectIds: number[],
  condition: SqlFragment,
  sort: IssueSort,
  offset: number,
  limit: number,
  now: number,
): Promise<{ rows: IssueRow[]; total: number }> {
  if (projectIds.length === 0) return { rows: [], total: 0 };
  const where = `i.project_id IN (${projectIds.map(() => "?").join(",")}) AND (${condition.sql})`;
  const columns = ISSUE_COLUMNS.replace(/\b(\w+)\b/g, "i.$1").replace(
    "i.status,",
    `${effectiveStatusSql(now)} AS status,`,
  );
  const [page, count] = await db.batch([
    db
      .prepare(`SELECT ${columns} FROM issues i WHERE ${where} ORDER BY ${sortSql(sort)} LIMIT ? OFFSET ?`)
      .bind(...projectIds, ...condition.params, limit, offset),
    db.prepare(`SELECT COUNT(*) AS n FROM issues i WHERE ${where}`).bind(...projectIds, ...condition.params),
  ]);
  return {
    rows: (page?.results ?? []) as IssueRow[],
    total: Number((count?.results?.[0] as { n: number } | undefined)?.n ?? 0),
  };
}

/** Event counts per issue in `buckets` equal buckets ending at `until`, for sparklines. */
export async function issueHistograms(
  db: D1Database,
  issueIds: number[],
  until: number,
  bucketSeconds: number,
  buckets: number,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const id of issueIds) out.set(id, new Array<number>(buckets).fill(0));
  if (issueIds.length === 0) return out;
  const since = until - bucketSeconds * buckets;
  const rows = await db
    .prepare(
      `SELECT issue_id, CAST((timestamp - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM events
       WHERE issue_id IN (${issueIds.map(() => "?").join(",")}) AND timestamp >= ? GROUP BY issue_id, b`,
    )
    .bind(since, bucketSeconds, ...issueIds, since)
    .all<{ issue_id: number; b: number; n: number }>();
  for (const r of rows.results) {
    const series = out.get(r.issue_id);
    if (series && r.b >= 0 && r.b < buckets) series[r.b] = r.n;
  }
  return out;
}

/** An issue of one of the organization's projects, with its project. */
export async function issueInOrg(
  db: D1Database,
  orgId: number,
  issueId: number,
): Promise<{ issue: IssueRow; project: ProjectSummary } | null> {
  const issue = await db
    .prepare(
      `SELECT ${ISSUE_COLUMNS.replace(/\b(\w+)\b/g, "i.$1")} FROM issues i JOIN projects p ON p.id = i.project_id
       WHERE i.id = ? AND p.organization_id = ?`,
    )
    .bind(issueId, orgId)
    .first<IssueRow>();
  if (!issue) return null;
  const project = await db
    .prepare(
      "SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects WHERE id = ?",
    )
    .bind(issue.project_id)
    .first<ProjectSummary>();
  return project ? { issue, project } : null;
}

export interface TagValueCount {
  key: string;
  value: string;
  n: number;
}

/**
 * Tag key/value counts over the issue's most recent events (bounded so big issues stay fast): the event's
 * own tags plus the ones Sentry derives (level, release, environment, os, runtime, browser, user).
 */
export async function issueTags(
  db: D1Database,
  issueId: number,
  sample = 1000,
): Promise<{ tags: TagValueCount[]; events: number }> {
  const ctx = (path: string) => `json_extract(e.payload, '$.${path}')`;
  // D1 caps compound SELECTs at a few terms: the derived tags come from one json_each over pairs.
  const derived = [
    ["level", "e.level"],
    ["release", "e.release"],
    ["environment", "e.environment"],
    ["os", ctx("contexts.os.name")],
    ["runtime", ctx("contexts.runtime.name")],
    ["browser", ctx("contexts.browser.name")],
    [
      "user",
      `COALESCE(${ctx("user.id")}, ${ctx("user.email")}, ${ctx("user.username")}, ${ctx("user.ip_address")})`,
    ],
  ]
    .map(([key, expr]) => `json_array('${key}', ${expr})`)
    .join(", ");
  const [tags, total] = await db.batch([
    db
      .prepare(
        `WITH e AS (SELECT payload, level, release, environment FROM events WHERE issue_id = ? ORDER BY timestamp DESC LIMIT ?)
         SELECT key, value, COUNT(*) AS n FROM (
           SELECT json_extract(t.value, '$[0]') AS key, json_extract(t.value, '$[1]') AS value
             FROM e, json_each(e.payload, '$.tags') t
             WHERE e.payload IS NOT NULL AND json_type(e.payload, '$.tags') = 'array'
               AND json_extract(t.value, '$[0]') NOT IN ('level', 'release', 'environment')
           UNION ALL
           SELECT json_extract(d.value, '$[0]'), json_extract(d.value, '$[1]') FROM e, json_each(json_array(${derived})) d
         ) WHERE value IS NOT NULL GROUP BY key, value ORDER BY key, n DESC`,
      )
      .bind(issueId, sample),
    db
      .prepare("SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE issue_id = ? LIMIT ?)")
      .bind(issueId, sample),
  ]);
  return {
    tags: ((tags?.results ?? []) as TagValueCount[]).filter(
      (t) => typeof t.key === "string" && t.value !== null,
    ),
    events: Number((total?.results?.[0] as { n: number } | undefined)?.n ?? 0),
  };
}

const EVENT_COLUMNS = `project_id, event_id, issue_id, type, timestamp, received, level, platform, release, environment,
  title, message, transaction_name, trace_id, payload, payload_key`;

export type EventPick = "latest" | "oldest" | { eventId: string };

export async function issueEvent(db: D1Database, issueId: number, pick: EventPick): Promise<EventRow | null> {
  if (pick === "latest" || pick === "oldest") {
    const dir = pick === "latest" ? "DESC" : "ASC";
    return db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE issue_id = ? ORDER BY timestamp ${dir}, event_id ${dir} LIMIT 1`,
      )
      .bind(issueId)
      .first<EventRow>();
  }
  return db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE issue_id = ? AND event_id = ?`)
    .bind(issueId, pick.eventId.replaceAll("-", "").toLowerCase())
    .first<EventRow>();
}

export interface EventNeighbours {
  oldest: string | null;
  older: string | null;
  newer: string | null;
  latest: string | null;
}

export async function eventNeighbours(
  db: D1Database,
  issueId: number,
  event: EventRow,
): Promise<EventNeighbours> {
  const q = (sql: string, ...params: (string | number)[]) => db.prepare(sql).bind(issueId, ...params);
  const results = await db.batch([
    q("SELECT event_id FROM events WHERE issue_id = ? ORDER BY timestamp ASC, event_id ASC LIMIT 1"),
    q(
      "SELECT event_id FROM events WHERE issue_id = ? AND (timestamp < ? OR (timestamp = ? AND event_id < ?)) ORDER BY timestamp DESC, event_id DESC LIMIT 1",
      event.timestamp,
      event.timestamp,
      event.event_id,
    ),
    q(
      "SELECT event_id FROM events WHERE issue_id = ? AND (timestamp > ? OR (timestamp = ? AND event_id > ?)) ORDER BY timestamp ASC, event_id ASC LIMIT 1",
      event.timestamp,
      event.timestamp,
      event.event_id,
    ),
    q("SELECT event_id FROM events WHERE issue_id = ? ORDER BY timestamp DESC, event_id DESC LIMIT 1"),
  ]);
  const id = (i: number) => (results[i]?.results?.[0] as { event_id: string } | undefined)?.event_id ?? null;
  return { oldest: id(0), older: id(1), newer: id(2), latest: id(3) };
}

/** The event's normalized JSON, from the row or from R2 when it was too large for a row. */
export async function eventPayload(db: D1Database, blobs: R2Bucket, event: EventRow): Promise<unknown> {
  void db;
  let text = event.payload;
  if (text === null && event.payload_key) {
    const object = await blobs.get(event.payload_key);
    text = object ? await object.text() : null;
  }
  if (text === null) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

export interface AttachmentRow {
  id: number;
  name: string;
  content_type: string;
  attachment_type: string;
  size: number;
  blob_key: string;
}

export async function eventAttachments(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<AttachmentRow[]> {
  const rows = await db
    .prepare(
      "SELECT id, name, content_type, attachment_type, size, blob_key FROM attachments WHERE project_id = ? AND event_id = ? ORDER BY id",
    )
    .bind(projectId, eventId)
    .all<AttachmentRow>();
  return rows.results;
}

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

export interface TraceError {
  project_id: number;
  event_id: string;
  issue_id: number | null;
  title: string;
  level: string;
  timestamp: number;
}

export async function traceOf(
  db: D1Database,
  projectIds: number[],
  traceId: string,
): Promise<{ spans: SpanRow[]; errors: TraceError[] }> {
  if (projectIds.length === 0) return { spans: [], errors: [] };
  const marks = projectIds.map(() => "?").join(",");
  const [spans, errors] = await db.batch([
    db
      .prepare(
        `SELECT project_id, span_id, parent_span_id, event_id, is_segment, name, op, description, status,
           start_timestamp, end_timestamp, duration_ms, transaction_name
         FROM spans WHERE project_id IN (${marks}) AND trace_id = ? ORDER BY start_timestamp LIMIT 2000`,
      )
      .bind(...projectIds, traceId),
    db
      .prepare(
        `SELECT project_id, event_id, issue_id, title, level, timestamp FROM events
         WHERE project_id IN (${marks}) AND trace_id = ? AND type != 'transaction' ORDER BY timestamp LIMIT 200`,
      )
      .bind(...projectIds, traceId),
  ]);
  return { spans: (spans?.results ?? []) as SpanRow[], errors: (errors?.results ?? []) as TraceError[] };
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

export async function releasesOf(
  db: D1Database,
  orgId: number,
  offset: number,
  limit: number,
): Promise<ReleaseListRow[]> {
  const rows = await db
    .prepare(
      `SELECT r.id, r.version, r.date_added, r.date_released,
         (SELECT COUNT(*) FROM issues i JOIN release_projects rp ON rp.project_id = i.project_id
            WHERE rp.release_id = r.id AND i.first_release = r.version) AS new_issues,
         (SELECT COUNT(*) FROM issues i JOIN release_projects rp ON rp.project_id = i.project_id
            WHERE rp.release_id = r.id AND i.substatus = 'regressed' AND i.last_release = r.version) AS regressions,
         (SELECT group_concat(p.slug, ' ') FROM release_projects rp JOIN projects p ON p.id = rp.project_id
            WHERE rp.release_id = r.id) AS projects
       FROM releases r WHERE r.organization_id = ?
       ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT ? OFFSET ?`,
    )
    .bind(orgId, limit, offset)
    .all<ReleaseListRow>();
  return rows.results;
}

/** Error events per release version among the organization's projects. */
export async function releaseEventCounts(
  db: D1Database,
  projectIds: number[],
  versions: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (projectIds.length === 0 || versions.length === 0) return out;
  const rows = await db
    .prepare(
      `SELECT release, COUNT(*) AS n FROM events WHERE project_id IN (${projectIds.map(() => "?").join(",")})
       AND release IN (${versions.map(() => "?").join(",")}) AND type != 'transaction' GROUP BY release`,
    )
    .bind(...projectIds, ...versions)
    .all<{ release: string; n: number }>();
  for (const r of rows.results) out.set(r.release, r.n);
  return out;
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

export interface DeployRow {
  environment: string;
  name: string | null;
  url: string | null;
  date_finished: number;
}

export async function releaseDetail(
  db: D1Database,
  orgId: number,
  version: string,
): Promise<{ release: ReleaseDetail; deploys: DeployRow[]; issues: IssueRow[]; projects: string[] } | null> {
  const release = await db
    .prepare(
      `SELECT id, version, ref, url, date_added, date_started, date_released, commit_count FROM releases
       WHERE organization_id = ? AND version = ?`,
    )
    .bind(orgId, version)
    .first<ReleaseDetail>();
  if (!release) return null;
  const [deploys, issues, projects] = await db.batch([
    db
      .prepare(
        "SELECT environment, name, url, date_finished FROM deploys WHERE release_id = ? ORDER BY date_finished DESC LIMIT 50",
      )
      .bind(release.id),
    db
      .prepare(
        `SELECT ${ISSUE_COLUMNS.replace(/\b(\w+)\b/g, "i.$1")} FROM issues i
         JOIN release_projects rp ON rp.project_id = i.project_id AND rp.release_id = ?
         WHERE i.first_release = ? OR i.last_release = ? ORDER BY i.last_seen DESC LIMIT 100`,
      )
      .bind(release.id, version, version),
    db
      .prepare(
        "SELECT p.slug FROM release_projects rp JOIN projects p ON p.id = rp.project_id WHERE rp.release_id = ? ORDER BY p.slug",
      )
      .bind(release.id),
  ]);
  return {
    release,
    deploys: (deploys?.results ?? []) as DeployRow[],
    issues: (issues?.results ?? []) as IssueRow[],
    projects: ((projects?.results ?? []) as { slug: string }[]).map((p) => p.slug),
  };
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

const KEY_COLUMNS = "id, public_key, label, is_active, rate_limit_count, rate_limit_window, created_at";

export async function keysOf(db: D1Database, projectId: number): Promise<KeyRow[]> {
  const rows = await db
    .prepare(`SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ? ORDER BY id`)
    .bind(projectId)
    .all<KeyRow>();
  return rows.results;
}

export interface MemberRow {
  user_id: number;
  email: string;
  name: string;
  role: Role;
  created_at: number;
}

export async function membersOf(db: D1Database, orgId: number): Promise<MemberRow[]> {
  const rows = await db
    .prepare(
      `SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.organization_id = ? ORDER BY u.email`,
    )
    .bind(orgId)
    .all<MemberRow>();
  return rows.results;
}

export interface TokenRow {
  id: number;
  name: string;
  token_last_characters: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
}

export async function tokensOfUser(db: D1Database, userId: number): Promise<TokenRow[]> {
  const rows = await db
    .prepare(
      "SELECT id, name, token_last_characters, scopes, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC",
    )
    .bind(userId)
    .all<TokenRow>();
  return rows.results;
}

export async function hasAnyIssue(db: D1Database, projectIds: number[]): Promise<boolean> {
  if (projectIds.length === 0) return false;
  const row = await db
    .prepare(
      `SELECT 1 AS one FROM issues WHERE project_id IN (${projectIds.map(() => "?").join(",")}) LIMIT 1`,
    )
    .bind(...projectIds)
    .first<{ one: number }>();
  return row !== null;
}

export async function firstActiveKey(db: D1Database, projectId: number): Promise<KeyRow | null> {
  return db
    .prepare(
      `SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ? AND is_active = 1 ORDER BY id LIMIT 1`,
    )
    .bind(projectId)
    .first<KeyRow>();
}
