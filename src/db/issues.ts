// The issues read model shared by the REST API and the web UI: issue lookups (by id, short id, search),
// pages and counts, per-bucket event counts, tag statistics, and the issue fields the API and the UI
// change directly (status changes go through the project's Durable Object, see src/project/).

import { effectiveStatusSql, type SqlFragment } from "./issue-search.ts";
import { issueTagCounts as tagCountsOf } from "./issue-tags.ts";
import { shapeDocument, tagsSql } from "./payload-shape-sql.ts";
import type {
  IssueReadRow,
  IssueTableRow,
  IssueTarget,
  IssueWithOrgRow,
  TagCountRow,
  TagValueCount,
} from "./rows.ts";
import { all, chunks, first, marks, type SqlParam } from "./sql.ts";

const issueColumns = (now: number) => `i.*, ${effectiveStatusSql(now)} AS effective_status`;

/** The project and organization of an issue, from the control plane (issues live on the shards). */
const OWNER_SQL = `SELECT p.id AS project_id, p.slug AS p_slug, p.name AS p_name, p.platform AS p_platform,
    p.organization_id AS organization_id, o.slug AS o_slug, o.name AS o_name, o.created_at AS o_created_at,
    o.shard AS o_shard
  FROM projects p JOIN organizations o ON o.id = p.organization_id`;

type IssueOwner = Omit<IssueWithOrgRow, keyof IssueReadRow> & { project_id: number };

/**
 * The issue `issueId` of shard `shard` with its project and organization (control plane); null when
 * the shard has no such issue or its organization is not on that shard (a copy left by a move).
 */
export async function issueWithOrgById(
  shard: { name: string; db: D1Database },
  control: D1Database,
  issueId: number,
  now: number,
): Promise<IssueWithOrgRow | null> {
  const issue = await issueById(shard.db, issueId, now);
  if (!issue) return null;
  const owner = await first<IssueOwner>(control, `${OWNER_SQL} WHERE p.id = ?`, [issue.project_id]);
  if (!owner || owner.o_shard !== shard.name) return null;
  return { ...issue, ...owner };
}

/** Issues with this short id (`API-3`: project slug and number) among the organizations given. */
export async function issuesWithOrgByShortId(
  control: D1Database,
  shardOf: (name: string) => D1Database,
  short: { slug: string; number: number },
  orgIds: readonly number[],
  now: number,
): Promise<IssueWithOrgRow[]> {
  if (orgIds.length === 0) return [];
  const owners = await all<IssueOwner>(
    control,
    `${OWNER_SQL} WHERE p.slug = ? AND p.organization_id IN (${marks(orgIds.length)})`,
    [short.slug, ...orgIds],
  );
  const found = await Promise.all(
    owners.map(async (owner) => {
      const issue = await issueByShortId(shardOf(owner.o_shard), owner.project_id, short.number, now);
      return issue ? { ...issue, ...owner } : null;
    }),
  );
  return found.filter((row): row is IssueWithOrgRow => row !== null);
}

/** The issue, only when it belongs to one of the organization's projects. */
export async function issueInOrg(
  shard: { name: string; db: D1Database },
  control: D1Database,
  orgId: number,
  issueId: number,
  now: number,
): Promise<IssueWithOrgRow | null> {
  const row = await issueWithOrgById(shard, control, issueId, now);
  return row?.organization_id === orgId ? row : null;
}

export function issueById(db: D1Database, issueId: number, now: number): Promise<IssueReadRow | null> {
  return first<IssueReadRow>(db, `SELECT ${issueColumns(now)} FROM issues i WHERE i.id = ?`, [issueId]);
}

export function issueByShortId(
  db: D1Database,
  projectId: number,
  shortNumber: number,
  now: number,
): Promise<IssueReadRow | null> {
  return first<IssueReadRow>(
    db,
    `SELECT ${issueColumns(now)} FROM issues i WHERE i.project_id = ? AND i.short_id = ?`,
    [projectId, shortNumber],
  );
}

/** One page of the issues matching `where` (alias `i`), in `order` (see sortSql). */
export function issuePage(
  db: D1Database,
  where: SqlFragment,
  order: string,
  page: { limit: number; offset: number },
  now: number,
): Promise<IssueReadRow[]> {
  return all<IssueReadRow>(
    db,
    `SELECT ${issueColumns(now)} FROM issues i WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...where.params, page.limit, page.offset],
  );
}

/** How many issues match `where`, counting at most `cap` when given. */
export async function countIssues(db: D1Database, where: SqlFragment, cap?: number): Promise<number> {
  const inner = `SELECT 1 FROM issues i WHERE ${where.sql}${cap === undefined ? "" : ` LIMIT ${Number(cap)}`}`;
  const row = await first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM (${inner})`, where.params);
  return Number(row?.n ?? 0);
}

