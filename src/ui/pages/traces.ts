// Trace search: the traces whose root segment (a Sentry transaction or an OTLP root span: the
// parentless one, else the earliest) matches the search box (`key:value` terms, see
// protocol/telemetry-query.ts) and the fields beside it, each trace once, newest first, paged by
// cursor; each result opens the trace's waterfall.
import type { ProjectSummary } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { searchTraceRoots, type TraceRootRow } from "../../db/telemetry-search.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { MAX_TRACE_SEARCH_PROJECTS, MAX_TRACE_SEARCH_RESULTS } from "../../limits.ts";
import {
  parseDurationBound,
  type TraceSearch,
  traceCursorOf,
  traceCursorText,
  traceSearchOf,
} from "../../protocol/telemetry-query.ts";
import type { OrgCall } from "../call.ts";
import { duration, isoTime } from "../format.ts";
import { html, qs, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";
import {
  periodOf,
  periodSelect,
  pickedProjects,
  projectSelect,
  textField,
  truncatedNote,
} from "./explore-filters.ts";

/** The search box's terms, with the explicit fields on top; unknown keys are shown, not guessed. */
export function traceSearchFrom(url: URL): { search: TraceSearch; unknown: string[] } {
  const q = url.searchParams;
  const { search, unknown } = traceSearchOf(q.get("query") ?? "");
  const field = (name: string) => (q.get(name) ?? "").trim();
  if (field("trace")) search.traceId = field("trace").toLowerCase().replaceAll("-", "");
  if (field("name")) search.name = field("name");
  if (field("op")) search.op = field("op");
  if (field("status")) search.status = field("status");
  if (field("release")) search.release = field("release");
  if (field("environment")) search.environment = field("environment");
  const min = parseDurationBound(field("min_duration"));
  if (min) search.minDurationMs = min.ms;
  const max = parseDurationBound(field("max_duration"));
  if (max) search.maxDurationMs = max.ms;
  return { search, unknown };
}

function resultRow(o: string, r: TraceRootRow, slugs: Map<number, string>): SafeHtml {
  const failed = r.status !== null && r.status !== "ok";
  return html`<tr><td><a href="/organizations/${o}/performance/trace/${r.trace_id}/">${r.name}</a><div class="muted"><code>${r.trace_id}</code></div></td><td>${r.op ?? ""}</td><td>${failed ? html`<span class="badge regressed">${r.status}</span>` : (r.status ?? "")}</td><td class="num">${duration(r.duration_ms)}</td><td class="num">${r.span_count}</td><td class="num">${r.error_count}</td><td>${slugs.get(r.project_id) ?? ""}</td><td>${r.release ?? ""}</td><td>${r.environment ?? ""}</td><td class="num">${isoTime(r.start_timestamp)}</td></tr>`;
}

export function tracesView(
  ctx: PageContext,
  orgSlug: string,
  projects: readonly ProjectSummary[],
  rows: TraceRootRow[],
  unknown: string[],
  notice: SafeHtml | "" = "",
  /** The cursor of the next (older) page, when there is one. */
  older: string | null = null,
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const get = (name: string) => ctx.url.searchParams.get(name) ?? "";
  const slugs = new Map(projects.map((p) => [p.id, p.slug]));
  const form = html`<form method="get" class="filters panel" role="search" aria-label="Search traces">${textField("query", "Search", get("query"), "name or op:db duration:>250ms")}${textField("trace", "Trace id", get("trace"))}${textField("name", "Transaction / root span", get("name"))}${textField("op", "Op", get("op"))}${textField("status", "Status", get("status"), "ok, error…")}${textField("min_duration", "Min duration", get("min_duration"), "250ms")}${textField("max_duration", "Max duration", get("max_duration"), "2s")}${textField("release", "Release", get("release"))}${textField("environment", "Environment", get("environment"))}${projectSelect(projects, get("project"))}${periodSelect(get("period") || "24h")}<button type="submit">Search</button></form>`;
  const warning =
    unknown.length > 0
      ? html`<p class="flash error" role="alert">Unsupported search terms ignored: ${unknown.join(", ")}</p>`
      : "";
  const body =
    rows.length === 0
      ? html`<div class="panel empty"><p>No traces match.</p><p>Traces come from Sentry SDK transactions and spans and from OpenTelemetry exporters sending to <code>/api/{project_id}/integration/otlp/v1/traces</code>.</p></div>`
      : html`<div class="panel" style="padding:0;overflow:auto"><table class="stack" aria-label="Traces"><thead><tr><th>Root</th><th>Op</th><th>Status</th><th class="num">Duration</th><th class="num">Spans</th><th class="num">Errors</th><th>Project</th><th>Release</th><th>Environment</th><th class="num">Started</th></tr></thead><tbody>${rows.map((r) => resultRow(o, r, slugs))}</tbody></table></div>`;
  const q = ctx.url.searchParams;
  const pager = html`<div class="pager">${q.get("cursor") ? html`<a class="btn" href="${qs({ ...Object.fromEntries(q), cursor: null })}">Newest</a>` : ""}${older ? html`<a class="btn" rel="next" href="${qs({ ...Object.fromEntries(q), cursor: older })}">Older</a>` : ""}</div>`;
  return page(ctx, "traces", "Traces", html`<h1>Traces</h1>${form}${warning}${notice}${body}${pager}`);
}

export async function tracesPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const all = await projectsOf(env.DB, org.id);
  const { projects, truncated } = pickedProjects(ctx.url, all, MAX_TRACE_SEARCH_PROJECTS);
  const { search, unknown } = traceSearchFrom(ctx.url);
  const period = periodOf(ctx.url);
  const cursor = traceCursorOf(ctx.url.searchParams.get("cursor") ?? "") ?? null;
  // One row more than the page: whether an older page exists.
  const rows = await searchTraceRoots(
    shardDb(env, org.shard),
    { ...search, projectIds: projects.map((p) => p.id), from: ctx.now - period.seconds, to: ctx.now + 60 },
    MAX_TRACE_SEARCH_RESULTS + 1,
    cursor,
  );
  const shown = rows.slice(0, MAX_TRACE_SEARCH_RESULTS);
  const last = shown[shown.length - 1];
  const older = rows.length > MAX_TRACE_SEARCH_RESULTS && last ? traceCursorText(last) : null;
  return htmlResponse(
    tracesView(
      ctx,
      org.slug,
      all,
      shown,
      unknown,
      truncatedNote(truncated, MAX_TRACE_SEARCH_PROJECTS),
      older,
    ),
  );
}
