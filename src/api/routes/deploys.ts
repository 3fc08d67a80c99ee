// Deploys of a release (`sentry-cli deploys new/list`): `GET/POST
// /api/0/organizations/{org}/releases/{version}/deploys/`.
import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { deploys } from "../../db/schema.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { parseDeploy, serializeDeploy } from "../serializers/deploy.ts";
import { routeRelease } from "./releases.ts";

export function registerDeployRoutes(router: AppRouter): void {
  const path = "/api/0/organizations/:org/releases/:version/deploys/";

  router.get(path, async (req, env) => {
    const { release } = await routeRelease(req, env, false);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const rows = await drizzle(env.DB)
      .select()
      .from(deploys)
      .where(eq(deploys.releaseId, release.id))
      .orderBy(desc(deploys.dateFinished), desc(deploys.id))
      .limit(page.limit + 1)
      .offset(page.offset);
    return json(
      rows.slice(0, page.limit).map((row) => serializeDeploy(row)),
      200,
      { link: linkHeader(url, page, rows.length > page.limit) },
    );
  });

  router.post(path, async (req, env) => {
    const { release } = await routeRelease(req, env, true);
    const input = parseDeploy(await readJsonBody(req, MAX_API_JSON_BYTES), Date.now() / 1000);
    const [row] = await drizzle(env.DB)
      .insert(deploys)
      .values({ releaseId: release.id, ...input })
      .returning();
    if (!row) throw new Error("deploy insert returned no row");
    return json(serializeDeploy(row), 201);
  });
}
