// Events (Sentry's event endpoints): an issue's events (list, latest/oldest/recommended or by id) and a
// project's events (list, by id). The normalized payload lives in `events.payload`, or in R2 under
// `events.payload_key` when it was too large for a row.
import type { IRequest } from "itty-router";
import { eventPayloadText } from "../../blobs/event-blobs.ts";
import {
  type EventScope,
  eventNeighbours,
  eventPage,
  issueEvent as issueEventRow,
  issueFactsOf,
  issueHashes,
  projectEvent as projectEventRow,
} from "../../db/events.ts";
import { findRelease } from "../../db/releases.ts";
import type { EventTableRow } from "../../db/rows.ts";
import { projectById } from "../../db/tenant-reads.ts";
import type { Env } from "../../env.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { notFound, requestProject } from "../access.ts";
import { issueFor } from "../issue-scope.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { releaseJson } from "../release-json.ts";
import { type EventRecord, serializeEvent, serializeEventListItem } from "../serializers/event.ts";
import type { IssueRecord } from "../serializers/issue.ts";

type JsonRecord = { [key: string]: JsonValue };
type JsonValue = null | boolean | number | string | JsonValue[] | JsonRecord;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseRecord(text: string | null | undefined): JsonRecord | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** The stored payload text of an event: the row's, else the R2 object's. */
export const payloadText = (env: Env, row: { payload?: string | null; payload_key?: string | null }) =>
  eventPayloadText(env.BLOBS, row);

/** Sentry event ids are 32 hex characters; a UUID with dashes names the same event. */
function normalizeEventId(value: string): string | null {
  const id = value.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

async function listEvents(request: IRequest, env: Env, scope: EventScope): Promise<Response> {
  const url = new URL(request.url);
  const page = pageFrom(url);
  const full = url.searchParams.get("full") === "true" || url.searchParams.get("full") === "1";
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  const rows = await eventPage(env.DB, scope, environments, full, {
    limit: page.limit + 1,
    offset: page.offset,
  });
  const shown = rows.slice(0, page.limit);
  const body = await Promise.all(
    shown.map(async (row) => {
      if (!full) return serializeEventListItem(row, parseRecord(row.summary));
      const text = await payloadText(env, row);
      return fullEvent(env, row, text, null);
    }),
  );
  return json(body, 200, { link: linkHeader(url, page, rows.length > page.limit) });
}

interface IssueFacts {
  issue: Pick<IssueRecord, "id" | "metadata" | "culprit" | "primary_hash">;
  projectSlug: string;
  organizationId: number;
}

async function issueFacts(env: Env, row: EventRecord, known: IssueFacts | null): Promise<IssueFacts | null> {
  if (known || row.issue_id === null) return known;
  const found = await issueFactsOf(env.DB, row.issue_id);
  if (!found) return null;
  return { issue: found, projectSlug: found.project_slug, organizationId: found.organization_id };
}

export async function fullEvent(env: Env, row: EventRecord, text: string | null, known: IssueFacts | null) {
  const facts = await issueFacts(env, row, known);
  const project = facts ? null : await projectById(env.DB, row.project_id);
  const [hashes, around, release] = await Promise.all([
    facts ? issueHashes(env.DB, facts.issue.id) : [],
    eventNeighbours(env.DB, row),
    (async () => {
      if (!row.release) return null;
      const orgId = facts?.organizationId ?? project?.organization_id;
      const found = orgId === undefined ? null : await findRelease(env.DB, orgId, row.release);
      return found ? releaseJson(env.DB, found) : null;
    })(),
  ]);
  const primary = facts?.issue.primary_hash;
  const fingerprints = hashes.sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  let metadata: Record<string, unknown> | null = null;
  if (facts) {
    const parsed = parseRecord(facts.issue.metadata);
    metadata = parsed ? { ...parsed, title: row.title } : null;
  }
  return serializeEvent(row, parseRecord(text), {
    projectSlug: facts?.projectSlug ?? project?.slug ?? "",
    fingerprints,
    metadata,
    culprit: facts?.issue.culprit ?? null,
    release,
    previousEventID: around.older,
    nextEventID: around.newer,
    size: text ? new TextEncoder().encode(text).byteLength : 0,
  });
}

async function issueEvent(request: IRequest, env: Env): Promise<Response> {
  const ctx = await issueFor(request, env, "event:read");
  const which = param(request, "eventId");
  let row: EventTableRow | null;
  if (which === "latest" || which === "recommended")
    row = await issueEventRow(env.DB, ctx.issue.id, "latest");
  else if (which === "oldest") row = await issueEventRow(env.DB, ctx.issue.id, "oldest");
  else {
    const eventId = normalizeEventId(which);
    if (!eventId) throw notFound();
    row = await issueEventRow(env.DB, ctx.issue.id, { eventId });
  }
  if (!row) throw notFound();
  const text = await payloadText(env, row);
  return json(
    await fullEvent(env, row, text, {
      issue: ctx.issue,
      projectSlug: ctx.project.slug,
      organizationId: ctx.org.id,
    }),
  );
}

async function projectEvent(request: IRequest, env: Env): Promise<Response> {
  const { project } = await requestProject(request, env, "event:read");
  const eventId = normalizeEventId(param(request, "eventId"));
  if (!eventId) throw notFound();
  const row = await projectEventRow(env.DB, project.id, eventId);
  if (!row) throw notFound();
  return json(await fullEvent(env, row, await payloadText(env, row), null));
}

export function registerEventRoutes(router: AppRouter): void {
  for (const base of [
    "/api/0/issues/:issueId/events/",
    "/api/0/organizations/:org/issues/:issueId/events/",
  ]) {
    router.get(base, async (req, env) => {
      const ctx = await issueFor(req, env, "event:read");
      return listEvents(req, env, { issueId: ctx.issue.id });
    });
    router.get(`${base}:eventId/`, (req, env) => issueEvent(req, env));
  }
  router.get("/api/0/projects/:org/:project/events/", async (req, env) => {
    const { project } = await requestProject(req, env, "event:read");
    return listEvents(req, env, { projectErrors: project.id });
  });
  router.get("/api/0/projects/:org/:project/events/:eventId/", (req, env) => projectEvent(req, env));
}
