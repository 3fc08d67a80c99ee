// Issues (Sentry's group endpoints): project and organization issue lists with search, sort, stats and
// cursor paging; issue detail/update/delete by id or short id; bulk update and delete. Status changes go
// through the project's Durable Object, which owns the grouping cache and regression detection.

import type { IRequest } from "itty-router";
import { findEventInProjects } from "../../db/event-ids.ts";
import { issueTagCounts } from "../../db/issue-tags.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import type { Resolution } from "../../project/index.ts";
import {
  authenticate,
  type Caller,
  forbidden,
  notFound,
  type OrgRow,
  organizationFor,
  projectFor,
  requireScope,
  type Scope,
} from "../access.ts";
import { isMergeRequest, mergeTargets } from "../issue-merge.ts";
import {
  actorValues,
  effectiveStatusSql,
  issueQuerySql,
  parseIssueQuery,
  parseShortId,
  parseStatsPeriod,
  requestedStatsPeriod,
  type SqlFragment,
  type StatsPeriod,
  sortSql,
  statsBuckets,
} from "../issue-query.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import {
  type ActorJson,
  type IgnoreDetails,
  type IssueRecord,
  type IssueUpdate,
  type ProjectSummary,
  parseIssueUpdate,
  serializeIssue,
  statusDetailsJson,
  summarizeTags,
} from "../serializers/issue.ts";
import { isIdSegment } from "../slugs.ts";
import { findRelease, newestReleaseFor, releaseJson } from "./releases.ts";

/** At most this many issues change in one bulk request without explicit ids (Sentry's cap). */
export const MAX_BULK_ISSUES = 1000;
/** Ids per `IN (...)`: D1 binds at most 100 parameters per statement. */
const ID_CHUNK = 90;
/** Events read for an issue's tag summary (the most recent ones). */

const nowSeconds = () => Date.now() / 1000;

