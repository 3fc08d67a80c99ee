// Trace view: the trace's spans as a waterfall (tree order, offset and width by time) with op, status and
// duration, and the error events that carry the trace id. Spans from all the organization's projects.

import { traceOf } from "../../db/events.ts";
import type { SpanRow, TraceError } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import type { OrgCall } from "../call.ts";
import { duration, isoTime } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

export interface WaterfallRow {
  span: SpanRow;
  depth: number;
  /** Offset and width in percent of the trace's time range. */
  left: number;
  width: number;
}

/** Orders spans depth-first from the roots (spans whose parent is absent), children by start time. */
export function waterfall(spans: readonly SpanRow[]): { rows: WaterfallRow[]; start: number; end: number } {
  if (spans.length === 0) return { rows: [], start: 0, end: 0 };
  const start = Math.min(...spans.map((s) => s.start_timestamp));
  const end = Math.max(...spans.map((s) => s.end_timestamp));
  const range = Math.max(end - start, 1e-6);
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, SpanRow[]>();
  const roots: SpanRow[] = [];
  for (const s of spans) {
    if (s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id)
      children.set(s.parent_span_id, [...(children.get(s.parent_span_id) ?? []), s]);
    else roots.push(s);
  }
  const byStart = (a: SpanRow, b: SpanRow) =>
    a.start_timestamp - b.start_timestamp || a.span_id.localeCompare(b.span_id);
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (s: SpanRow, depth: number) => {
    if (seen.has(s.span_id)) return;
    seen.add(s.span_id);
    rows.push({
      span: s,
      depth,
      left: ((s.start_timestamp - start) / range) * 100,
      width: Math.max(0.3, ((s.end_timestamp - s.start_timestamp) / range) * 100),
    });
    for (const c of (children.get(s.span_id) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return { rows, start, end };
}

const isError = (status: string | null) =>
  status !== null && status !== "ok" && status !== "unset" && status !== "";

interface SpanEvent {
  name?: string;
  timestamp?: number | null;
  attributes?: Record<string, unknown>;
}

const shown = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** A span's attributes, and its OTLP span events (exceptions first-class), behind a disclosure. */
function spanDetails(span: SpanRow): SafeHtml {
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(span.attributes ?? "{}") as Record<string, unknown>;
  } catch {
    attributes = {};
  }
  const { "otel.events": rawEvents, ...rest } = attributes;
  const events = Array.isArray(rawEvents) ? (rawEvents as SpanEvent[]) : [];
  const entries = Object.entries(rest);
  return html`<details class="panel span-details" data-span-id="${span.span_id}"><summary>${span.name} <span class="muted">${span.op ?? ""} · <code>${span.span_id}</code>${events.length > 0 ? ` · ${events.length} event${events.length === 1 ? "" : "s"}` : ""}</span></summary>${entries.length > 0 ? html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd><code>${shown(v)}</code></dd>`)}</dl>` : html`<p class="muted">No attributes.</p>`}${events.length > 0 ? html`<h3>Span events</h3><ul>${events.map((e) => html`<li><strong>${e.name ?? "event"}</strong>${typeof e.timestamp === "number" ? html` <span class="muted">${isoTime(e.timestamp)}</span>` : ""}${e.attributes && Object.keys(e.attributes).length > 0 ? html`<dl class="kv">${Object.entries(e.attributes).map(([k, v]) => html`<dt>${k}</dt><dd><code>${shown(v)}</code></dd>`)}</dl>` : ""}</li>`)}</ul>` : ""}</details>`;
}

export function traceView(
  ctx: PageContext,
  orgSlug: string,
  traceId: string,
  spans: SpanRow[],
  errors: TraceError[],
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const w = waterfall(spans);
  const total = (w.end - w.start) * 1000;
  const body =
    spans.length === 0 && errors.length === 0
      ? html`<div class="panel empty"><p>No spans or errors with this trace id yet.</p><p>Set <code>tracesSampleRate</code> in the SDK to send transactions; errors captured inside a transaction link here.</p></div>`
      : html`<p class="muted">${spans.length} span${spans.length === 1 ? "" : "s"} · ${duration(total)}${spans.length > 0 ? html` · started ${isoTime(w.start)}` : ""}</p>
<p><a href="/organizations/${o}/explore/logs/?trace=${traceId}&amp;period=30d">Logs of this trace</a></p>
${errors.length > 0 ? html`<h2 id="errors">Errors in this trace</h2><ul>${errors.map((e) => html`<li><span class="lvl lvl-${e.level}"></span>${e.issue_id ? html`<a href="/organizations/${o}/issues/${e.issue_id}/events/${e.event_id}/">${e.title}</a>` : e.title} <span class="muted">${isoTime(e.timestamp)}</span></li>`)}</ul>` : ""}
<h2>Spans</h2><div class="panel waterfall" role="table" aria-label="Span waterfall">${w.rows.map(
          (r) =>
            html`<div class="span-row" role="row"><div class="span-name" role="cell" style="padding-left:${Math.min(r.depth, 12) * 14}px" title="${r.span.description ?? r.span.name}">${r.span.is_segment ? html`<strong>${r.span.name}</strong>` : r.span.name} <span class="muted">${r.span.op ?? ""}</span>${isError(r.span.status) ? html` <span class="badge regressed">${r.span.status}</span>` : ""}</div><div class="span-track" role="cell"><div class="span-bar${isError(r.span.status) ? " err" : ""}" style="left:${r.left.toFixed(3)}%;width:${r.width.toFixed(3)}%"></div></div><div class="span-dur" role="cell">${duration(r.span.duration_ms)}</div></div>`,
        )}</div>
<h2>Span details</h2>${w.rows.map((r) => spanDetails(r.span))}`;
  return page(ctx, "traces", `Trace ${traceId}`, html`<h1>Trace <code>${traceId}</code></h1>${body}`);
}

export async function tracePage({ env, ctx, org, param }: OrgCall): Promise<Response> {
  const traceId = param("traceId").toLowerCase().replaceAll("-", "");
  const projects = await projectsOf(env.DB, org.id);
  const { spans, errors } = await traceOf(
    shardDb(env, org.shard),
    projects.map((p) => p.id),
    traceId,
  );
  return htmlResponse(traceView(ctx, org.slug, traceId, spans, errors));
}
