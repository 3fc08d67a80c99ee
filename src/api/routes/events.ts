// Events (Sentry's event endpoints): an issue's events (list, latest/oldest/recommended or by id) and a
// project's events (list, by id). The lists read `query`, `statsPeriod` / `start` + `end` and `sort`. The normalized payload lives in `events.payload`, or in R2 under
// `events.payload_key` when it was too large for a row.
import type { IRequest } from "itty-router";
import { eventCondition } from "../../db/discover.ts";
import {
  type EventPageFilter,
  type EventScope,
  eventPage,
  issueEvent as issueEventRow,
  projectEvent as projectEventRow,
} from "../../db/events.ts";
import type { EventTableRow } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { spooledEvent } from "../../project/index.ts";
import { parseSearchQuery } from "../../protocol/search-syntax.ts";
import { notFound, requestProject } from "../access.ts";
import { fullEvent, parseRecord, payloadText } from "../event-json.ts";
import { issueFor } from "../issue-scope.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { timeRange } from "../query-scope.ts";
import { serializeEventListItem } from "../serializers/event.ts";

const DAY = 86400;

/** Sentry event ids are 32 hex characters; a UUID with dashes names the same event. */
function normalizeEventId(value: string): string | null {
  const id = value.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

/**
 * What an event list is narrowed by, as Sentry's issue and project event endpoints read it: `query` in
 * the events search syntax, the range of `statsPeriod` or `start` + `end` (none: every event kept), and
 * `sort` (`-timestamp`, the default, or `timestamp`).
 */
function listFilter(url: URL): EventPageFilter {
  const q = url.searchParams;
  const now = Date.now() / 1000;
  const bounded = Boolean(q.get("statsPeriod") || q.get("start") || q.get("end"));
  const range = bounded ? timeRange(url, now) : undefined;
  const sort = q.get("sort") || "-timestamp";
  if (sort !== "-timestamp" && sort !== "timestamp")
    throw badRequest(`Invalid sort: ${sort} (expected -timestamp or timestamp)`);
  const query = parseSearchQuery(q.get("query"));
  const condition = eventCondition(query, now, range ? range.end - range.start : DAY);
  return { ...(range ? { range } : {}), condition, oldestFirst: sort === "timestamp" };
}

async function listEvents(request: IRequest, env: Env, shard: string, scope: EventScope): Promise<Response> {
  const events = shardDb(env, shard);
  const url = new URL(request.url);
  const page = pageFrom(url);
  const full = url.searchParams.get("full") === "true" || url.searchParams.get("full") === "1";
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  const page1 = { limit: page.limit + 1, offset: page.offset };
  const rows = await eventPage(events, scope, environments, full, page1, listFilter(url));
  const shown = rows.slice(0, page.limit);
  const body = await Promise.all(
    shown.map(async (row) => {
      if (!full) return serializeEventListItem(row, parseRecord(row.summary));
      return fullEvent(env, events, row, payloadText(env, row), null);
    }),
  );
  return json(body, 200, { link: linkHeader(url, page, rows.length > page.limit) });
}

async function issueEvent(request: IRequest, env: Env): Promise<Response> {
  const ctx = await issueFor(request, env, "event:read");
  const which = param(request, "eventId");
  const events = shardDb(env, ctx.org.shard);
  let row: EventTableRow | null;
  if (which === "latest" || which === "recommended")
    row = await issueEventRow(events, ctx.issue.id, "latest");
  else if (which === "oldest") row = await issueEventRow(events, ctx.issue.id, "oldest");
  else {
    const eventId = normalizeEventId(which);
    if (!eventId) throw notFound();
    row = await issueEventRow(events, ctx.issue.id, { eventId });
    // Accepted but not yet in D1: the spool knows it, and its issue when the hash was seen before.
    if (!row) {
      const spooled = await spooledEvent(env, ctx.issue.project_id, eventId);
      if (spooled?.issue_id === ctx.issue.id) row = spooled;
    }
  }
  if (!row) throw notFound();
  return json(
    await fullEvent(env, events, row, payloadText(env, row), {
      issue: ctx.issue,
      projectSlug: ctx.project.slug,
      organizationId: ctx.org.id,
    }),
  );
}

async function projectEvent(request: IRequest, env: Env): Promise<Response> {
  const { org, project } = await requestProject(request, env, "event:read");
  const eventId = normalizeEventId(param(request, "eventId"));
  if (!eventId) throw notFound();
  const events = shardDb(env, org.shard);
  // Accepted but not yet in D1: the project's spool has it ("did my event arrive?" at once).
  const row =
    (await projectEventRow(events, project.id, eventId)) ?? (await spooledEvent(env, project.id, eventId));
  if (!row) throw notFound();
  const place = { projectSlug: project.slug, organizationId: org.id };
  return json(await fullEvent(env, events, row, payloadText(env, row), null, place));
}

export function registerEventRoutes(router: AppRouter): void {
  for (const base of [
    "/api/0/issues/:issueId/events/",
    "/api/0/organizations/:org/issues/:issueId/events/",
  ]) {
    router.get(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:read");
      return listEvents(req, env, ctx.org.shard, { issueId: ctx.issue.id });
    });
    router.get(`${base}:eventId/`, (req, env) => issueEvent(req, env));
  }
  router.get("/api/0/projects/:org/:project/events/", async (req, env) => {
    const { org, project } = await requestProject(req, env, "event:read");
    return listEvents(req, env, org.shard, { projectErrors: project.id });
  });
  router.get("/api/0/projects/:org/:project/events/:eventId/", (req, env) => projectEvent(req, env));
}
