// Inbound filters as Sentry's API serves them: `GET /api/0/projects/{org}/{project}/filters/` lists the
// built-in filters with their state, `PUT …/filters/{filter_id}/` turns one on or off (`active`; the
// legacy-browsers filter takes `subfilters` too). The message, release and IP lists are project options
// (`filters:error_messages`, `filters:releases`, `filters:blacklisted_ips`) of `PUT /projects/…/`.
import type { IRequest } from "itty-router";
import { updateProject } from "../../db/tenant-projects.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { forgetProjectKeys } from "../../ingest/index.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import {
  type InboundFilters,
  LEGACY_BROWSER_SUBFILTERS,
  type LegacyBrowserSubfilter,
  parseStoredFilters,
  storeFilters,
} from "../../protocol/filters/index.ts";
import { notFound } from "../access.ts";
import { objectBody } from "../slugs.ts";
import { routeProject } from "./projects.ts";

type Toggle = "browserExtensions" | "localhost" | "webCrawlers" | "healthChecks";

/** Sentry's built-in filters: id, the setting it maps to, and the words Sentry shows. */
const BUILT_IN: { id: string; setting: Toggle | "legacyBrowsers"; name: string; description: string }[] = [
  {
    id: "browser-extensions",
    setting: "browserExtensions",
    name: "Filter out errors known to be caused by browser extensions",
    description: "Certain browser extensions will inject inline scripts and are known to cause errors.",
  },
  {
    id: "localhost",
    setting: "localhost",
    name: "Filter out events coming from localhost",
    description: "This applies to both IPv4 (``127.0.0.1``) and IPv6 (``::1``) addresses.",
  },
  {
    id: "filtered-transaction",
    setting: "healthChecks",
    name: "Filter out health check transactions",
    description: "Filter transactions that match most common naming patterns for health checks.",
  },
  {
    id: "legacy-browsers",
    setting: "legacyBrowsers",
    name: "Filter out known errors from legacy browsers",
    description:
      "Older browsers often give less accurate information, and while they may report valid issues, the context to understand them is incorrect or missing.",
  },
  {
    id: "web-crawlers",
    setting: "webCrawlers",
    name: "Filter out known web crawlers",
    description:
      "Some crawlers may execute pages in incompatible ways which then cause errors that are unlikely to be seen by a normal user.",
  },
];

function filterJson(filters: InboundFilters) {
  return BUILT_IN.map((f) => {
    const active =
      f.setting === "legacyBrowsers"
        ? filters.legacyBrowsers === "default"
          ? true
          : filters.legacyBrowsers.length > 0
            ? filters.legacyBrowsers
            : false
        : filters[f.setting];
    return { id: f.id, active, description: f.description, name: f.name, hello: `${f.id} - ${f.name}` };
  });
}

function legacyChange(body: Record<string, unknown>): InboundFilters["legacyBrowsers"] {
  if (body.subfilters !== undefined) {
    const subs = body.subfilters;
    if (
      !Array.isArray(subs) ||
      subs.some((s) => !(LEGACY_BROWSER_SUBFILTERS as readonly unknown[]).includes(s))
    ) {
      throw badRequest(`subfilters: each must be one of ${LEGACY_BROWSER_SUBFILTERS.join(", ")}`);
    }
    return [...new Set(subs as LegacyBrowserSubfilter[])];
  }
  if (typeof body.active !== "boolean") throw badRequest("active: must be true or false");
  return body.active ? "default" : [];
}

async function putFilter(req: IRequest, env: Env): Promise<Response> {
  const { project } = await routeProject(req, env, "project:write");
  const filter = BUILT_IN.find((f) => f.id === param(req, "filter"));
  if (!filter) throw notFound();
  const body = objectBody(await readJsonBody(req, MAX_API_JSON_BYTES));
  const filters = parseStoredFilters(project.inboundFilters);
  if (filter.setting === "legacyBrowsers") filters.legacyBrowsers = legacyChange(body);
  else {
    if (typeof body.active !== "boolean") throw badRequest("active: must be true or false");
    filters[filter.setting] = body.active;
  }
  await updateProject(env.DB, project, { inboundFilters: storeFilters(filters) });
  // Ingest reads filters with the DSN key (cached per isolate): drop the cache so they apply here at once.
  forgetProjectKeys();
  return new Response(null, { status: 201 });
}

export function registerProjectFilterRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/filters/", async (req, env) => {
    const { project } = await routeProject(req, env, "project:read");
    return json(filterJson(parseStoredFilters(project.inboundFilters)));
  });
  router.put("/api/0/projects/:org/:project/filters/:filter/", (req, env) => putFilter(req, env));
}