/** The newest `limit` issues matching `where`. */
export function issueTargets(db: D1Database, where: SqlFragment, limit: number): Promise<IssueTarget[]> {
  return all<IssueTarget>(
    db,
    `SELECT i.id, i.project_id FROM issues i WHERE ${where.sql} ORDER BY i.last_seen DESC, i.id DESC LIMIT ?`,
    [...where.params, limit],
  );
}

/** The issues among `ids` that also match `where` (a scope such as projectsCondition). */
export async function issueTargetsByIds(
  db: D1Database,
  where: SqlFragment,
  ids: readonly number[],
): Promise<IssueTarget[]> {
  const found: IssueTarget[] = [];
  for (const part of chunks(ids, 90 - where.params.length)) {
    found.push(
      ...(await all<IssueTarget>(
        db,
        `SELECT i.id, i.project_id FROM issues i WHERE ${where.sql} AND i.id IN (${marks(part.length)})`,
        [...where.params, ...part],
      )),
    );
  }
  return found;
}

/** The issues among `ids` that belong to the organization's projects. */
export async function orgIssueTargets(
  db: D1Database,
  projectIds: readonly number[],
  ids: readonly number[],
): Promise<IssueTarget[]> {
  const found: IssueTarget[] = [];
  if (projectIds.length === 0) return found;
  for (const part of chunks(ids)) {
    found.push(
      ...(await all<IssueTarget>(
        db,
        `SELECT i.id, i.project_id FROM issues i
         WHERE i.project_id IN (SELECT value FROM json_each(?)) AND i.id IN (${marks(part.length)})`,
        [JSON.stringify(projectIds), ...part],
      )),
    );
  }
  return found;
}

/**
 * Event counts per issue and time bucket since `since`: keys `issueId:bucketStart`, where buckets
 * start at multiples of `bucketSeconds`.
 */
export async function eventCountsByBucket(
  db: D1Database,
  issueIds: readonly number[],
  bucketSeconds: number,
  since: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ids of chunks(issueIds)) {
    const rows = await all<{ issue_id: number; bucket: number; n: number }>(
      db,
      `SELECT issue_id, CAST(timestamp / ? AS INTEGER) * ? AS bucket, COUNT(*) AS n FROM events
       WHERE issue_id IN (${marks(ids.length)}) AND timestamp >= ? GROUP BY issue_id, bucket`,
      [bucketSeconds, bucketSeconds, ...ids, since],
    );
    for (const r of rows) counts.set(`${r.issue_id}:${r.bucket}`, r.n);
  }
  return counts;
}

/**
 * Values of level/release/environment/transaction/user and the events' own tags over the issue's most
 * recent `sample` events (Sentry's tag summary of the API).
 */
export async function issueTagCounts(db: D1Database, issueId: number): Promise<TagCountRow[]> {
  // One statement for the summary and for one key's values: src/db/issue-tags.ts (the same sample size).
  return tagCountsOf(db, issueId);
}

/**
 * Tag key/value counts over the issue's most recent events (the UI's distribution): the event's own tags
 * (which include the os, runtime, browser and device tags normalization derives from contexts) plus
 * level, release, environment and user from columns and the payload.
 */
export async function issueTagDistribution(
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
        `WITH e AS (SELECT payload, ${tagsSql("events")} AS tags, level, release, environment FROM events WHERE issue_id = ? ORDER BY timestamp DESC LIMIT ?)
         SELECT key, value, COUNT(*) AS n FROM (
           SELECT json_extract(t.value, '$[0]') AS key, json_extract(t.value, '$[1]') AS value
             FROM e, json_each(e.tags) t
             WHERE e.payload IS NOT NULL AND json_type(e.tags) = 'array'
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

/** Whether the issue's latest event was unhandled (an exception mechanism with `handled: false`). */
export async function latestEventUnhandled(db: D1Database, issueId: number): Promise<boolean> {
  const row = await first<{ unhandled: number }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM json_each(${shapeDocument("events")}, '$.exception.values') v
       WHERE json_extract(v.value, '$.mechanism.handled') = 0) AS unhandled
     FROM events WHERE issue_id = ? ORDER BY timestamp DESC, event_id DESC LIMIT 1`,
    [issueId],
  );
  return row?.unhandled === 1;
}