function chunks<T>(items: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function all<T>(
  db: D1Database,
  sql: string,
  params: readonly (string | number | null)[],
): Promise<T[]> {
  return (
    await db
      .prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

const ISSUE_COLUMNS = (now: number) => `i.*, ${effectiveStatusSql(now)} AS effective_status`;

// --- scopes ----------------------------------------------------------------------------------------

export interface IssueContext {
  caller: Caller;
  org: OrgRow;
  project: ProjectSummary;
  issue: IssueRecord;
}

interface IssueLookupRow extends IssueRecord {
  p_slug: string;
  p_name: string;
  p_platform: string | null;
  organization_id: number;
  o_slug: string;
  o_name: string;
  o_created_at: number;
}

/**
 * The issue of an `…/issues/{id}/…` route (numeric id, or a short id like `API-3`), only among the
 * caller's organizations (404 otherwise) and, on the org-scoped alias, only in that organization.
 */
export async function issueFor(request: IRequest, env: Env, scope: Scope): Promise<IssueContext> {
  const caller = await authenticate(request, env);
  const ref = param(request, "issueId");
  const orgRef = request.params.org === undefined ? null : param(request, "org");
  const now = nowSeconds();
  const select = `SELECT ${ISSUE_COLUMNS(now)}, p.slug AS p_slug, p.name AS p_name, p.platform AS p_platform,
      p.organization_id AS organization_id, o.slug AS o_slug, o.name AS o_name, o.created_at AS o_created_at
    FROM issues i JOIN projects p ON p.id = i.project_id JOIN organizations o ON o.id = p.organization_id`;
  let rows: IssueLookupRow[] = [];
  if (/^\d+$/.test(ref)) {
    rows = await all<IssueLookupRow>(env.DB, `${select} WHERE i.id = ?`, [Number(ref)]);
  } else {
    const short = parseShortId(ref);
    const orgIds = [...caller.orgScopes.keys()].slice(0, 80);
    if (short && orgIds.length > 0) {
      rows = await all<IssueLookupRow>(
        env.DB,
        `${select} WHERE p.slug = ? AND i.short_id = ? AND p.organization_id IN (${orgIds.map(() => "?").join(",")})`,
        [short.slug, short.number, ...orgIds],
      );
    }
  }
  const row = rows.find(
    (r) =>
      caller.orgScopes.has(r.organization_id) &&
      (orgRef === null || (isIdSegment(orgRef) ? String(r.organization_id) === orgRef : r.o_slug === orgRef)),
  );
  if (!row) throw notFound();
  requireScope(caller, row.organization_id, scope);
  return {
    caller,
    org: { id: row.organization_id, slug: row.o_slug, name: row.o_name, created_at: row.o_created_at },
    project: { id: row.project_id, slug: row.p_slug, name: row.p_name, platform: row.p_platform },
    issue: row,
  };
}

interface ListScope {
  caller: Caller;
  org: OrgRow;
  /** Projects searched, by id. */
  projects: Map<number, ProjectSummary>;
}

async function orgProjects(db: D1Database, orgId: number): Promise<ProjectSummary[]> {
  return all<ProjectSummary>(db, "SELECT id, slug, name, platform FROM projects WHERE organization_id = ?", [
    orgId,
  ]);
}

/** Organization or project of a list/bulk route; `?project=` narrows an organization route. */
async function listScopeFor(request: IRequest, env: Env, scope: Scope): Promise<ListScope> {
  const caller = await authenticate(request, env);
  const orgRef = param(request, "org");
  if (request.params.project !== undefined) {
    const { org, project } = await projectFor(env, caller, orgRef, param(request, "project"), scope);
    return {
      caller,
      org,
      projects: new Map([
        [project.id, { id: project.id, slug: project.slug, name: project.name, platform: project.platform }],
      ]),
    };
  }
  const org = await organizationFor(env, caller, orgRef, scope);
  const all = await orgProjects(env.DB, org.id);
  const url = new URL(request.url);
  const wanted = url.searchParams
    .getAll("project")
    .flatMap((v) => v.split(","))
    .map((v) => Number(v.trim()))
    .filter((n) => Number.isSafeInteger(n) && n !== -1);
  if (wanted.length === 0) return { caller, org, projects: new Map(all.map((p) => [p.id, p])) };
  const byId = new Map(all.map((p) => [p.id, p]));
  // Sentry answers projects the caller cannot see with 403, whether or not they exist.
  if (wanted.some((id) => !byId.has(id))) throw forbidden();
  return { caller, org, projects: new Map(wanted.map((id) => [id, byId.get(id) as ProjectSummary])) };
}

function projectCondition(scope: ListScope): SqlFragment {
  const ids = [...scope.projects.keys()];
  if (ids.length === 0) return { sql: "0", params: [] };
  if (ids.length <= 40) return { sql: `i.project_id IN (${ids.map(() => "?").join(",")})`, params: ids };
  return {
    sql: "i.project_id IN (SELECT id FROM projects WHERE organization_id = ?)",
    params: [scope.org.id],
  };
}

// --- search ----------------------------------------------------------------------------------------

/** Resolves `assigned:` values to stored actors (`user:1`, `team:2`) for the query compiler. */
async function resolveQueryActors(
  env: Env,
  scope: { caller: Caller; org: OrgRow },
  values: string[],
): Promise<Map<string, string>> {
  const actors = new Map<string, string>();
  for (const value of values) {
    if (value === "me") {
      if (scope.caller.identity.userId !== null) actors.set(value, `user:${scope.caller.identity.userId}`);
      continue;
    }
    const actor = await resolveActor(env.DB, scope.org.id, value).catch(() => null);
    if (actor) actors.set(value, actor);
  }
  return actors;
}

/** The WHERE condition for a request's `query` (default `is:unresolved`), `status` and `environment`. */
async function searchCondition(request: IRequest, env: Env, scope: ListScope, now: number) {
  const url = new URL(request.url);
  // sentry-cli's `issues resolve --status unresolved` filters with a `status` parameter, which takes
  // the place of the default `is:unresolved`.
  const status = url.searchParams.get("status");
  const statusTerm = status ? `is:${status}` : "is:unresolved";
  const query = url.searchParams.has("query")
    ? `${url.searchParams.get("query") ?? ""}${status ? ` ${statusTerm}` : ""}`
    : statusTerm;
  const parsed = parseIssueQuery(query);
  const latestRelease =
    query.includes("latest") && scope.projects.size === 1
      ? await newestReleaseFor(env.DB, [...scope.projects.keys()][0] ?? 0)
      : null;
  const actors = await resolveQueryActors(env, scope, actorValues(parsed));
  const condition = issueQuerySql(parsed, { now, actors, latestRelease });
  const parts = [projectCondition(scope), condition];
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  if (environments.length > 0) {
    parts.push({
      sql: `EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id AND e.environment IN (${environments.map(() => "?").join(",")}))`,
      params: environments,
    });
  }
  return {
    sql: parts.map((p) => `(${p.sql})`).join(" AND "),
    params: parts.flatMap((p) => p.params),
    text: query.trim(),
  };
}

/** A query that is exactly a short id of a searched project finds that issue (Sentry's shortIdLookup). */
async function shortIdMatch(
  env: Env,
  scope: ListScope,
  text: string,
  now: number,
): Promise<IssueRecord | null> {
  const eventId = text.replace(/-/g, "").toLowerCase();
  if (/^[0-9a-f]{32}$/.test(eventId)) {
    // Sentry answers a bare event id with that event's issue (the MCP server finds events this way).
    const event = await findEventInProjects(env.DB, [...scope.projects.keys()], eventId);
    if (!event?.issue_id) return null;
    const found = await all<IssueRecord>(
      env.DB,
      `SELECT ${ISSUE_COLUMNS(now)} FROM issues i WHERE i.id = ?`,
      [event.issue_id],
    );
    return found[0] ?? null;
  }
  const short = parseShortId(text);
  if (!short || /\s/.test(text)) return null;
  const project = [...scope.projects.values()].find((p) => p.slug === short.slug);
  if (!project) return null;
  const rows = await all<IssueRecord>(
    env.DB,
    `SELECT ${ISSUE_COLUMNS(now)} FROM issues i WHERE i.project_id = ? AND i.short_id = ?`,
    [project.id, short.number],
  );
  return rows[0] ?? null;
}

// --- serialization ---------------------------------------------------------------------------------

/** Actor JSON for stored assignees (`user:1`, `team:2`), read in two queries. */
async function actorsFor(db: D1Database, assigned: (string | null)[]): Promise<Map<string, ActorJson>> {
  const userIds = new Set<number>();
  const teamIds = new Set<number>();
  for (const a of assigned) {
    const match = a ? /^(user|team):(\d+)$/.exec(a) : null;
    if (match?.[1] === "user") userIds.add(Number(match[2]));
    else if (match?.[1] === "team") teamIds.add(Number(match[2]));
  }
  const out = new Map<string, ActorJson>();
  for (const ids of chunks([...userIds])) {
    const rows = await all<{ id: number; email: string; name: string }>(
      db,
      `SELECT id, email, name FROM users WHERE id IN (${ids.map(() => "?").join(",")})`,
      ids,
    );
    for (const u of rows)
      out.set(`user:${u.id}`, { type: "user", id: String(u.id), name: u.name || u.email, email: u.email });
  }
  for (const ids of chunks([...teamIds])) {
    const rows = await all<{ id: number; slug: string; name: string }>(
      db,
      `SELECT id, slug, name FROM teams WHERE id IN (${ids.map(() => "?").join(",")})`,
      ids,
    );
    for (const t of rows)
      out.set(`team:${t.id}`, { type: "team", id: String(t.id), name: t.name, slug: t.slug });
  }
  return out;
}

/** Event counts per issue and bucket (`[[bucket start, n], ...]`), from the events' timestamps. */
async function issueStats(
  db: D1Database,
  issueIds: number[],
  period: StatsPeriod,
  now: number,
): Promise<Map<number, [number, number][]>> {
  const buckets = statsBuckets(period, now);
  const start = buckets[0] ?? now;
  const counts = new Map<string, number>();
  for (const ids of chunks(issueIds)) {
    const rows = await all<{ issue_id: number; bucket: number; n: number }>(
      db,
      `SELECT issue_id, CAST(timestamp / ? AS INTEGER) * ? AS bucket, COUNT(*) AS n FROM events
       WHERE issue_id IN (${ids.map(() => "?").join(",")}) AND timestamp >= ? GROUP BY issue_id, bucket`,
      [period.bucket, period.bucket, ...ids, start],
    );
    for (const r of rows) counts.set(`${r.issue_id}:${r.bucket}`, r.n);
  }
  return new Map(
    issueIds.map((id) => [id, buckets.map((b): [number, number] => [b, counts.get(`${id}:${b}`) ?? 0])]),
  );
}

async function serializeIssues(
  env: Env,
  origin: string,
  org: OrgRow,
  projects: ReadonlyMap<number, ProjectSummary>,
  rows: IssueRecord[],
  period: StatsPeriod | null,
  now: number,
) {
  const actors = await actorsFor(
    env.DB,
    rows.map((r) => r.assigned_to),
  );
  const stats = period
    ? await issueStats(
        env.DB,
        rows.map((r) => r.id),
        period,
        now,
      )
    : null;
  return rows.flatMap((row) => {
    const project = projects.get(row.project_id);
    if (!project) return [];
    const series = stats?.get(row.id);
    return [
      serializeIssue(row, {
        project,
        orgSlug: org.slug,
        origin,
        now,
        assignee: row.assigned_to ? (actors.get(row.assigned_to) ?? null) : null,
        ...(period && series ? { stats: { [period.key]: series } } : {}),
      }),
    ];
  });
}

// --- list ------------------------------------------------------------------------------------------

async function listIssues(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:read");
  const url = new URL(request.url);
  const now = nowSeconds();
  const period = parseStatsPeriod(requestedStatsPeriod(url.searchParams));
  const order = sortSql(url.searchParams.get("sort"));
  const page = pageFrom(url);
  const where = await searchCondition(request, env, scope, now);

  const short = page.offset === 0 ? await shortIdMatch(env, scope, where.text, now) : null;
  if (short) {
    const body = await serializeIssues(env, url.origin, scope.org, scope.projects, [short], period, now);
    return json(body, 200, { link: linkHeader(url, page, false), "x-hits": "1", "x-max-hits": "1" });
  }

  const rows = await all<IssueRecord>(
    env.DB,
    `SELECT ${ISSUE_COLUMNS(now)} FROM issues i WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...where.params, page.limit + 1, page.offset],
  );
  const hits = await env.DB.prepare(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM issues i WHERE ${where.sql} LIMIT ${MAX_BULK_ISSUES})`,
  )
    .bind(...where.params)
    .first<{ n: number }>();
  const shown = rows.slice(0, page.limit);
  const body = await serializeIssues(env, url.origin, scope.org, scope.projects, shown, period, now);
  return json(body, 200, {
    link: linkHeader(url, page, rows.length > page.limit),
    "x-hits": String(hits?.n ?? body.length),
    "x-max-hits": String(MAX_BULK_ISSUES),
  });
}

// --- updates ---------------------------------------------------------------------------------------

/** Resolves an assignee reference to a stored actor (`user:1`/`team:2`) of this organization. */
async function resolveActor(db: D1Database, orgId: number, ref: string): Promise<string> {
  const unknown = () => badRequest(`assignedTo: Unknown actor input "${ref}"`);
  const team = /^team:(\d+)$/.exec(ref) ?? null;
  if (team || ref.startsWith("#")) {
    const row = team
      ? await db
          .prepare("SELECT id FROM teams WHERE organization_id = ? AND id = ?")
          .bind(orgId, Number(team[1]))
          .first<{ id: number }>()
      : await db
          .prepare("SELECT id FROM teams WHERE organization_id = ? AND slug = ?")
          .bind(orgId, ref.slice(1))
          .first<{ id: number }>();
    if (!row) throw unknown();
    return `team:${row.id}`;
  }
  const user = /^(?:user:)?(\d+)$/.exec(ref);
  const row = user
    ? await db
        .prepare(
          "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = ? AND u.id = ?",
        )
        .bind(orgId, Number(user[1]))
        .first<{ id: number }>()
    : await db
        .prepare(
          `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
           WHERE m.organization_id = ? AND (lower(u.email) = lower(?) OR u.name = ?) ORDER BY u.id LIMIT 1`,
        )
        .bind(orgId, ref, ref)
        .first<{ id: number }>();
  if (!row) throw unknown();
  return `user:${row.id}`;
}

interface Target {
  id: number;
  project_id: number;
}

interface MutationResult {
  body: Record<string, unknown>;
}

const projectStub = (env: Env, projectId: number) =>
  env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));

/** Runs `fn` over items with at most `limit` in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Applies one update to issues (all of one organization); answers Sentry's mutation result. */
async function applyUpdate(
  env: Env,
  scope: { caller: Caller; org: OrgRow },
  targets: Target[],
  update: IssueUpdate,
): Promise<MutationResult> {
  const body: Record<string, unknown> = {};
  const ids = targets.map((t) => t.id);
  if (update.status) {
    const change = update.status;
    const projectIds = [...new Set(targets.map((t) => t.project_id))];
    let resolution: Resolution | null = null;
    let status: "resolved" | "unresolved" | "ignored" = "resolved";
    let ignore: IgnoreDetails | null = null;
    let substatus: string | null = null;
    switch (change.status) {
      case "resolved":
        resolution = { type: "resolved" };
        break;
      case "resolvedInRelease": {
        let version: string | null = change.release;
        if (version === "latest") {
          if (projectIds.length > 1)
            throw badRequest("Cannot resolve in the latest release of several projects");
          version = await newestReleaseFor(env.DB, projectIds[0] ?? 0);
        } else if (!(await findRelease(env.DB, scope.org.id, version))) {
          throw badRequest("Unable to find the given release.");
        }
        resolution = version ? { type: "in_release", release: version } : { type: "resolved" };
        break;
      }
      case "resolvedInNextRelease": {
        if (projectIds.length > 1)
          throw badRequest("Cannot set resolved in next release for multiple projects.");
        const newest = await newestReleaseFor(env.DB, projectIds[0] ?? 0);
        // Without any release yet, Sentry resolves plainly.
        resolution = newest ? { type: "in_next_release", release: newest } : { type: "resolved" };
        break;
      }
      case "unresolved":
        status = "unresolved";
        substatus = "ongoing";
        break;
      case "ignored":
        status = "ignored";
        ignore = change.ignore;
        substatus = change.substatus;
        break;
    }
    await inParallel(targets, 16, (t) =>
      projectStub(env, t.project_id).setIssueStatus(t.id, status, resolution),
    );
    const detailsJson = ignore && Object.keys(ignore).length > 0 ? JSON.stringify(ignore) : null;
    for (const part of chunks(ids)) {
      const marks = part.map(() => "?").join(",");
      // The Durable Object wrote status and resolution; the ignore details and substatus are the API's.
      await env.DB.prepare(
        detailsJson
          ? `UPDATE issues SET status_details = json_set(?, '$.countAtIgnore', times_seen, '$.usersAtIgnore', user_count),
               substatus = COALESCE(?, substatus) WHERE id IN (${marks})`
          : `UPDATE issues SET status_details = NULL, substatus = COALESCE(?, substatus) WHERE id IN (${marks})`,
      )
        .bind(...(detailsJson ? [detailsJson] : []), substatus, ...part)
        .run();
    }
    body.status = status;
    body.statusDetails = statusDetailsJson(status, resolution, ignore);
    body.substatus = status === "resolved" ? null : substatus;
    if (status === "resolved") body.inbox = null;
  }
  const sets: string[] = [];
  const params: (string | number | null)[] = [];
  if (update.assignedTo !== undefined) {
    const actor = update.assignedTo === null ? null : await resolveAssignee(env, scope, update.assignedTo);
    sets.push("assigned_to = ?");
    params.push(actor);
    body.assignedTo = actor ? ((await actorsFor(env.DB, [actor])).get(actor) ?? null) : null;
  }
  if (update.hasSeen !== undefined) {
    sets.push("has_seen = ?");
    params.push(update.hasSeen ? 1 : 0);
    body.hasSeen = update.hasSeen;
  }
  if (update.isBookmarked !== undefined) {
    sets.push("is_bookmarked = ?");
    params.push(update.isBookmarked ? 1 : 0);
    body.isBookmarked = update.isBookmarked;
  }
  if (update.isPublic !== undefined) body.isPublic = false;
  if (update.isSubscribed !== undefined) body.isSubscribed = false;
  if (sets.length > 0) {
    for (const part of chunks(ids, 90 - params.length)) {
      await env.DB.prepare(
        `UPDATE issues SET ${sets.join(", ")} WHERE id IN (${part.map(() => "?").join(",")})`,
      )
        .bind(...params, ...part)
        .run();
    }
  }
  return { body };
}

function resolveAssignee(env: Env, scope: { caller: Caller; org: OrgRow }, ref: string): Promise<string> {
  if (ref === "me") {
    const userId = scope.caller.identity.userId;
    if (userId === null) throw badRequest('assignedTo: "me" needs a user token');
    return resolveActor(env.DB, scope.org.id, String(userId));
  }
  return resolveActor(env.DB, scope.org.id, ref);
}

/** Deletes issues with their events, payload and attachment bytes, hashes and users. */
export async function deleteIssues(env: Env, targets: Target[]): Promise<void> {
  if (targets.length === 0) return;
  const projectIds = [...new Set(targets.map((t) => t.project_id))];
  for (const part of chunks(targets.map((t) => t.id))) {
    const marks = part.map(() => "?").join(",");
    // First unhook the hashes so new events start a new issue rather than join one being deleted.
    await env.DB.prepare(`DELETE FROM issue_hashes WHERE issue_id IN (${marks})`)
      .bind(...part)
      .run();
  }
  await Promise.all(projectIds.map((id) => projectStub(env, id).forgetIssues()));
  for (const part of chunks(targets.map((t) => t.id))) {
    const marks = part.map(() => "?").join(",");
    for (;;) {
      const events = await all<{
        project_id: number;
        event_id: string;
        payload_key: string | null;
      }>(
        env.DB,
        `SELECT project_id, event_id, payload_key FROM events WHERE issue_id IN (${marks}) LIMIT 500`,
        part,
      );
      if (events.length === 0) break;
      const blobKeys = events.flatMap((e) => (e.payload_key ? [e.payload_key] : []));
      for (const group of chunks(events, 45)) {
        const attachments = await all<{ id: number; blob_key: string }>(
          env.DB,
          `SELECT id, blob_key FROM attachments WHERE ${group.map(() => "(project_id = ? AND event_id = ?)").join(" OR ")}`,
          group.flatMap((e) => [e.project_id, e.event_id]),
        );
        blobKeys.push(...attachments.map((a) => a.blob_key));
        const statements = chunks(attachments.map((a) => a.id)).map((ids) =>
          env.DB.prepare(`DELETE FROM attachments WHERE id IN (${ids.map(() => "?").join(",")})`).bind(
            ...ids,
          ),
        );
        statements.push(
          env.DB.prepare(
            `DELETE FROM events WHERE ${group.map(() => "(project_id = ? AND event_id = ?)").join(" OR ")}`,
          ).bind(...group.flatMap((e) => [e.project_id, e.event_id])),
        );
        await env.DB.batch(statements);
      }
      for (const keys of chunks(blobKeys, 1000)) if (keys.length > 0) await env.BLOBS.delete(keys);
    }
    await env.DB.batch([
      env.DB.prepare(`DELETE FROM issue_users WHERE issue_id IN (${marks})`).bind(...part),
      env.DB.prepare(`DELETE FROM issue_hashes WHERE issue_id IN (${marks})`).bind(...part),
      env.DB.prepare(`DELETE FROM issues WHERE id IN (${marks})`).bind(...part),
    ]);
  }
  await Promise.all(projectIds.map((id) => projectStub(env, id).forgetIssues()));
}

/** Issues a bulk request acts on: `?id=` (only the scope's own), else the search's matches (≤ 1000). */
async function bulkTargets(request: IRequest, env: Env, scope: ListScope): Promise<Target[] | null> {
  const url = new URL(request.url);
  const rawIds = url.searchParams.getAll("id").flatMap((v) => v.split(","));
  const projectCond = projectCondition(scope);
  if (rawIds.length > 0) {
    const ids = rawIds.map((v) => Number(v.trim()));
    if (ids.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw badRequest("id: expected issue ids");
    if (ids.length > MAX_BULK_ISSUES) throw badRequest(`At most ${MAX_BULK_ISSUES} ids per request`);
    const found: Target[] = [];
    for (const part of chunks([...new Set(ids)], 90 - projectCond.params.length)) {
      found.push(
        ...(await all<Target>(
          env.DB,
          `SELECT i.id, i.project_id FROM issues i WHERE ${projectCond.sql} AND i.id IN (${part.map(() => "?").join(",")})`,
          [...projectCond.params, ...part],
        )),
      );
    }
    return found.length > 0 ? found : null;
  }
  const now = nowSeconds();
  const where = await searchCondition(request, env, scope, now);
  return all<Target>(
    env.DB,
    `SELECT i.id, i.project_id FROM issues i WHERE ${where.sql} ORDER BY i.last_seen DESC, i.id DESC LIMIT ?`,
    [...where.params, MAX_BULK_ISSUES],
  );
}

async function bulkUpdate(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:write");
  const body = await readJsonBody(request, MAX_API_JSON_BYTES);
  if (isMergeRequest(body))
    return json(await mergeTargets(env, (await bulkTargets(request, env, scope)) ?? []));
  const update = parseIssueUpdate(body, nowSeconds());
  const targets = await bulkTargets(request, env, scope);
  if (targets === null) return new Response(null, { status: 204 });
  const result = await applyUpdate(env, scope, targets, update);
  return json(result.body);
}

async function bulkDelete(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:admin");
  const targets = await bulkTargets(request, env, scope);
  if (targets) await deleteIssues(env, targets);
  return new Response(null, { status: 204 });
}

// --- detail ----------------------------------------------------------------------------------------

/** Top values of level/release/environment/transaction/user and the events' own tags, from recent events. */
async function tagSummary(db: D1Database, issueId: number) {
  return summarizeTags(await issueTagCounts(db, issueId));
}

async function releaseOrNull(env: Env, orgId: number, version: string | null) {
  if (!version) return null;
  const release = await findRelease(env.DB, orgId, version);
  return release ? releaseJson(env.DB, release) : null;
}

/** Whether the issue's latest event was unhandled (an exception mechanism with `handled: false`). */
async function latestUnhandled(db: D1Database, issueId: number): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM json_each(payload, '$.exception.values') v
         WHERE json_extract(v.value, '$.mechanism.handled') = 0) AS unhandled
       FROM events WHERE issue_id = ? ORDER BY timestamp DESC, event_id DESC LIMIT 1`,
    )
    .bind(issueId)
    .first<{ unhandled: number }>();
  return row?.unhandled === 1;
}

export async function issueDetailJson(env: Env, origin: string, ctx: IssueContext) {
  const now = nowSeconds();
  const { issue, org, project } = ctx;
  const day = parseStatsPeriod("24h") as StatsPeriod;
  const month: StatsPeriod = { key: "30d", bucket: 86400, buckets: 30 };
  const [actors, dayStats, monthStats, tags, firstRelease, lastRelease, unhandled] = await Promise.all([
    actorsFor(env.DB, [issue.assigned_to]),
    issueStats(env.DB, [issue.id], day, now),
    issueStats(env.DB, [issue.id], month, now),
    tagSummary(env.DB, issue.id),
    releaseOrNull(env, org.id, issue.first_release),
    releaseOrNull(env, org.id, issue.last_release),
    latestUnhandled(env.DB, issue.id),
  ]);
  const base = serializeIssue(issue, {
    project,
    orgSlug: org.slug,
    origin,
    now,
    assignee: issue.assigned_to ? (actors.get(issue.assigned_to) ?? null) : null,
    stats: { "24h": dayStats.get(issue.id) ?? [], "30d": monthStats.get(issue.id) ?? [] },
    isUnhandled: unhandled,
  });
  return {
    ...base,
    firstRelease,
    lastRelease,
    tags,
    activity: [],
    seenBy: [],
    participants: [],
    pluginActions: [],
    pluginIssues: [],
    pluginContexts: [],
    userReportCount: 0,
  };
}

async function reloadIssue(env: Env, ctx: IssueContext): Promise<IssueContext> {
  const now = nowSeconds();
  const rows = await all<IssueRecord>(env.DB, `SELECT ${ISSUE_COLUMNS(now)} FROM issues i WHERE i.id = ?`, [
    ctx.issue.id,
  ]);
  const issue = rows[0];
  if (!issue) throw notFound();
  return { ...ctx, issue };
}

export function registerIssueRoutes(router: AppRouter): void {
  for (const base of ["/api/0/projects/:org/:project/issues/", "/api/0/organizations/:org/issues/"]) {
    router.get(base, (req, env) => listIssues(req, env));
    router.put(base, (req, env) => bulkUpdate(req, env));
    router.delete(base, (req, env) => bulkDelete(req, env));
  }
  for (const base of ["/api/0/issues/:issueId/", "/api/0/organizations/:org/issues/:issueId/"]) {
    router.get(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:read");
      return json(await issueDetailJson(env, new URL(req.url).origin, ctx));
    });
    router.put(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:write");
      const update = parseIssueUpdate(await readJsonBody(req, MAX_API_JSON_BYTES), nowSeconds());
      const result = await applyUpdate(env, ctx, [ctx.issue], update);
      const detail = await issueDetailJson(env, new URL(req.url).origin, await reloadIssue(env, ctx));
      return json({ ...detail, ...result.body });
    });
    router.delete(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:admin");
      await deleteIssues(env, [ctx.issue]);
      return new Response(null, { status: 202 });
    });
    router.get(`${base}tags/`, async (req, env) => {
      const ctx = await issueFor(req, env, "event:read");
      return json(await tagSummary(env.DB, ctx.issue.id));
    });
  }
}
