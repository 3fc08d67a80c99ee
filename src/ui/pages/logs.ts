// Logs explorer: the organization's log records (Sentry SDK `log` items and OTLP logs alike), newest
// first, filtered by level, project, environment, release, body text, attribute `key:value` and trace
// id in a time range, with the volume by level as a histogram above. A row opens to its attributes and
// links to its trace (and that trace's errors). Paged by a (timestamp, id) cursor.
import type { ProjectSummary } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import {
  type LogCursor,
  type LogRow,
  logVolume,
  searchLogs,
  withPrefilter,
} from "../../db/telemetry-search.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { LOGS_PAGE_SIZE, MAX_TRACE_SEARCH_PROJECTS } from "../../limits.ts";
import { LOG_LEVELS, type LogSearch, logSearchOf } from "../../protocol/telemetry-query.ts";
import type { OrgCall } from "../call.ts";
import { stackedBarChart } from "../charts.ts";
import { isoTime } from "../format.ts";
import { html, qs, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";
import {
  periodOf,
  periodSelect,
  pickedProjects,
  projectSelect,
  select,
  textField,
  truncatedNote,
} from "./explore-filters.ts";

const HISTOGRAM_BUCKETS = 48;

function cursorOf(value: string | null): LogCursor | null {
  const match = /^(\d+(?:\.\d+)?):(\d+)$/.exec(value ?? "");
  return match?.[1] && match[2] ? { timestamp: Number(match[1]), id: Number(match[2]) } : null;
}

/** The search box's terms with the explicit fields (level, environment, release, trace) on top. */
export function logSearchFrom(url: URL): LogSearch {
  const q = url.searchParams;
  const search = logSearchOf(q.get("query") ?? "");
  const level = q.get("level") ?? "";
  if ((LOG_LEVELS as readonly string[]).includes(level)) search.levels = [level];
  const set = (key: "environment" | "release", value: string | null) => {
    if (value) search[key] = value;
  };
  set("environment", q.get("environment"));
  set("release", q.get("release"));
  const trace = (q.get("trace") ?? "").trim().toLowerCase().replaceAll("-", "");
  if (trace) search.traceId = trace;
  return search;
}

function attributesTable(json: string): SafeHtml {
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(json) as Record<string, unknown>;
  } catch {
    attributes = {};
  }
  const entries = Object.entries(attributes);
  if (entries.length === 0) return html`<p class="muted">No attributes.</p>`;
  return html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd><code>${typeof v === "string" ? v : JSON.stringify(v)}</code></dd>`)}</dl>`;
}

function logRow(o: string, row: LogRow, slugs: Map<number, string>): SafeHtml {
  const trace = row.trace_id
    ? html`<p><a href="/organizations/${o}/performance/trace/${row.trace_id}/">This trace</a> · <a href="/organizations/${o}/performance/trace/${row.trace_id}/#errors">Errors in this trace</a> · <a href="/organizations/${o}/explore/logs/${qs({ trace: row.trace_id, period: "30d" })}">Logs of this trace</a></p>`
    : "";
  return html`<tr data-log-id="${row.id}"><td class="num" title="${isoTime(row.timestamp)}">${isoTime(row.timestamp)}</td><td><span class="lvl lvl-${row.level}"></span>${row.level}</td><td><details><summary>${row.body}</summary>${trace}<p class="muted">${slugs.get(row.project_id) ?? ""}${row.release ? html` · release <code>${row.release}</code>` : ""}${row.environment ? html` · ${row.environment}` : ""}${row.trace_id ? html` · trace <code>${row.trace_id}</code>` : ""}${row.span_id ? html` · span <code>${row.span_id}</code>` : ""}</p>${attributesTable(row.attributes)}</details></td></tr>`;
}

