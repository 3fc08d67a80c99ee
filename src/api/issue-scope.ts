// Which issues an issue route acts on: the issue of `…/issues/{id}/` (numeric or short id) among the
// caller's organizations, and the projects and search condition of list and bulk routes (Sentry's
// `query`, `status`, `environment` and `project` parameters).
import type { IRequest } from "itty-router";
import { orgMemberId, orgTeamId } from "../db/actors.ts";
import { findEventInProjects } from "../db/event-ids.ts";
import {
  allOf,
  environmentsCondition,
  issueQuerySql,
  projectsCondition,
  type SqlFragment,
  seenWithinCondition,
} from "../db/issue-search.ts";
import { issueById, issueByShortId, issuesWithOrgByShortId, issueWithOrgById } from "../db/issues.ts";
import { newestReleaseFor } from "../db/releases.ts";
import type { IssueReadRow, IssueWithOrgRow } from "../db/rows.ts";
import { knownShard, organizationShards, shardDb, shardOfIssueId } from "../db/shards.ts";
import { projectsOf } from "../db/tenant-reads.ts";
import type { Env } from "../env.ts";
import { badRequest } from "../errors.ts";
import { param } from "../http/app-router.ts";
import { actorValues, parseIssueQuery, parseShortId } from "../protocol/issue-search.ts";
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
} from "./access.ts";
import { periodSeconds, timeRange } from "./query-scope.ts";
import type { IssueRecord, ProjectSummary } from "./serializers/issue.ts";
import { isIdSegment } from "./slugs.ts";

export const nowSeconds = () => Date.now() / 1000;

export interface IssueContext {
  caller: Caller;
  org: OrgRow;
  project: ProjectSummary;
  issue: IssueRecord;
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
  let rows: IssueWithOrgRow[] = [];
  if (/^\d+$/.test(ref)) {
    const id = Number(ref);
    rows = Number.isSafeInteger(id) ? await issueByIdAmongShards(env, caller, id, now) : [];
  } else {
    const short = parseShortId(ref);
    if (short)
      rows = await issuesWithOrgByShortId(
        env.DB,
        (name) => shardDb(env, name),
        short,
        [...caller.orgScopes.keys()].slice(0, 80),
        now,
      );
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
    org: {
      id: row.organization_id,
      slug: row.o_slug,
      name: row.o_name,
      created_at: row.o_created_at,
      shard: row.o_shard,
    },
    project: { id: row.project_id, slug: row.p_slug, name: row.p_name, platform: row.p_platform },
    issue: row,
  };
}

/**
 * An issue by id on the shards of the caller's organizations (one control-plane read names them): the
 * shard the id was allocated on first, then the others, for an organization moved since. Its owner
 * comes from the control plane.
 */
async function issueByIdAmongShards(env: Env, caller: Caller, id: number, now: number) {
  const own = shardOfIssueId(id);
  const names = [...new Set((await organizationShards(env.DB, [...caller.orgScopes.keys()])).values())];
  names.sort((a, b) => Number(b === own) - Number(a === own));
  for (const name of names) {
    const db = knownShard(env, name);
    const row = db ? await issueWithOrgById({ name, db }, env.DB, id, now) : null;
    if (row && caller.orgScopes.has(row.organization_id)) return [row];
  }
  return [];
}

export interface ListScope {
  caller: Caller;
  org: OrgRow;
  /** Projects searched, by id. */
  projects: Map<number, ProjectSummary>;
}

/** Organization or project of a list/bulk route; `?project=` narrows an organization route. */
export async function listScopeFor(request: IRequest, env: Env, scope: Scope): Promise<ListScope> {
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
  const all = (await projectsOf(env.DB, org.id)).map(
    (p): ProjectSummary => ({ id: p.id, slug: p.slug, name: p.name, platform: p.platform }),
  );
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

export const projectCondition = (scope: ListScope): SqlFragment =>
  projectsCondition([...scope.projects.keys()]);

/** Resolves an assignee reference to a stored actor (`user:1`/`team:2`) of this organization. */
export async function resolveActor(db: D1Database, orgId: number, ref: string): Promise<string> {
  const unknown = () => badRequest(`assignedTo: Unknown actor input "${ref}"`);
  const team = /^team:(\d+)$/.exec(ref) ?? null;
  if (team || ref.startsWith("#")) {
    const id = await orgTeamId(db, orgId, team ? { id: Number(team[1]) } : { slug: ref.slice(1) });
    if (id === null) throw unknown();
    return `team:${id}`;
  }
  const user = /^(?:user:)?(\d+)$/.exec(ref);
  const id = await orgMemberId(db, orgId, user ? { id: Number(user[1]) } : { emailOrName: ref });
  if (id === null) throw unknown();
  return `user:${id}`;
}

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

/**
 * The time range an organization's issue list asks for, as Sentry reads it: `start` + `end`, or a
 * `statsPeriod` that is a period (`24h`, `30d`). Without one (or with `statsPeriod=` empty) the list is
 * not bounded in time. The MCP server's search_issues always sends one. The project's issue list reads
 * `statsPeriod` only as the stats' resolution (sentry-cli sends `statsPeriod=24h` and lists them all).
 */
function seenRange(url: URL, now: number): { start: number; end: number } | null {
  const q = url.searchParams;
  if (q.get("start") || q.get("end")) return timeRange(url, now);
  const period = q.get("statsPeriod");
  return period && periodSeconds(period) !== null ? timeRange(url, now) : null;
}

/** The WHERE condition for a request's `query` (default `is:unresolved`), `status` and `environment`. */
export async function searchCondition(
  request: IRequest,
  env: Env,
  scope: ListScope,
  now: number,
  /** The organization's issue list reads its time range; the project's (deprecated) list does not. */
  options: { inTimeRange?: boolean } = {},
): Promise<SqlFragment & { text: string }> {
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
      ? await newestReleaseFor(shardDb(env, scope.org.shard), [...scope.projects.keys()][0] ?? 0)
      : null;
  const actors = await resolveQueryActors(env, scope, actorValues(parsed));
  const parts = [projectCondition(scope), issueQuerySql(parsed, { now, actors, latestRelease })];
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  if (environments.length > 0) parts.push(environmentsCondition(environments));
  const range = options.inTimeRange ? seenRange(url, now) : null;
  if (range) parts.push(seenWithinCondition(range.start, range.end));
  return { ...allOf(parts), text: query.trim() };
}

/**
 * A query that is exactly a short id of a searched project finds that issue (Sentry's shortIdLookup);
 * so does an event id of a searched project.
 */
export async function shortIdMatch(
  env: Env,
  scope: ListScope,
  text: string,
  now: number,
): Promise<IssueReadRow | null> {
  const eventId = text.replace(/-/g, "").toLowerCase();
  const events = shardDb(env, scope.org.shard);
  if (/^[0-9a-f]{32}$/.test(eventId)) {
    // Sentry answers a bare event id with that event's issue (the MCP server finds events this way).
    const event = await findEventInProjects(events, [...scope.projects.values()], eventId);
    return event?.issue_id ? issueById(events, event.issue_id, now) : null;
  }
  const short = parseShortId(text);
  if (!short || /\s/.test(text)) return null;
  const project = [...scope.projects.values()].find((p) => p.slug === short.slug);
  if (!project) return null;
  return issueByShortId(events, project.id, short.number, now);
}
