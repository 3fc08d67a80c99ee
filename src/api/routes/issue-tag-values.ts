// Sentry's per-key tag endpoints of an issue: `GET /issues/{id}/tags/{key}/` (the key's counts and top
// values) and `GET /issues/{id}/tags/{key}/values/` (every value, paginated, sorted by `sort`:
// count (default), date (last seen) or age (first seen)). Counted over the issue's recent events.
import type { IRequest } from "itty-router";
import { issueTagCounts, type TagValueCount } from "../../db/issue-tags.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { issueFor } from "../issue-scope.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { isoDate, summarizeTags } from "../serializers/issue.ts";

/** Sentry's tag-key names (`sentry:user` is the user tag), as stored here. */
const KEY_ALIASES: Record<string, string> = { "sentry:user": "user", "sentry:release": "release" };

const ORDERS: Record<string, (a: TagValueCount, b: TagValueCount) => number> = {
  count: (a, b) => b.count - a.count,
  date: (a, b) => b.last_seen - a.last_seen,
  age: (a, b) => b.first_seen - a.first_seen,
};
const SORT_NAMES: Record<string, keyof typeof ORDERS> = {
  count: "count",
  "-count": "count",
  "-times_seen": "count",
  date: "date",
  "-last_seen": "date",
  age: "age",
  "-first_seen": "age",
};

async function countsOf(request: IRequest, env: Env) {
  const ctx = await issueFor(request, env, "event:read");
  const raw = param(request, "key");
  const key = KEY_ALIASES[raw] ?? raw;
  const counts = await issueTagCounts(shardDb(env, ctx.org.shard), ctx.issue.id, key);
  if (counts.length === 0) throw new FaultlineError(404, "Tag key not found");
  return { key, counts };
}

async function keyDetail(request: IRequest, env: Env): Promise<Response> {
  const { counts } = await countsOf(request, env);
  // One key's summary: Sentry shows its nine most frequent values.
  const [summary] = summarizeTags(counts, 9);
  return json(summary);
}

async function keyValues(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const sortParam = url.searchParams.get("sort") ?? "count";
  const sort = SORT_NAMES[sortParam];
  if (!sort) throw badRequest(`sort: expected one of ${Object.keys(SORT_NAMES).join(", ")}`);
  const page = pageFrom(url, 100);
  const { key, counts } = await countsOf(request, env);
  const order = ORDERS[sort]!;
  const sorted = [...counts].sort((a, b) => order(a, b) || a.value.localeCompare(b.value));
  const shown = sorted.slice(page.offset, page.offset + page.limit);
  return json(
    shown.map((v) => ({
      key,
      name: v.value,
      value: v.value,
      count: v.count,
      lastSeen: isoDate(v.last_seen),
      firstSeen: isoDate(v.first_seen),
    })),
    200,
    { link: linkHeader(url, page, sorted.length > page.offset + page.limit) },
  );
}

export function registerIssueTagValueRoutes(router: AppRouter): void {
  for (const base of ["/api/0/issues/:issueId/tags/", "/api/0/organizations/:org/issues/:issueId/tags/"]) {
    router.get(`${base}:key/`, (req, env) => keyDetail(req, env));
    router.get(`${base}:key/values/`, (req, env) => keyValues(req, env));
  }
}