export function logsView(
  ctx: PageContext,
  orgSlug: string,
  projects: readonly ProjectSummary[],
  rows: LogRow[],
  volume: { at: number; level: string; n: number }[],
  range: { from: number; to: number; bucket: number },
  notice: SafeHtml | "" = "",
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const q = ctx.url.searchParams;
  const get = (name: string) => q.get(name) ?? "";
  const slugs = new Map(projects.map((p) => [p.id, p.slug]));
  const first = Math.floor(range.from / range.bucket);
  // From the bucket holding `from` through the one holding `to`, both partial.
  const bars = Array.from({ length: Math.floor(range.to / range.bucket) - first + 1 }, (_, i) => ({
    label: isoTime((first + i) * range.bucket),
    values: {} as Record<string, number>,
  }));
  for (const v of volume) {
    const bar = bars[Math.floor(v.at / range.bucket) - first];
    if (bar) bar.values[v.level] = (bar.values[v.level] ?? 0) + v.n;
  }
  const last = rows[rows.length - 1];
  const older =
    rows.length === LOGS_PAGE_SIZE && last
      ? html`<a class="btn" rel="next" href="${qs({ ...Object.fromEntries(q), cursor: `${last.timestamp}:${last.id}` })}">Older</a>`
      : "";
  const form = html`<form method="get" class="filters panel" role="search" aria-label="Filter logs">${textField("query", "Search", get("query"), "text or key:value")}${select("level", "Level", [["", "All levels"], ...LOG_LEVELS.map((l): [string, string] => [l, l])], get("level"))}${projectSelect(projects, get("project"))}${textField("environment", "Environment", get("environment"))}${textField("release", "Release", get("release"))}${textField("trace", "Trace id", get("trace"))}${periodSelect(get("period") || "24h")}<button type="submit">Apply</button></form>`;
  const table =
    rows.length === 0
      ? html`<div class="panel empty"><p>No log records match.</p><p>Send logs with a Sentry SDK (<code>enableLogs</code>) or an OpenTelemetry exporter to <code>/api/{project_id}/integration/otlp/v1/logs</code>.</p></div>`
      : html`<div class="panel" style="padding:0;overflow:auto"><table class="logs stack" aria-label="Log records"><thead><tr><th class="num">Time</th><th>Level</th><th>Message</th></tr></thead><tbody>${rows.map((r) => logRow(o, r, slugs))}</tbody></table></div>`;
  return page(
    ctx,
    "logs",
    "Logs",
    html`<h1>Logs</h1>${form}${notice}<div class="panel" aria-label="Log volume by level">${stackedBarChart(bars, LOG_LEVELS)}</div>${table}<div class="pager">${q.get("cursor") ? html`<a class="btn" href="${qs({ ...Object.fromEntries(q), cursor: null })}">Newest</a>` : ""}${older}</div>`,
  );
}

export async function logsPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const all = await projectsOf(env.DB, org.id);
  const { projects, truncated } = pickedProjects(ctx.url, all, MAX_TRACE_SEARCH_PROJECTS);
  const period = periodOf(ctx.url);
  // A minute ahead: records dated by a client clock slightly ahead of ours still show.
  const to = ctx.now + 60;
  const from = to - period.seconds;
  const bucket = Math.max(60, Math.ceil(period.seconds / HISTOGRAM_BUCKETS));
  const asked = { ...logSearchFrom(ctx.url), projectIds: projects.map((p) => p.id), from, to };
  // The full-text terms are probed once, for both the page and the histogram.
  const filters = await withPrefilter(shardDb(env, org.shard), asked);
  const [rows, volume] = await Promise.all([
    searchLogs(
      shardDb(env, org.shard),
      filters,
      cursorOf(ctx.url.searchParams.get("cursor")),
      LOGS_PAGE_SIZE,
    ),
    logVolume(shardDb(env, org.shard), filters, bucket),
  ]);
  return htmlResponse(
    logsView(
      ctx,
      org.slug,
      all,
      rows,
      volume,
      { from, to, bucket },
      truncatedNote(truncated, MAX_TRACE_SEARCH_PROJECTS),
    ),
  );
}
