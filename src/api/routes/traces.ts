// Sentry's trace endpoints as its trace view and MCP server read them: `trace-meta/{trace_id}/`
// (counts) and `trace/{trace_id}/` (the span tree, errors attached to their span, unattached errors
// as top-level issues). A trace may span several projects of the organization, never another's.
import type { IRequest } from "itty-router";
import { shardDb } from "../../db/shards.ts";
import {
  type TraceErrorRow,
  type TraceSpanRow,
  traceErrors,
  traceLogCount,
  traceSpans,
} from "../../db/traces.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_TRACE_ERRORS, MAX_TRACE_SPANS } from "../../limits.ts";
import { formatShortId } from "../../protocol/issue-search.ts";
import { queryScope } from "../query-scope.ts";

function traceIdParam(request: IRequest): string {
  const id = param(request, "traceId").replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw badRequest("Invalid trace id: it must be 32 hexadecimal characters");
  return id;
}

async function loadTrace(request: IRequest, env: Env) {
  const scope = await queryScope(request, env, "event:read");
  const traceId = traceIdParam(request);
  const projectIds = scope.projects.map((p) => p.id);
  const events = shardDb(env, scope.org.shard);
  const [spans, errors, logs] = await Promise.all([
    traceSpans(events, scope.projects, traceId, MAX_TRACE_SPANS),
    traceErrors(events, scope.projects, traceId, scope, MAX_TRACE_ERRORS),
    traceLogCount(events, projectIds, traceId, scope),
  ]);
  return { traceId, spans, errors, logs };
}

async function traceMeta(request: IRequest, env: Env): Promise<Response> {
  const { spans, errors, logs } = await loadTrace(request, env);
  const byOp: Record<string, number> = {};
  const children = new Map<string, number>();
  for (const s of spans) {
    const op = s.op ?? "default";
    byOp[op] = (byOp[op] ?? 0) + 1;
    if (s.event_id && !s.is_segment) children.set(s.event_id, (children.get(s.event_id) ?? 0) + 1);
  }
  const projects = new Set([...spans.map((s) => s.project_id), ...errors.map((e) => e.project_id)]);
  return json({
    errors: errors.length,
    performance_issues: 0,
    projects: projects.size,
    transactions: spans.filter((s) => s.is_segment).length,
    transaction_child_count_map: [...children].map(([id, count]) => ({
      "transaction.event_id": id,
      "count()": count,
    })),
    span_count: spans.length,
    span_count_map: byOp,
    logs,
  });
}

function serializeError(e: TraceErrorRow) {
  return {
    id: e.event_id,
    event_id: e.event_id,
    issue_id: e.issue_id,
    issue: e.short_id === null ? null : formatShortId(e.project_slug, e.short_id),
    project_id: e.project_id,
    project_slug: e.project_slug,
    title: e.title,
    culprit: e.culprit ?? "",
    level: e.level,
    type: "error",
    event_type: "error",
    timestamp: e.timestamp,
    start_timestamp: e.timestamp,
    transaction: e.transaction_name,
    message: e.title,
  };
}

function parseAttributes(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

interface SerializedSpan {
  children: SerializedSpan[];
  errors: ReturnType<typeof serializeError>[];
  [key: string]: unknown;
}

function serializeSpan(s: TraceSpanRow): SerializedSpan {
  return {
    children: [],
    errors: [],
    occurrences: [],
    event_id: s.span_id,
    span_id: s.span_id,
    transaction_id: s.event_id ?? s.segment_id ?? s.span_id,
    project_id: s.project_id,
    project_slug: s.project_slug,
    profile_id: "",
    profiler_id: "",
    parent_span_id: s.parent_span_id,
    start_timestamp: s.start_timestamp,
    end_timestamp: s.end_timestamp,
    measurements: {},
    duration: s.duration_ms,
    transaction: s.transaction_name,
    is_transaction: s.is_segment === 1,
    description: s.description ?? s.name,
    sdk_name: null,
    op: s.op ?? "default",
    name: s.name,
    event_type: "span",
    additional_attributes: parseAttributes(s.attributes),
    status: s.status,
    environment: s.environment,
    release: s.release,
  };
}

/** The span tree: each span under its parent when the parent is in the trace, else a root. */
export function spanTree(spans: TraceSpanRow[], errors: TraceErrorRow[]) {
  const nodes = new Map(spans.map((s) => [s.span_id, serializeSpan(s)]));
  const roots: (SerializedSpan | ReturnType<typeof serializeError>)[] = [];
  for (const s of spans) {
    const node = nodes.get(s.span_id) as SerializedSpan;
    const parent = s.parent_span_id ? nodes.get(s.parent_span_id) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  for (const e of errors) {
    const span = e.span_id ? nodes.get(e.span_id) : undefined;
    if (span) span.errors.push(serializeError(e));
    else roots.push(serializeError(e));
  }
  return roots;
}

async function trace(request: IRequest, env: Env): Promise<Response> {
  const { spans, errors } = await loadTrace(request, env);
  return json(spanTree(spans, errors));
}

export function registerTraceRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/trace-meta/:traceId/", (req, env) => traceMeta(req, env));
  router.get("/api/0/organizations/:org/trace/:traceId/", (req, env) => trace(req, env));
}
