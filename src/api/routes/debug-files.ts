// Debug files of a project: `POST …/files/difs/assemble/` (Sentry's assemble state machine over the
// organization's uploaded chunks) and `GET`/`DELETE …/files/dsyms/` (list, `?id=` download, delete).
import type { IRequest } from "itty-router";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { DEBUG_FILES_PAGE_SIZE, MAX_API_JSON_BYTES } from "../../limits.ts";
import {
  assembleFiles,
  deleteDebugFiles,
  getDebugFile,
  listDebugFiles,
  parseAssembleRequest,
  readDebugFile,
  scheduleLateSymbolication,
} from "../../symbol-service/index.ts";
import { authenticate, notFound, projectFor, requestProject } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { downloadFileName, serializeAssembleStatus, serializeDebugFile } from "../serializers/debug-file.ts";
import { projectForAnyScope } from "./releases.ts";

async function handleAssemble(request: IRequest, env: Env, ctx: ExecutionContext): Promise<Response> {
  const { org, project } = await requestProject(request, env, "project:releases");
  const files = parseAssembleRequest(await readJsonBody(request, MAX_API_JSON_BYTES));
  const answers = await assembleFiles(
    {
      db: env.DB,
      events: shardDb(env, org.shard),
      bucket: env.BLOBS,
      organizationId: org.id,
      projectId: project.id,
      waitUntil: (promise) => ctx.waitUntil(promise),
      scheduleLate: (delayMs) => scheduleLateSymbolication(env, project.id, delayMs),
    },
    files,
  );
  // Every poll also arms the project's alarm, for jobs queued while its object could not be told.
  ctx.waitUntil(
    scheduleLateSymbolication(env, project.id).catch((error: unknown) =>
      console.error("late symbolication alarm", error),
    ),
  );
  const body: Record<string, unknown> = {};
  for (const [checksum, status] of answers) body[checksum] = serializeAssembleStatus(status);
  return json(body);
}

function debugFileId(url: URL): number {
  const id = url.searchParams.get("id") ?? "";
  if (!/^\d{1,15}$/.test(id)) throw badRequest("id: expected a debug file id");
  return Number(id);
}

async function handleList(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const caller = await authenticate(request, env);
  if (url.searchParams.has("id")) {
    // Downloading the bytes needs the upload permission, listing only read access.
    const { project } = await projectFor(
      env,
      caller,
      param(request, "org"),
      param(request, "project"),
      "project:releases",
    );
    const row = await getDebugFile(env.DB, project.id, debugFileId(url));
    const object = row ? await readDebugFile(env.BLOBS, row.blobKey) : null;
    if (!row || !object) throw notFound();
    return new Response(object.body, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(object.size),
        "content-disposition": `attachment; filename="${downloadFileName(row)}"`,
      },
    });
  }
  const { project } = await projectForAnyScope(env, caller, param(request, "org"), param(request, "project"));
  const page = pageFrom(url, DEBUG_FILES_PAGE_SIZE);
  const rows = await listDebugFiles(
    env.DB,
    project.id,
    {
      query: url.searchParams.get("query"),
      debugId: url.searchParams.get("debug_id"),
      codeId: url.searchParams.get("code_id"),
      formats: url.searchParams.getAll("file_formats").filter(Boolean),
    },
    page,
  );
  const hasMore = rows.length > page.limit;
  return json(
    rows.slice(0, page.limit).map((row) => serializeDebugFile(row)),
    200,
    { link: linkHeader(url, page, hasMore) },
  );
}

async function handleDelete(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const { project } = await requestProject(request, env, "project:releases");
  const row = await getDebugFile(env.DB, project.id, debugFileId(url));
  if (!row) throw notFound();
  await deleteDebugFiles(env.DB, env.BLOBS, [row]);
  return new Response(null, { status: 204 });
}

export function registerDebugFileRoutes(router: AppRouter): void {
  for (const slash of ["/", ""]) {
    router.post(`/api/0/projects/:org/:project/files/difs/assemble${slash}`, handleAssemble);
    router.get(`/api/0/projects/:org/:project/files/dsyms${slash}`, handleList);
    router.delete(`/api/0/projects/:org/:project/files/dsyms${slash}`, handleDelete);
  }
}