/** Of these issues, those whose newest event has an unhandled exception (one index seek each). */
export async function issuesWithUnhandledLatest(
  db: D1Database,
  issueIds: readonly number[],
): Promise<Set<number>> {
  if (issueIds.length === 0) return new Set();
  const rows = await all<{ id: number; unhandled: number | null }>(
    db,
    `SELECT ids.value AS id, (
       SELECT EXISTS (SELECT 1 FROM json_each(${shapeDocument("events")}, '$.exception.values') v
         WHERE json_extract(v.value, '$.mechanism.handled') = 0)
       FROM events WHERE issue_id = ids.value ORDER BY timestamp DESC, event_id DESC LIMIT 1
     ) AS unhandled FROM json_each(?) ids`,
    [JSON.stringify(issueIds)],
  );
  return new Set(rows.filter((r) => r.unhandled === 1).map((r) => r.id));
}

/** Unresolved issues per project. */
export async function openIssueCounts(db: D1Database, projectIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (projectIds.length === 0) return counts;
  const rows = await all<{ project_id: number; n: number }>(
    db,
    `SELECT project_id, COUNT(*) AS n FROM issues WHERE project_id IN (${marks(projectIds.length)})
     AND status = 'unresolved' GROUP BY project_id`,
    projectIds,
  );
  for (const r of rows) counts.set(r.project_id, r.n);
  return counts;
}

export async function hasAnyIssue(db: D1Database, projectIds: number[]): Promise<boolean> {
  if (projectIds.length === 0) return false;
  const row = await first<{ one: number }>(
    db,
    `SELECT 1 AS one FROM issues WHERE project_id IN (${marks(projectIds.length)}) LIMIT 1`,
    projectIds,
  );
  return row !== null;
}

// --- writes --------------------------------------------------------------------------------------------

/** Issue fields the API and the UI set directly (not grouping state). */
export interface IssueFields {
  assigned_to?: string | null;
  has_seen?: boolean;
  is_bookmarked?: boolean;
}

export async function setIssueFields(db: D1Database, ids: readonly number[], fields: IssueFields) {
  const sets: string[] = [];
  const params: SqlParam[] = [];
  if (fields.assigned_to !== undefined) {
    sets.push("assigned_to = ?");
    params.push(fields.assigned_to);
  }
  if (fields.has_seen !== undefined) {
    sets.push("has_seen = ?");
    params.push(fields.has_seen ? 1 : 0);
  }
  if (fields.is_bookmarked !== undefined) {
    sets.push("is_bookmarked = ?");
    params.push(fields.is_bookmarked ? 1 : 0);
  }
  if (sets.length === 0) return;
  for (const part of chunks(ids, 90 - params.length)) {
    await db
      .prepare(`UPDATE issues SET ${sets.join(", ")} WHERE id IN (${marks(part.length)})`)
      .bind(...params, ...part)
      .run();
  }
}

/**
 * An ignore's details (JSON; the counts at ignore time are added from the row) or none, and the
 * substatus when given. The project's Durable Object writes status and resolution before this.
 */
export async function setIgnoreDetails(
  db: D1Database,
  ids: readonly number[],
  detailsJson: string | null,
  substatus: string | null,
): Promise<void> {
  for (const part of chunks(ids)) {
    await db
      .prepare(
        detailsJson
          ? `UPDATE issues SET status_details = json_set(?, '$.countAtIgnore', times_seen, '$.usersAtIgnore', user_count),
               substatus = COALESCE(?, substatus) WHERE id IN (${marks(part.length)})`
          : `UPDATE issues SET status_details = NULL, substatus = COALESCE(?, substatus) WHERE id IN (${marks(part.length)})`,
      )
      .bind(...(detailsJson ? [detailsJson] : []), substatus, ...part)
      .run();
  }
}

/** Status, substatus and resolution of one issue (written by the project's Durable Object only). */
export async function writeIssueStatus(
  db: D1Database,
  issueId: number,
  state: {
    status: IssueTableRow["status"];
    substatus: string | null;
    resolution: string | null;
    resolvedAt: number | null;
  },
): Promise<void> {
  await db
    .prepare("UPDATE issues SET status = ?, substatus = ?, resolution = ?, resolved_at = ? WHERE id = ?")
    .bind(state.status, state.substatus, state.resolution, state.resolvedAt, issueId)
    .run();
}
