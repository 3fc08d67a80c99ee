// DSN keys: `GET/POST /api/0/projects/{org}/{project}/keys/` and `GET/PUT/DELETE …/keys/{public_key}/`
// (PUT: name, isActive, rateLimit). Ingest reads keys and their limits through a per-isolate cache
// (ingest/project-keys.ts, 10 s) and hands them to the project's Durable Object with every batch, so a
// change applies here at once and in every other isolate within the cache lifetime.
import type { IRequest } from "itty-router";
import { createKey, deleteKey, getKey, listKeys, updateKey } from "../../db/tenant-projects.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { forgetProjectKeys } from "../../ingest/index.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { notFound, type Scope } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import {
  newKeyPair,
  parseProjectKeyChanges,
  parseProjectKeyCreate,
  serializeProjectKey,
} from "../serializers/project-key.ts";
import { originOf } from "../tenant-access.ts";
import { routeProject } from "./projects.ts";

async function routeKey(req: IRequest, env: Env, scope: Scope) {
  const { project } = await routeProject(req, env, scope);
  const key = await getKey(env.DB, project.id, param(req, "keyId"));
  if (!key) throw notFound();
  return key;
}

export function registerProjectKeyRoutes(router: AppRouter): void {
  const base = "/api/0/projects/:org/:project/keys";

  router.get(`${base}/`, async (req, env) => {
    const { project } = await routeProject(req, env, "project:read");
    const url = new URL(req.url);
    const page = pageFrom(url);
    const status = url.searchParams.get("status");
    if (status !== null && status !== "" && status !== "active" && status !== "inactive")
      throw badRequest("status must be active or inactive");
    const { rows, hasMore } = await listKeys(
      env.DB,
      project.id,
      status === "active" || status === "inactive" ? status : null,
      page,
    );
    const origin = originOf(req);
    return json(
      rows.map((k) => serializeProjectKey(k, origin)),
      200,
      { link: linkHeader(url, page, hasMore) },
    );
  });

  router.post(`${base}/`, async (req, env) => {
    const { project } = await routeProject(req, env, "project:write");
    const input = parseProjectKeyCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    const key = await createKey(env.DB, project.id, { ...input, ...newKeyPair() });
    return json(serializeProjectKey(key, originOf(req)), 201);
  });

  router.get(`${base}/:keyId/`, async (req, env) => {
    const key = await routeKey(req, env, "project:read");
    return json(serializeProjectKey(key, originOf(req)));
  });

  router.put(`${base}/:keyId/`, async (req, env) => {
    const key = await routeKey(req, env, "project:write");
    const changes = parseProjectKeyChanges(await readJsonBody(req, MAX_API_JSON_BYTES));
    const updated = await updateKey(env.DB, key, changes);
    forgetProjectKeys();
    return json(serializeProjectKey(updated, originOf(req)));
  });

  router.delete(`${base}/:keyId/`, async (req, env) => {
    const key = await routeKey(req, env, "project:admin");
    await deleteKey(env.DB, key);
    forgetProjectKeys();
    return new Response(null, { status: 204 });
  });
}
