// Sentry's events API (`GET /organizations/{org}/events/`): rows or aggregates of the errors,
// transactions, spans or logs of the caller's projects, as Discover/Explore and Sentry's MCP server
// query them; and `events/validate/`, which the MCP server asks before each search.
import type { IRequest } from "itty-router";
import { checkConditions, fieldType, queryTable } from "../../db/discover.ts";
import { type Dataset, datasetFor } from "../../db/discover-columns.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_QUERY_FIELDS } from "../../limits.ts";
import { parseSearchQuery, type SearchNode } from "../../protocol/search-syntax.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { queryScope } from "../query-scope.ts";

export interface EventsRequest {
  dataset: Dataset;
  fields: string[];
  query: SearchNode | null;
  sort: string[];
}

const isFunction = (field: string) => /\(.*\)$/.test(field);

/** `-last_seen`/`-count` as the MCP server's error search sends them mean the selected functions. */
export function sortKeys(url: URL, fields: string[]): string[] {
  const given = [...url.searchParams.getAll("sort"), ...url.searchParams.getAll("orderby")].filter(
    (s) => s.trim() !== "",
  );
  const keys = given.map((key) => {
    const descending = key.startsWith("-");
    const name = descending ? key.slice(1) : key;
    const fn = `${name}()`;
    return !isFunction(name) && !fields.includes(name) && fields.includes(fn)
      ? `${descending ? "-" : ""}${fn}`
      : key;
  });
  if (keys.length > 0) return keys;
  return fields.some(isFunction) ? [] : ["-timestamp"];
}

export function eventsRequest(url: URL): EventsRequest {
  const dataset = datasetFor(url.searchParams.get("dataset"));
  const fields = [...new Set(url.searchParams.getAll("field").filter((f) => f.trim() !== ""))];
  if (fields.length === 0) throw badRequest("No columns selected");
  if (fields.length > MAX_QUERY_FIELDS)
    throw badRequest(`At most ${MAX_QUERY_FIELDS} fields can be selected`);
  const query = parseSearchQuery(url.searchParams.get("query"));
  return { dataset, fields, query, sort: sortKeys(url, fields) };
}

async function listEvents(request: IRequest, env: Env): Promise<Response> {
  const scope = await queryScope(request, env, "event:read");
  const url = new URL(request.url);
  const q = eventsRequest(url);
  const page = pageFrom(url, 50);
  const result = await queryTable(
    shardDb(env, scope.org.shard),
    { projectIds: scope.projects.map((p) => p.id), ...scope },
    { ...q, limit: page.limit, offset: page.offset },
  );
  const body = {
    data: result.data,
    meta: {
      fields: result.meta.fields,
      units: result.meta.units,
      isMetricsData: false,
      isMetricsExtractedData: false,
      tips: {},
      datasetReason: "unchanged",
      dataset: q.dataset,
    },
  };
  return json(body, 200, { link: linkHeader(url, page, result.hasMore) });
}

const problem = (run: () => void): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof FaultlineError) return error.detail;
    throw error;
  }
};

const ATTRIBUTE_TYPES: Record<string, "string" | "number" | "boolean"> = {
  string: "string",
  date: "string",
  boolean: "boolean",
  integer: "number",
  number: "number",
  duration: "number",
};

/** `events/validate/`: whether each part of a search would run, and why not (400 when invalid). */
async function validateEvents(request: IRequest, env: Env): Promise<Response> {
  const scope = await queryScope(request, env, "event:read");
  const url = new URL(request.url);
  let dataset: Dataset = "discover";
  const datasetError = problem(() => {
    dataset = datasetFor(url.searchParams.get("dataset"));
  });
  const attribute = (name: string) => {
    let type: string | null = null;
    const error = datasetError
      ? null
      : problem(() => {
          type = fieldType(dataset, name);
        });
    return { name, valid: error === null, attrType: type ? (ATTRIBUTE_TYPES[type] ?? null) : null, error };
  };
  const fields = url.searchParams.getAll("field").map(attribute);
  let query: SearchNode | null = null;
  const queryError = problem(() => {
    query = parseSearchQuery(url.searchParams.get("query"));
    if (!datasetError) checkConditions(dataset, query, scope.now);
  });
  const orderby = url.searchParams
    .getAll("orderby")
    .concat(url.searchParams.getAll("sort"))
    .filter((s) => s !== "")
    .map((s) => attribute(s.replace(/^-/, "")));
  const body = {
    valid: !datasetError && !queryError && [...fields, ...orderby].every((f) => f.valid),
    projects: scope.projects.map(() => ({ valid: true, error: null })),
    dataset: [
      { name: url.searchParams.get("dataset") ?? "discover", valid: !datasetError, error: datasetError },
    ],
    environment: scope.environments.map(() => ({ valid: true, error: null })),
    field: fields,
    query: { valid: queryError === null, error: queryError, fields: [] },
    orderby,
  };
  if (body.valid) return json(body, 200);
  // Every 4xx carries Sentry's `detail`: the first reason, beside the per-part answers clients read.
  const reason =
    datasetError ?? queryError ?? [...fields, ...orderby].find((f) => !f.valid)?.error ?? "Invalid query.";
  return json({ detail: reason, ...body }, 400);
}

export function registerDiscoverEventRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/events/", (req, env) => listEvents(req, env));
  router.get("/api/0/organizations/:org/events/validate/", (req, env) => validateEvents(req, env));
}
