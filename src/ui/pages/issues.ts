// The issue stream: status tabs, search, sort, rows (title, culprit, level, counts, first/last seen,
// sparkline, release, regression mark), bulk resolve/ignore/delete and pagination.

import {
  allOf,
  issueQuerySql,
  NO_ROWS,
  projectsCondition,
  type SqlFragment,
  sortSql,
} from "../../db/issue-search.ts";
import {
  countIssues,
  eventCountsByBucket,
  hasAnyIssue,
  issuePage,
  orgIssueTargets,
} from "../../db/issues.ts";
import { newestReleaseFor } from "../../db/releases.ts";
import type { IssueReadRow, ProjectSummary } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { firstActiveKey, projectsOf } from "../../db/tenant-reads.ts";
import type { Env } from "../../env.ts";
import { FaultlineError } from "../../errors.ts";
import { UI_ISSUES_PAGE_SIZE } from "../../limits.ts";
import { parseIssueQuery } from "../../protocol/issue-search.ts";
import { formString, type OrgCall } from "../call.ts";
import { sparkline } from "../charts.ts";
import { compactNumber, isoTime, relativeTime } from "../format.ts";
import { html, qs, type SafeHtml } from "../html.ts";
import { applyIssueAction, ISSUE_ACTIONS, type IssueAction } from "../issue-actions.ts";
import { type IssueSort, SORTS, STATUS_TABS, sortFrom } from "../issue-search.ts";
import { csrfField, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { dsnFor, emptyProject } from "../snippets.ts";
import { findEventForm } from "./event-receipt.ts";

/** An issue of the stream: its status is the one it reads back as (an expired ignore is unresolved). */
export type IssueRow = Omit<IssueReadRow, "status"> & { status: string };

const DEFAULT_QUERY = "is:unresolved";

export interface StreamState {
  orgSlug: string;
  projects: ProjectSummary[];
  project: ProjectSummary | null;
  query: string;
  sort: IssueSort;
  offset: number;
  total: number;
  rows: IssueRow[];
  sparks: Map<number, number[]>;
  /** Why the query could not be used, shown above the (empty) list. */
  queryError: string | null;
  /** Set when the selected projects have no issues at all: the setup instructions. */
  empty: SafeHtml | null;
}

function issueRow(s: StreamState, ctx: PageContext, issue: IssueRow): SafeHtml {
  const o = encodeURIComponent(s.orgSlug);
  const projectSlug = s.projects.find((p) => p.id === issue.project_id)?.slug ?? "";
  const regressed = issue.status === "unresolved" && issue.substatus === "regressed";
  const isNew = issue.status === "unresolved" && issue.substatus === "new";
  return html`<li><input type="checkbox" name="id" value="${issue.id}" aria-label="Select issue ${issue.id}">
<div><div class="issue-title"><span class="lvl lvl-${issue.level}" title="${issue.level}"></span><a href="/organizations/${o}/issues/${issue.id}/">${issue.title}</a>${issue.is_bookmarked ? html` <span title="Bookmarked" aria-label="Bookmarked">★</span>` : ""}</div>
<div class="issue-meta"><span class="culprit">${issue.culprit}</span></div>
<div class="issue-meta"><span>${projectSlug}</span><span class="badge">${issue.level}</span>${regressed ? html`<span class="badge regressed" title="Resolved, then seen again">Regressed</span>` : ""}${isNew ? html`<span class="badge new">New</span>` : ""}${issue.status !== "unresolved" ? html`<span class="badge">${issue.status}</span>` : ""}${issue.last_release ? html`<span class="badge" title="Last seen in release">${issue.last_release}</span>` : ""}<span title="${isoTime(issue.first_seen)}">first ${relativeTime(issue.first_seen, ctx.now)}</span><span title="${isoTime(issue.last_seen)}">last ${relativeTime(issue.last_seen, ctx.now)}</span></div></div>
<div class="wide">${sparkline(s.sparks.get(issue.id) ?? [])}</div>
<div class="num" title="${issue.times_seen} events">${compactNumber(issue.times_seen)}</div>
<div class="num wide" title="${issue.user_count} users">${compactNumber(issue.user_count)}</div>
<div class="num wide"></div></li>`;
}

export function issueStreamView(ctx: PageContext, s: StreamState): SafeHtml {
  const o = encodeURIComponent(s.orgSlug);
  const projectParam = s.project?.slug ?? null;
  const link = (params: { query?: string; sort?: string; cursor?: number }) =>
    `/organizations/${o}/issues/${qs({ project: projectParam, query: params.query ?? s.query, sort: params.sort ?? s.sort, cursor: params.cursor ?? null })}`;
  const tabs = html`<nav class="tabs" aria-label="Status">${STATUS_TABS.map(
    (t) =>
      html`<a href="${link({ query: t.query })}"${s.query.trim() === t.query ? html` aria-current="page"` : ""}>${t.label}</a>`,
  )}</nav>`;
  const projectPicker = html`<select name="project" aria-label="Project"><option value="">All projects</option>${s.projects.map(
    (p) => html`<option value="${p.slug}"${p.id === s.project?.id ? html` selected` : ""}>${p.name}</option>`,
  )}</select>`;
  const search = html`<form method="get" action="/organizations/${o}/issues/" class="row" role="search" style="margin-bottom:10px">${projectPicker}
<label class="skip" for="q">Search</label><input id="q" class="grow" name="query" value="${s.query}" placeholder="is:unresolved level:error release:1.0 environment:production text" style="min-width:180px">
<label class="skip" for="sort">Sort by</label><select id="sort" name="sort">${SORTS.map((o2) => html`<option value="${o2.value}"${o2.value === s.sort ? html` selected` : ""}>${o2.label}</option>`)}</select>
<button type="submit">Search</button></form>${s.queryError ? html`<div class="flash error" role="alert">${s.queryError}</div>` : ""}`;
  const from = s.total === 0 ? 0 : s.offset + 1;
  const to = Math.min(s.offset + s.rows.length, s.total);
  const pager = html`<div class="pager"><span class="muted">${from}–${to} of ${s.total}</span>${
    s.offset > 0
      ? html`<a class="btn" href="${link({ cursor: Math.max(0, s.offset - UI_ISSUES_PAGE_SIZE) })}" rel="prev">Previous</a>`
      : html`<button disabled>Previous</button>`
  }${s.offset + s.rows.length < s.total ? html`<a class="btn" href="${link({ cursor: s.offset + UI_ISSUES_PAGE_SIZE })}" rel="next">Next</a>` : html`<button disabled>Next</button>`}</div>`;
  const back = ctx.url.pathname + ctx.url.search;
  const list =
    s.empty ??
    (s.rows.length === 0
      ? html`<div class="panel empty"><p>No issues match <code>${s.query}</code>.</p><p><a href="${link({ query: DEFAULT_QUERY })}">Show unresolved issues</a></p></div>`
      : html`<form method="post" action="/organizations/${o}/issues/bulk/">${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
<div class="row" style="margin-bottom:6px"><button type="submit" name="action" value="resolve" data-bulk>Resolve</button><button type="submit" name="action" value="ignore" data-bulk>Ignore</button><button type="submit" name="action" value="unresolve" data-bulk>Unresolve</button><button type="submit" name="action" value="delete" class="danger" data-bulk data-confirm="Delete the selected issues and their events?">Delete</button><span class="muted" data-selected-count></span></div>
<ul class="issues"><li class="head"><input type="checkbox" data-select-all aria-label="Select all issues on this page"><div>Issue</div><div class="wide">Last 24 h</div><div class="num">Events</div><div class="num wide">Users</div><div class="wide"></div></li>${s.rows.map((r) => issueRow(s, ctx, r))}</ul></form>${pager}`);
  return page(
    ctx,
    "issues",
    "Issues",
    html`<h1>Issues${s.project ? html` <span class="muted">· ${s.project.name}</span>` : ""}</h1>${tabs}${search}${list}${findEventForm(s.orgSlug)}`,
  );
}

export async function issueStreamPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const url = ctx.url;
  const projects = await projectsOf(env.DB, org.id);
  const events = shardDb(env, org.shard);
  const projectRef = url.searchParams.get("project") ?? "";
  const project = projectRef
    ? (projects.find((p) => p.slug === projectRef || String(p.id) === projectRef) ?? null)
    : projects.length === 1
      ? (projects[0] ?? null)
      : null;
  if (projectRef && !project) throw new FaultlineError(404, "not found");
  const ids = project ? [project.id] : projects.map((p) => p.id);
  const query = url.searchParams.get("query") ?? DEFAULT_QUERY;
  const sort = sortFrom(url.searchParams.get("sort"));
  const offset = Math.max(0, Number.parseInt(url.searchParams.get("cursor") ?? "0", 10) || 0);
  let queryError: string | null = null;
  let condition: SqlFragment = NO_ROWS;
  try {
    condition = issueQuerySql(parseIssueQuery(query), {
      now: ctx.now,
      actors: new Map(),
      latestRelease:
        ids.length === 1 && query.includes("latest") ? await newestReleaseFor(events, ids[0] ?? 0) : null,
    });
  } catch (error) {
    if (!(error instanceof FaultlineError)) throw error;
    queryError = error.detail;
  }
  const where = allOf([projectsCondition(ids), condition]);
  const [found, total] =
    ids.length === 0
      ? [[], 0]
      : await Promise.all([
          issuePage(events, where, sortSql(sort), { limit: UI_ISSUES_PAGE_SIZE, offset }, ctx.now),
          countIssues(events, where),
        ]);
  const rows: IssueRow[] = found.map((r) => ({ ...r, status: r.effective_status }));
  const sparks = await sparklines(
    events,
    rows.map((r) => r.id),
    ctx.now,
  );
  let empty: SafeHtml | null = null;
  if (total === 0 && !(await hasAnyIssue(events, ids))) {
    const target = project ?? projects[0];
    if (target) {
      const key = await firstActiveKey(env.DB, target.id);
      empty = emptyProject(
        key ? dsnFor(url, key.public_key, target.id) : null,
        `/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(target.slug)}/keys/`,
      );
    }
  }
  return htmlResponse(
    issueStreamView(ctx, {
      orgSlug: org.slug,
      projects,
      project,
      query,
      sort,
      offset,
      total,
      rows,
      sparks,
      queryError,
      empty,
    }),
  );
}

