// Trace search, in the shape of Sentry's `GET /organizations/{org}/traces/`: the traces whose root
// segment (the parentless transaction or OTLP root span, else the earliest) matches `query` (see
// protocol/telemetry-query.ts) in the time range and projects asked for, each trace once, newest
// first and paged by the `Link` header's cursor, each with its root's name, op, duration, status,
// release and environment and the whole trace's span and error counts.
import type { IRequest } from "itty-router";
import { shardDb } from "../../db/shards.ts";
import { searchTraceRoots, type TraceRootRow } from "../../db/telemetry-search.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_TRACE_SEARCH_PROJECTS, MAX_TRACE_SEARCH_RESULTS } from "../../limits.ts";
import { traceCursorOf, traceCursorText, traceSearchOf } from "../../protocol/telemetry-query.ts";
import { queryScope } from "../query-scope.ts";

function serialize(row: TraceRootRow, slugs: Map<number, string>) {
  return {
    trace: row.trace_id,
    project: slugs.get(row.project_id) ?? null,
    name: row.name,
    op: row.op,
    status: row.status,
    duration: row.duration_ms,
    start: Math.round(row.start_timestamp * 1000),
    end: Math.round(row.start_timestamp * 1000 + row.duration_ms),
    numSpans: row.span_count,
    numErrors: row.error_count,
    release: row.release,
    environment: row.environment,
    rootSpanId: row.span_id,
  };
}

async function searchTraces(request: IRequest, env: Env): Promise<Response> {
  const scope = await queryScope(request, env, "event:read");
  const url = new URL(request.url);
  const { search, unknown } = traceSearchOf(url.searchParams.get("query") ?? "");
  if (unknown.length > 0) throw badRequest(`Invalid query: unsupported search key ${unknown.join(", ")}`);
  if (scope.projects.length > MAX_TRACE_SEARCH_PROJECTS)
    throw badRequest(`Trace search covers at most ${MAX_TRACE_SEARCH_PROJECTS} projects: pass project=…`);
  const perPage = Math.min(
    Number(url.searchParams.get("per_page") ?? MAX_TRACE_SEARCH_RESULTS) || MAX_TRACE_SEARCH_RESULTS,
    MAX_TRACE_SEARCH_RESULTS,
  );
  const environment = search.environment ?? scope.environments[0];
  const cursor = url.searchParams.get("cursor");
  const after = cursor ? traceCursorOf(cursor) : null;
  if (cursor && !after) throw badRequest("Invalid cursor parameter.");
  // One row more than the page: whether a next page exists.
  const rows = await searchTraceRoots(
    shardDb(env, scope.org.shard),
    {
      ...search,
      ...(environment ? { environment } : {}),
      projectIds: scope.projects.map((p) => p.id),
      from: scope.start,
      to: scope.end,
    },
    perPage + 1,
    after,
  );
  const page = rows.slice(0, perPage);
  const slugs = new Map(scope.projects.map((p) => [p.id, p.slug]));
  const last = page[page.length - 1];
  const next = rows.length > perPage && last ? traceCursorText(last) : null;
  return json({ data: page.map((row) => serialize(row, slugs)), meta: { dataset: "spans" } }, 200, {
    link: traceLinks(url, next),
  });
}

/** Sentry's `Link` header: no previous page (the cursor only goes older), the next one when there is. */
function traceLinks(url: URL, next: string | null): string {
  const link = (rel: string, cursor: string | null) => {
    const target = new URL(url);
    if (cursor) target.searchParams.set("cursor", cursor);
    else target.searchParams.delete("cursor");
    return `<${target}>; rel="${rel}"; results="${cursor !== null}"; cursor="${cursor ?? ""}"`;
  };
  return `${link("previous", null)}, ${link("next", next)}`;
}

export function registerTraceSearchRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/traces/", (req, env) => searchTraces(req, env));
}
