// Deploys of a release (`sentry-cli deploys new/list`): `GET/POST
// /api/0/organizations/{org}/releases/{version}/deploys/`.
import { deployPage, insertDeploy } from "../../db/releases.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { routeRelease } from "../release-scope.ts";
import { parseDeploy, serializeDeploy } from "../serializers/deploy.ts";

export function registerDeployRoutes(router: AppRouter): void {
  const path = "/api/0/organizations/:org/releases/:version/deploys/";

  router.get(path, async (req, env) => {
    const { release, events } = await routeRelease(req, env, false);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const rows = await deployPage(events, release.id, { limit: page.limit + 1, offset: page.offset });
    return json(
      rows.slice(0, page.limit).map((row) => serializeDeploy(row)),
      200,
      { link: linkHeader(url, page, rows.length > page.limit) },
    );
  });

  router.post(path, async (req, env) => {
    const { release, events } = await routeRelease(req, env, true);
    const input = parseDeploy(await readJsonBody(req, MAX_API_JSON_BYTES), Date.now() / 1000);
    return json(serializeDeploy(await insertDeploy(events, release.id, input)), 201);
  });
}
