// Sentry's issue hashes: `GET /issues/{id}/hashes/` lists the grouping hashes an issue owns (with the
// latest event carrying each), `DELETE /issues/{id}/hashes/?id=…` unmerges them into a new issue.
// The unmerge runs in the project's Durable Object, which owns grouping state.

import type { IRequest } from "itty-router";
import { eventPayloadText } from "../../blobs/event-blobs.ts";
import { type IssueEventRow, issueEventsAfter, issueHashesPage, ownedHashes } from "../../db/issue-hashes.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { computeGrouping } from "../../grouping/index.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { LATEST_EVENT_SCAN, MAX_UNMERGE_HASHES } from "../../limits.ts";
import { payloadReader } from "../../project/index.ts";
import type { NormalizedEvent } from "../../protocol/types.ts";
import { issueFor } from "../issue-scope.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { serializeEventListItem } from "../serializers/event.ts";

type JsonRecord = Parameters<typeof serializeEventListItem>[1];

function parse(text: string | null): (NormalizedEvent & JsonRecord) | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as NormalizedEvent & JsonRecord;
  } catch {
    return null;
  }
}

/** The newest event (of the most recent ones) carrying each of `hashes`. */
async function latestEvents(env: Env, shard: string, issueId: number, hashes: readonly string[]) {
  const wanted = new Set(hashes);
  const found = new Map<string, ReturnType<typeof serializeEventListItem>>();
  const rows: IssueEventRow[] = await issueEventsAfter(shardDb(env, shard), issueId, null, LATEST_EVENT_SCAN);
  for (const row of rows) {
    if (found.size === wanted.size) break;
    const payload = parse(await eventPayloadText(payloadReader(env), row));
    if (!payload) continue;
    const grouping = computeGrouping(payload);
    for (const hash of new Set([grouping.hash, ...grouping.hashes])) {
      if (wanted.has(hash) && !found.has(hash)) found.set(hash, serializeEventListItem(row, payload));
    }
  }
  return found;
}

async function listHashes(request: IRequest, env: Env): Promise<Response> {
  const ctx = await issueFor(request, env, "event:read");
  const url = new URL(request.url);
  const page = pageFrom(url, 100);
  const hashes = await issueHashesPage(shardDb(env, ctx.org.shard), ctx.issue.id, page.offset, page.limit);
  const shown = hashes.slice(0, page.limit);
  const latest = await latestEvents(env, ctx.org.shard, ctx.issue.id, shown);
  return json(
    shown.map((hash) => ({ id: hash, latestEvent: latest.get(hash) ?? null, mergedBySeer: false })),
    200,
    { link: linkHeader(url, page, hashes.length > page.limit) },
  );
}

async function unmerge(request: IRequest, env: Env): Promise<Response> {
  const ctx = await issueFor(request, env, "event:write");
  const ids = new URL(request.url).searchParams.getAll("id").flatMap((v) => v.split(","));
  const hashes = [...new Set(ids.map((v) => v.trim()).filter((v) => v !== ""))];
  if (hashes.length === 0) throw badRequest("id: name at least one hash to unmerge");
  if (hashes.length > MAX_UNMERGE_HASHES)
    throw badRequest(`At most ${MAX_UNMERGE_HASHES} hashes per request`);
  if (hashes.some((h) => !/^[0-9a-f]{32}$/.test(h))) throw badRequest("id: expected 32-character hashes");
  const { owned, total } = await ownedHashes(
    shardDb(env, ctx.org.shard),
    ctx.project.id,
    ctx.issue.id,
    hashes,
  );
  if (owned.length > 0 && owned.length >= total)
    throw badRequest("Unable to unmerge every hash of an issue: keep at least one");
  if (owned.length > 0) {
    const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(ctx.project.id)));
    await stub.unmergeHashes(ctx.project.id, ctx.issue.id, owned);
  }
  return new Response(null, { status: 202 });
}

export function registerIssueHashRoutes(router: AppRouter): void {
  for (const base of [
    "/api/0/issues/:issueId/hashes/",
    "/api/0/organizations/:org/issues/:issueId/hashes/",
  ]) {
    router.get(base, (req, env) => listHashes(req, env));
    router.delete(base, (req, env) => unmerge(req, env));
  }
}
