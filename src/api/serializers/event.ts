// Events as Sentry's API serves them: list items and the full event with typed `entries`
// (exception, message, threads, stacktrace, breadcrumbs, request, debugmeta) in camelCase. The
// stored payload is the normalized event (snake case, Sentry's event schema). Pure functions that
// read the payload defensively: anything missing or malformed is left out rather than failing.
import type { EventTableRow } from "../../db/rows.ts";
import { describeEvent } from "../../grouping/title.ts";
import type { NormalizedEvent } from "../../protocol/types.ts";
import { isoDate } from "./issue.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

/** An `events` row as the API selects it (without the trace id and the payload). */
export type EventRecord = Omit<EventTableRow, "trace_id" | "payload" | "payload_key">;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const bool = (value: unknown): boolean | null => (typeof value === "boolean" ? value : null);
const rec = (value: unknown): JsonRecord | null => (isRecord(value) ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Sentry's stored addresses are hex strings; numbers some SDKs send are shown in hex too. */
function addr(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return `0x${value.toString(16)}`;
  return null;
}

/** `[[line number, text], ...]` around the frame's line (Sentry's frame `context`). */
export function frameContext(frame: JsonRecord): [number, string][] {
  const lineno = num(frame.lineno);
  const line = str(frame.context_line);
  if (lineno === null || line === null) return [];
  const pre = list(frame.pre_context).map((l) => (typeof l === "string" ? l : ""));
  const post = list(frame.post_context).map((l) => (typeof l === "string" ? l : ""));
  return [
    ...pre.map((text, k): [number, string] => [lineno - pre.length + k, text]),
    [lineno, line],
    ...post.map((text, k): [number, string] => [lineno + 1 + k, text]),
  ];
}

export function serializeFrame(frame: JsonRecord) {
  return {
    filename: str(frame.filename),
    absPath: str(frame.abs_path),
    module: str(frame.module),
    package: str(frame.package),
    platform: str(frame.platform),
    instructionAddr: addr(frame.instruction_addr),
    symbolAddr: addr(frame.symbol_addr),
    imageAddr: addr(frame.image_addr),
    addrMode: str(frame.addr_mode),
    function: str(frame.function),
    rawFunction: str(frame.raw_function),
    symbol: str(frame.symbol),
    context: frameContext(frame),
    lineNo: num(frame.lineno),
    colNo: num(frame.colno),
    inApp: bool(frame.in_app) ?? false,
    trust: str(frame.trust),
    errors: null,
    lock: null,
    sourceLink: null,
    vars: rec(frame.vars),
    symbolicatorStatus: str(frame.symbolicator_status),
  };
}

function framesOf(stacktrace: unknown): JsonRecord[] {
  const st = rec(stacktrace);
  return st ? list(st.frames).filter(isRecord) : [];
}

/** Sentry's rule: a stack trace has system frames when it mixes in-app and other frames. */
function hasSystemFrames(stacktraces: unknown[]): boolean {
  let system = 0;
  let total = 0;
  for (const st of stacktraces) {
    for (const frame of framesOf(st)) {
      total += 1;
      if (frame.in_app !== true) system += 1;
    }
  }
  return system > 0 && system !== total;
}

export function serializeStacktrace(stacktrace: unknown) {
  const st = rec(stacktrace);
  if (!st) return null;
  return {
    frames: framesOf(st).map(serializeFrame),
    framesOmitted: Array.isArray(st.frames_omitted) ? st.frames_omitted : null,
    registers: rec(st.registers),
    hasSystemFrames: hasSystemFrames([st]),
  };
}

function exceptionEntry(payload: JsonRecord) {
  const exception = rec(payload.exception);
  const values = exception ? list(exception.values).filter(isRecord) : [];
  if (values.length === 0) return null;
  return {
    type: "exception",
    data: {
      values: values.map((v) => ({
        type: str(v.type),
        value: str(v.value),
        module: str(v.module),
        threadId: typeof v.thread_id === "number" || typeof v.thread_id === "string" ? v.thread_id : null,
        mechanism: rec(v.mechanism),
        stacktrace: serializeStacktrace(v.stacktrace),
        rawStacktrace: serializeStacktrace(v.raw_stacktrace),
      })),
      excOmitted: Array.isArray(exception?.exc_omitted) ? exception.exc_omitted : null,
      hasSystemFrames: hasSystemFrames(values.map((v) => v.stacktrace)),
    },
  };
}

function messageEntry(payload: JsonRecord) {
  const logentry = rec(payload.logentry);
  const formatted = str(logentry?.formatted) ?? str(payload.message) ?? str(logentry?.message);
  if (formatted === null) return null;
  return {
    type: "message",
    data: {
      formatted,
      message: str(logentry?.message),
      params: logentry?.params ?? null,
    },
  };
}

function threadsEntry(payload: JsonRecord) {
  const threads = rec(payload.threads);
  const values = threads ? list(threads.values).filter(isRecord) : [];
  if (values.length === 0) return null;
  return {
    type: "threads",
    data: {
      values: values.map((t) => ({
        id: typeof t.id === "number" || typeof t.id === "string" ? t.id : null,
        name: str(t.name),
        crashed: bool(t.crashed) ?? false,
        current: bool(t.current) ?? false,
        main: bool(t.main),
        state: str(t.state),
        stacktrace: serializeStacktrace(t.stacktrace),
        rawStacktrace: serializeStacktrace(t.raw_stacktrace),
      })),
    },
  };
}

function stacktraceEntry(payload: JsonRecord) {
  const st = serializeStacktrace(payload.stacktrace);
  return st ? { type: "stacktrace", data: st } : null;
}

function breadcrumbsEntry(payload: JsonRecord) {
  const crumbs = rec(payload.breadcrumbs);
  const values = crumbs ? list(crumbs.values).filter(isRecord) : Array.isArray(payload.breadcrumbs) ? [] : [];
  if (values.length === 0) return null;
  return {
    type: "breadcrumbs",
    data: {
      values: values.map((b) => ({
        type: str(b.type) ?? "default",
        category: str(b.category),
        level: str(b.level) ?? "info",
        message: str(b.message),
        timestamp: typeof b.timestamp === "number" ? isoDate(b.timestamp) : (str(b.timestamp) ?? null),
        data: rec(b.data),
        event_id: str(b.event_id),
      })),
    },
  };
}

/** Headers, cookies and query strings as Sentry serves them: lists of [name, value] pairs. */
export function pairs(value: unknown): [string, string][] {
  if (typeof value === "string") {
    const text = value.startsWith("?") ? value.slice(1) : value;
    if (!text) return [];
    return [...new URLSearchParams(text)].map(([k, v]) => [k, v]);
  }
  if (Array.isArray(value)) {
    return value.flatMap((p): [string, string][] =>
      Array.isArray(p) && typeof p[0] === "string"
        ? [[p[0], typeof p[1] === "string" ? p[1] : String(p[1] ?? "")]]
        : [],
    );
  }
  if (isRecord(value)) {
    return Object.entries(value)
      .map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
  return [];
}

function requestEntry(payload: JsonRecord) {
  const request = rec(payload.request);
  if (!request) return null;
  const headers = pairs(request.headers);
  const contentType = headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? null;
  return {
    type: "request",
    data: {
      url: str(request.url),
      method: str(request.method),
      query: pairs(request.query_string),
      fragment: str(request.fragment),
      data: request.data ?? null,
      headers,
      cookies: pairs(request.cookies),
      env: rec(request.env),
      inferredContentType: contentType ? (contentType.split(";")[0]?.trim() ?? null) : null,
      apiTarget: null,
    },
  };
}

function debugmetaEntry(payload: JsonRecord) {
  const meta = rec(payload.debug_meta);
  const images = meta ? list(meta.images).filter(isRecord) : [];
  if (images.length === 0) return null;
  return { type: "debugmeta", data: { images, sdk_info: rec(meta?.sdk_info) } };
}

/** The typed blocks of a full event, in the order Sentry shows them. */
export function eventEntries(payload: JsonRecord) {
  const hasException = rec(payload.exception) !== null && list(rec(payload.exception)?.values).length > 0;
  const entries = [
    exceptionEntry(payload),
    // A message-only event shows its message; an exception event only when it also carried a logentry.
    hasException && !rec(payload.logentry) ? null : messageEntry(payload),
    threadsEntry(payload),
    stacktraceEntry(payload),
    breadcrumbsEntry(payload),
    requestEntry(payload),
    debugmetaEntry(payload),
  ];
  return entries.filter((e) => e !== null);
}

function contextValue(payload: JsonRecord, context: string, field: string): string | null {
  return str(rec(rec(payload.contexts)?.[context])?.[field]);
}

/** Tags as Sentry lists them: the event's own tags plus the ones Sentry derives, sorted by key. */
export function eventTags(row: EventRecord, payload: JsonRecord | null): { key: string; value: string }[] {
  const tags = new Map<string, string>();
  const set = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== "" && !tags.has(key)) tags.set(key, value);
  };
  for (const pair of list(payload?.tags)) {
    if (Array.isArray(pair) && typeof pair[0] === "string" && pair[1] !== undefined && pair[1] !== null)
      set(pair[0], typeof pair[1] === "string" ? pair[1] : String(pair[1]));
  }
  if (isRecord(payload?.tags))
    for (const [k, v] of Object.entries(payload.tags)) set(k, typeof v === "string" ? v : null);
  set("level", row.level);
  set("release", row.release);
  set("environment", row.environment);
  set("transaction", row.transaction_name);
  set("user", row.user_key);
  if (payload) {
    set("dist", str(payload.dist));
    set("logger", str(payload.logger));
    set("server_name", str(payload.server_name));
    set("url", str(rec(payload.request)?.url));
    const mechanism = rec(list(rec(payload.exception)?.values).filter(isRecord)[0]?.mechanism);
    set("mechanism", str(mechanism?.type));
    const handled = bool(mechanism?.handled);
    if (handled !== null) set("handled", handled ? "yes" : "no");
    for (const [ctx, tag] of [
      ["os", "os"],
      ["runtime", "runtime"],
      ["browser", "browser"],
    ] as const) {
      const name = contextValue(payload, ctx, "name");
      const version = contextValue(payload, ctx, "version");
      set(`${tag}.name`, name);
      if (name) set(tag, version ? `${name} ${version}` : name);
    }
    set("device", contextValue(payload, "device", "model"));
  }
  return [...tags.entries()]
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function userJson(payload: JsonRecord | null) {
  const user = rec(payload?.user);
  if (!user) return null;
  return {
    id: str(user.id) ?? (typeof user.id === "number" ? String(user.id) : null),
    email: str(user.email),
    username: str(user.username),
    ip_address: str(user.ip_address),
    name: str(user.name),
    geo: rec(user.geo),
    data: rec(user.data),
  };
}

/** `file:line` of the frame that caused the event (the last in-app frame, else the last frame). */
function locationOf(payload: JsonRecord | null): string | null {
  if (!payload) return null;
  const values = list(rec(payload.exception)?.values).filter(isRecord);
  const frames = framesOf(values[values.length - 1]?.stacktrace);
  const frame = [...frames].reverse().find((f) => f.in_app === true) ?? frames[frames.length - 1];
  if (!frame) return null;
  const file = str(frame.filename) ?? str(frame.abs_path) ?? str(frame.module);
  if (!file) return null;
  const line = num(frame.lineno);
  return line === null ? file : `${file}:${line}`;
}

function messageOf(row: EventRecord, payload: JsonRecord | null): string {
  if (payload) {
    const logentry = rec(payload.logentry);
    const text = str(logentry?.formatted) ?? str(payload.message) ?? str(logentry?.message);
    if (text !== null) return text;
  }
  return row.message ?? "";
}

/** List item of `…/events/` (Sentry's simple event shape). `payload` may be partial or absent. */
export function serializeEventListItem(row: EventRecord, payload: JsonRecord | null) {
  return {
    id: row.event_id,
    eventID: row.event_id,
    groupID: row.issue_id === null ? null : String(row.issue_id),
    projectID: String(row.project_id),
    title: row.title,
    message: messageOf(row, payload),
    dateCreated: isoDate(row.timestamp),
    platform: row.platform,
    "event.type": row.type,
    location: locationOf(payload),
    culprit: str(payload?.culprit) ?? row.transaction_name ?? null,
    user: userJson(payload),
    crashFile: null,
    tags: eventTags(row, payload),
  };
}

export interface FullEventContext {
  projectSlug: string;
  /** The issue's grouping hashes (Sentry's `fingerprints`). */
  fingerprints: string[];
  /** The issue's metadata (type, value, filename, function); the event's title otherwise. */
  metadata: Record<string, unknown> | null;
  culprit: string | null;
  /** Release JSON of the event's release, when it is a known release. */
  release: unknown;
  previousEventID: string | null;
  nextEventID: string | null;
  /** Byte size of the stored payload. */
  size: number;
}

function ownDescription(payload: JsonRecord): ReturnType<typeof describeEvent> | null {
  try {
    // The stored payload is a normalized event (see the header); a malformed one is described by its issue.
    return describeEvent(payload as unknown as NormalizedEvent);
  } catch {
    return null;
  }
}

/** The full event of `…/events/{id}/`. */
export function serializeEvent(row: EventRecord, payload: JsonRecord | null, ctx: FullEventContext) {
  const p: JsonRecord = payload ?? {};
  const errors = list(p.errors)
    .filter(isRecord)
    .map((e) => ({
      type: str(e.type) ?? "unknown_error",
      message: str(e.message) ?? str(e.type) ?? "",
      data: {
        ...(e.name !== undefined ? { name: e.name } : {}),
        ...(e.value !== undefined ? { value: e.value } : {}),
      },
    }));
  const sdk = rec(p.sdk);
  // The event's own culprit and metadata, derived from its payload as its issue's were: the issue
  // follows its latest event, so an older event must not show the issue's.
  const own = payload ? ownDescription(payload) : null;
  return {
    ...serializeEventListItem(row, payload),
    projectSlug: ctx.projectSlug,
    type: row.type,
    dateReceived: isoDate(row.received),
    size: ctx.size,
    culprit: own ? own.culprit : (ctx.culprit ?? row.transaction_name ?? null),
    metadata: own ? { ...own.metadata, title: row.title } : (ctx.metadata ?? { title: row.title }),
    dist: str(p.dist),
    sdk: sdk ? { name: str(sdk.name), version: str(sdk.version) } : null,
    contexts: rec(p.contexts) ?? {},
    context: rec(p.extra) ?? {},
    packages: rec(p.modules) ?? {},
    fingerprints: ctx.fingerprints,
    groupingConfig: { id: "faultline", enhancements: null },
    errors,
    entries: eventEntries(p),
    release: ctx.release ?? null,
    userReport: null,
    sdkUpdates: [],
    resolvedWith: [],
    occurrence: null,
    nextEventID: ctx.nextEventID,
    previousEventID: ctx.previousEventID,
    _meta: {},
  };
}
