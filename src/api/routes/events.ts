// Events (Sentry's event endpoints): an issue's events (list, latest/oldest/recommended or by id) and a
// project's events (list, by id). The normalized payload lives in `events.payload`, or in R2 under
// `events.payload_key` when it was too large for a row.
import type { IRequest } from "itty-router";
import type { EventTableRow } from "../../db/rows.ts";
import type { Env } from "../../env.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { notFound, requestProject } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { type EventRecord, serializeEvent, serializeEventListItem } from "../serializers/event.ts";
import type { IssueRecord } from "../serializers/issue.ts";
import { issueFor } from "./issues.ts";
import { findRelease, releaseJson } from "./releases.ts";

type JsonRecord = { [key: string]: JsonValue };
type JsonValue = null | boolean | number | string | JsonValue[] | JsonRecord;

const EVENT_COLUMNS =
  "ev.project_id, ev.event_id, ev.issue_id, ev.type, ev.timestamp, ev.received, ev.level, ev.platform, ev.release, ev.environment, ev.user_key, ev.title, ev.message, ev.transaction_name";

/**
 * The fields of the payload a list item shows, extracted in SQL so a page of events does not read
 * whole payloads (object fields through json() so they stay JSON inside json_object).
 */
const SUMMARY_COLUMN = `CASE WHEN ev.payload IS NULL THEN NULL ELSE json_object(
  'tags', json(json_extract(ev.payload, '$.tags')),
  'user', json(json_extract(ev.payload, '$.user')),
  'logentry', json(json_extract(ev.payload, '$.logentry')),
  'message', json_extract(ev.payload, '$.message'),
  'culprit', json_extract(ev.payload, '$.culprit'),
  'dist', json_extract(ev.payload, '$.dist'),
  'logger', json_extract(ev.payload, '$.logger'),
  'server_name', json_extract(ev.payload, '$.server_name'),
  'request', json_object('url', json_extract(ev.payload, '$.request.url')),
  'contexts', json_object(
    'os', json(json_extract(ev.payload, '$.contexts.os')),
    'runtime', json(json_extract(ev.payload, '$.contexts.runtime')),
    'browser', json(json_extract(ev.payload, '$.contexts.browser'))),
  'exception', json(json_extract(ev.payload, '$.exception'))
) END AS summary`;

type EventRowWithPayload = EventRecord & Pick<EventTableRow, "payload" | "payload_key">;

type EventRowWithSummary = EventRecord &
  Partial<Pick<EventTableRow, "payload" | "payload_key">> & { summary: string | null };

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
export async function payloadText(env: Env, row: { payload?: string | null; payload_key?: string | null }) {
  if (row.payload) return row.payload;
  if (!row.payload_key) return null;
  const object = await env.BLOBS.get(row.payload_key);
  return object ? object.text() : null;
}

