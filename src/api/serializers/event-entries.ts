// An event's `entries` as Sentry's API serves them (exception, message, threads, stacktrace, breadcrumbs,
// request, debugmeta) in camelCase, with frames and stack traces, from the stored payload. Pure.
import { isoDate } from "./issue.ts";
import { bool, isRecord, type JsonRecord, list, num, rec, str } from "./payload-read.ts";
import { spansEntry } from "./transaction.ts";

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

export function framesOf(stacktrace: unknown): JsonRecord[] {
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
    spansEntry(payload),
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