/** Events per hour of the last 24 hours (ending with the current hour) of each issue. */
async function sparklines(db: D1Database, issueIds: number[], now: number): Promise<Map<number, number[]>> {
  const hour = 3600;
  const since = Math.ceil(now / hour) * hour - 24 * hour;
  const counts = await eventCountsByBucket(db, issueIds, hour, since);
  return new Map(
    issueIds.map((id) => [
      id,
      Array.from({ length: 24 }, (_, b) => counts.get(`${id}:${since + b * hour}`) ?? 0),
    ]),
  );
}

/** Issue ids of the form that belong to this organization, grouped by project. */
export async function issuesByProject(
  env: Env,
  org: { id: number; shard: string },
  ids: number[],
): Promise<Map<number, number[]>> {
  const byProject = new Map<number, number[]>();
  const projectIds = (await projectsOf(env.DB, org.id)).map((p) => p.id);
  for (const r of await orgIssueTargets(shardDb(env, org.shard), projectIds, ids))
    byProject.set(r.project_id, [...(byProject.get(r.project_id) ?? []), r.id]);
  return byProject;
}

export async function issueBulkSubmit({ env, form, org, session }: OrgCall): Promise<Response> {
  const action = formString(form, "action");
  if (!ISSUE_ACTIONS.has(action)) throw new FaultlineError(400, "unknown action");
  const ids = (form?.getAll("id") ?? [])
    .map((v) => (typeof v === "string" ? Number.parseInt(v, 10) : Number.NaN))
    .filter((n) => Number.isSafeInteger(n) && n > 0)
    .slice(0, 500);
  for (const [projectId, issueIds] of await issuesByProject(env, org, ids))
    await applyIssueAction(env, org.shard, projectId, issueIds, action as IssueAction, session.user.id);
  // redirect() keeps `back` on this site (see redirect-target.ts).
  return redirect(formString(form, "back") || `/organizations/${encodeURIComponent(org.slug)}/issues/`);
}

export { UI_ISSUES_PAGE_SIZE };
