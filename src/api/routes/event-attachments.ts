// Sentry's event-attachment endpoints: list an event's attachments, read one (JSON, or its bytes with
// `?download`), delete one. Reading needs event:read; deleting event:admin, as deleting an issue does.
import type { IRequest } from "itty-router";
import { deleteBlobs, readBlobStream } from "../../blobs/event-blobs.ts";
import {
  deleteEventAttachment,
  eventAttachment,
  eventExists,
  listEventAttachments,
} from "../../db/attachments.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { normalizeEventId } from "../../protocol/envelope.ts";
import type { Scope } from "../access.ts";
import { notFound, requestProject } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { serializeEventAttachment } from "../serializers/event-attachment.ts";

const BASE = "/api/0/projects/:org/:project/events/:eventId/attachments/";

async function eventScope(request: IRequest, env: Env, scope: Scope) {
  const { org, project } = await requestProject(request, env, scope);
  const eventId = normalizeEventId(param(request, "eventId"));
  const events = shardDb(env, org.shard);
  if (!eventId || !(await eventExists(events, project.id, eventId))) throw notFound();
  return { projectId: project.id, eventId, events };
}

function attachmentId(request: IRequest): number {
  const raw = param(request, "attachmentId");
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw notFound();
  return id;
}

/** Forced download: the SDK's content type is kept, but a browser never renders the bytes inline. */
function download(body: ReadableStream, size: number, name: string, contentType: string): Response {
  const fallback = name.replace(/[^\w.-]+/g, "_").slice(0, 120) || "attachment";
  return new Response(body, {
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "content-length": String(size),
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox",
      "cache-control": "private, no-store",
    },
  });
}

export function registerEventAttachmentRoutes(router: AppRouter): void {
  router.get(BASE, async (req, env) => {
    const { projectId, eventId, events } = await eventScope(req, env, "event:read");
    const url = new URL(req.url);
    const page = pageFrom(url);
    const rows = await listEventAttachments(events, projectId, eventId, page.offset, page.limit);
    const more = rows.length > page.limit;
    return json(rows.slice(0, page.limit).map(serializeEventAttachment), 200, {
      link: linkHeader(url, page, more),
    });
  });
  router.get(`${BASE}:attachmentId/`, async (req, env) => {
    const { projectId, eventId, events } = await eventScope(req, env, "event:read");
    const row = await eventAttachment(events, projectId, eventId, attachmentId(req));
    if (!row) throw notFound();
    if (!new URL(req.url).searchParams.has("download")) return json(serializeEventAttachment(row));
    const bytes = await readBlobStream(env.BLOBS, row.blob_key);
    if (!bytes) throw notFound();
    return download(bytes.body, bytes.size, row.name, row.content_type);
  });
  router.delete(`${BASE}:attachmentId/`, async (req, env) => {
    const { projectId, eventId, events } = await eventScope(req, env, "event:admin");
    const key = await deleteEventAttachment(events, projectId, eventId, attachmentId(req));
    if (!key) throw notFound();
    await deleteBlobs(env.BLOBS, [key]);
    return new Response(null, { status: 204 });
  });
}