/** Sentry event ids are 32 hex characters; a UUID with dashes names the same event. */
function normalizeEventId(value: string): string | null {
  const id = value.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

async function listEvents(
  request: IRequest,
  env: Env,
  condition: { sql: string; params: (string | number)[] },
): Promise<Response> {
  const url = new URL(request.url);
  const page = pageFrom(url);
  const full = url.searchParams.get("full") === "true" || url.searchParams.get("full") === "1";
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  let where = condition.sql;
  const params: (string | number)[] = [...condition.params];
  if (environments.length > 0) {
    where += ` AND ev.environment IN (${environments.map(() => "?").join(",")})`;
    params.push(...environments);
  }
  const columns = full
    ? `${EVENT_COLUMNS}, ev.payload, ev.payload_key`
    : `${EVENT_COLUMNS}, ${SUMMARY_COLUMN}`;
  const rows = (
    await env.DB.prepare(
      `SELECT ${columns} FROM events ev WHERE ${where} ORDER BY ev.timestamp DESC, ev.event_id DESC LIMIT ? OFFSET ?`,
    )
      .bind(...params, page.limit + 1, page.offset)
      .all<EventRowWithSummary>()
  ).results;
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
  const found = await env.DB.prepare(
    `SELECT i.id, i.metadata, i.culprit, i.primary_hash, p.slug AS project_slug, p.organization_id
     FROM issues i JOIN projects p ON p.id = i.project_id WHERE i.id = ?`,
  )
    .bind(row.issue_id)
    .first<{
      id: number;
      metadata: string;
      culprit: string;
      primary_hash: string;
      project_slug: string;
      organization_id: number;
    }>();
  if (!found) return null;
  return { issue: found, projectSlug: found.project_slug, organizationId: found.organization_id };
}

/** The neighbours of an event in its issue (or its project when it has none), by time then id. */
async function neighbours(db: D1Database, row: EventRecord) {
  const scope = row.issue_id !== null ? "issue_id = ?" : "project_id = ? AND issue_id IS NULL";
  const scopeParam = row.issue_id ?? row.project_id;
  const find = (after: boolean) =>
    db
      .prepare(
        `SELECT event_id FROM events WHERE ${scope} AND (timestamp ${after ? ">" : "<"} ? OR (timestamp = ? AND event_id ${after ? ">" : "<"} ?))
         ORDER BY timestamp ${after ? "ASC" : "DESC"}, event_id ${after ? "ASC" : "DESC"} LIMIT 1`,
      )
      .bind(scopeParam, row.timestamp, row.timestamp, row.event_id)
      .first<{ event_id: string }>();
  const [next, previous] = await Promise.all([find(true), find(false)]);
  return { next: next?.event_id ?? null, previous: previous?.event_id ?? null };
}

export async function fullEvent(env: Env, row: EventRecord, text: string | null, known: IssueFacts | null) {
  const facts = await issueFacts(env, row, known);
  const [hashes, around, release, project] = await Promise.all([
    facts
      ? env.DB.prepare("SELECT hash FROM issue_hashes WHERE issue_id = ?")
          .bind(facts.issue.id)
          .all<{ hash: string }>()
      : null,
    neighbours(env.DB, row),
    (async () => {
      if (!row.release) return null;
      const orgId =
        facts?.organizationId ??
        (
          await env.DB.prepare("SELECT organization_id FROM projects WHERE id = ?")
            .bind(row.project_id)
            .first<{ organization_id: number }>()
        )?.organization_id;
      const found = orgId === undefined ? null : await findRelease(env.DB, orgId, row.release);
      return found ? releaseJson(env.DB, found) : null;
    })(),
    facts
      ? null
      : env.DB.prepare("SELECT slug FROM projects WHERE id = ?")
          .bind(row.project_id)
          .first<{ slug: string }>(),
  ]);
  const primary = facts?.issue.primary_hash;
  const fingerprints = (hashes?.results ?? [])
    .map((h) => h.hash)
    .sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
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
    previousEventID: around.previous,
    nextEventID: around.next,
    size: text ? new TextEncoder().encode(text).byteLength : 0,
  });
}

async function issueEvent(request: IRequest, env: Env): Promise<Response> {
  const ctx = await issueFor(request, env, "event:read");
  const which = param(request, "eventId");
  const base = `SELECT ${EVENT_COLUMNS}, ev.payload, ev.payload_key FROM events ev WHERE ev.issue_id = ?`;
  let row: EventRowWithPayload | null;
  if (which === "latest" || which === "recommended") {
    row = await env.DB.prepare(`${base} ORDER BY ev.timestamp DESC, ev.event_id DESC LIMIT 1`)
      .bind(ctx.issue.id)
      .first<EventRowWithPayload>();
  } else if (which === "oldest") {
    row = await env.DB.prepare(`${base} ORDER BY ev.timestamp ASC, ev.event_id ASC LIMIT 1`)
      .bind(ctx.issue.id)
      .first<EventRowWithPayload>();
  } else {
    const eventId = normalizeEventId(which);
    if (!eventId) throw notFound();
    row = await env.DB.prepare(`${base} AND ev.project_id = ? AND ev.event_id = ?`)
      .bind(ctx.issue.id, ctx.project.id, eventId)
      .first<EventRowWithPayload>();
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
  const row = await env.DB.prepare(
    `SELECT ${EVENT_COLUMNS}, ev.payload, ev.payload_key FROM events ev WHERE ev.project_id = ? AND ev.event_id = ?`,
  )
    .bind(project.id, eventId)
    .first<EventRowWithPayload>();
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
      return listEvents(req, env, { sql: "ev.issue_id = ?", params: [ctx.issue.id] });
    });
    router.get(`${base}:eventId/`, (req, env) => issueEvent(req, env));
  }
  router.get("/api/0/projects/:org/:project/events/", async (req, env) => {
    const { project } = await requestProject(req, env, "event:read");
    return listEvents(req, env, {
      sql: "ev.project_id = ? AND ev.type <> 'transaction'",
      params: [project.id],
    });
  });
  router.get("/api/0/projects/:org/:project/events/:eventId/", (req, env) => projectEvent(req, env));
}
