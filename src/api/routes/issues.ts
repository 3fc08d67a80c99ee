// Issues (Sentry's group endpoints): project and organization issue lists with search, sort, stats and
// cursor paging; issue detail/update/delete by id or short id; bulk update and delete. Scopes are in
// issue-scope.ts, updates in issue-update.ts, JSON in issue-json.ts; changes of grouping state (status,
// delete) go through the project's Durable Object (src/project/).
import type { IRequest } from "itty-router";
import { sortSql } from "../../db/issue-search.ts";
import { countIssues, issueById, issuePage } from "../../db/issues.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { deleteIssues } from "../../project/index.ts";
import { parseStatsPeriod, requestedStatsPeriod } from "../../protocol/issue-search.ts";
import { notFound } from "../access.ts";
import { issueDetailJson, serializeIssues, tagSummary } from "../issue-json.ts";
import { isMergeRequest, mergeTargets } from "../issue-merge.ts";
import {
  type IssueContext,
  issueFor,
  listScopeFor,
  nowSeconds,
  searchCondition,
  shortIdMatch,
} from "../issue-scope.ts";
import { applyUpdate, bulkTargets, MAX_BULK_ISSUES } from "../issue-update.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { parseIssueUpdate } from "../serializers/issue.ts";

async function listIssues(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:read");
  const url = new URL(request.url);
  const now = nowSeconds();
  const period = parseStatsPeriod(requestedStatsPeriod(url.searchParams));
  const order = sortSql(url.searchParams.get("sort"));
  const page = pageFrom(url);
  const inTimeRange = request.params.project === undefined;
  const where = await searchCondition(request, env, scope, now, { inTimeRange });

  const short = page.offset === 0 ? await shortIdMatch(env, scope, where.text, now) : null;
  if (short) {
    const body = await serializeIssues(env, url.origin, scope.org, scope.projects, [short], period, now);
    return json(body, 200, { link: linkHeader(url, page, false), "x-hits": "1", "x-max-hits": "1" });
  }

  const events = shardDb(env, scope.org.shard);
  const rows = await issuePage(events, where, order, { limit: page.limit + 1, offset: page.offset }, now);
  const hits = await countIssues(events, where, MAX_BULK_ISSUES);
  const shown = rows.slice(0, page.limit);
  const body = await serializeIssues(env, url.origin, scope.org, scope.projects, shown, period, now);
  return json(body, 200, {
    link: linkHeader(url, page, rows.length > page.limit),
    "x-hits": String(hits),
    "x-max-hits": String(MAX_BULK_ISSUES),
  });
}

async function bulkUpdate(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:write");
  const body = await readJsonBody(request, MAX_API_JSON_BYTES);
  if (isMergeRequest(body))
    return json(await mergeTargets(env, scope.org.shard, (await bulkTargets(request, env, scope)) ?? []));
  const update = parseIssueUpdate(body, nowSeconds());
  const targets = await bulkTargets(request, env, scope);
  if (targets === null) return new Response(null, { status: 204 });
  return json(await applyUpdate(env, scope, targets, update));
}

async function bulkDelete(request: IRequest, env: Env): Promise<Response> {
  const scope = await listScopeFor(request, env, "event:admin");
  const targets = await bulkTargets(request, env, scope);
  if (targets) await deleteIssues(env, targets);
  return new Response(null, { status: 204 });
}

async function reloadIssue(env: Env, ctx: IssueContext): Promise<IssueContext> {
  const issue = await issueById(shardDb(env, ctx.org.shard), ctx.issue.id, nowSeconds());
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
      return json({ ...detail, ...result });
    });
    router.delete(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:admin");
      await deleteIssues(env, [ctx.issue]);
      return new Response(null, { status: 202 });
    });
    router.get(`${base}tags/`, async (req, env) => {
      const ctx = await issueFor(req, env, "event:read");
      return json(await tagSummary(shardDb(env, ctx.org.shard), ctx.issue.id));
    });
  }
}
