// What of an event's payload stays in its D1 row once the whole payload is in a segment: the fields the
// queries of src/db/ read with json_extract (event list summaries, tag facets, discover columns, issue
// search, traces), at the same JSON paths, so every query reads a projected row as it reads a full
// one. Everything else (frames' context and variables, breadcrumbs, debug images, request bodies and
// headers, extra, modules, spans…) is only in the segment. What a column of the row holds already or no
// query reads is left out too: the event's `type` and, but for transactions (whose duration discover
// computes from the two), its `timestamp`; a context's `type`. A frame that only names a file is that
// file name as a JSON string. Pure.
import type { JsonObject, JsonValue } from "../protocol/types.ts";

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The listed keys of `source` that are present, or undefined when none is. */
function pick(source: JsonValue | undefined, keys: readonly string[]): JsonObject | undefined {
  if (!isObject(source)) return undefined;
  const out: JsonObject = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Frames as the queries read them: each file name of the stack once, as a string, in the order the
 * stack first names it (discover's `stack.filename`), and, in its place, the one frame a list item's
 * location comes from (the last in-app frame, else the last frame) as an object with its file, line and
 * in-app flag; readers of frames take the objects, so "the last in-app frame, else the last" finds it.
 */
function frames(list: readonly JsonValue[]): JsonValue[] {
  const all = list.filter(isObject);
  const location = [...all].reverse().find((f) => f.in_app === true) ?? all[all.length - 1];
  if (!location) return [];
  const where = pick(location, ["filename", "lineno", "in_app"]) ?? {};
  // The location falls back to abs_path, then module, only when there is no filename.
  if (where.filename === undefined) Object.assign(where, pick(location, ["abs_path", "module"]) ?? {});
  const out: JsonValue[] = [];
  const named = new Set<string>();
  for (const f of all) {
    const name = typeof f.filename === "string" ? f.filename : undefined;
    if (f === location) out.push(where);
    else if (name !== undefined && !named.has(name)) out.push(name);
    if (name !== undefined) named.add(name);
  }
  return out;
}

function exception(value: JsonValue | undefined): JsonObject | undefined {
  if (!isObject(value) || !Array.isArray(value.values)) return undefined;
  return {
    values: value.values.map((v) => {
      if (!isObject(v)) return {};
      const out = pick(v, ["type", "value"]) ?? {};
      const mechanism = pick(v.mechanism, ["type", "handled"]);
      if (mechanism) out.mechanism = mechanism;
      const stack = isObject(v.stacktrace) ? v.stacktrace.frames : undefined;
      if (Array.isArray(stack)) out.stacktrace = { frames: frames(stack) };
      return out;
    }),
  };
}

function contexts(value: JsonValue | undefined): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const out: JsonObject = {};
  for (const name of ["os", "runtime", "browser"]) {
    const context = pick(value[name], ["name", "version"]);
    if (context) out[name] = context;
  }
  const trace = pick(value.trace, ["span_id", "op", "status"]);
  if (trace) out.trace = trace;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The projection's JSON text (what `events.payload` keeps beside a segment locator). */
export function payloadProjection(event: JsonObject): string {
  return JSON.stringify(projectionOf(event));
}

/** The projection as an object (payloadProjection's before it is text). */
export function projectionOf(event: JsonObject): JsonObject {
  const out: JsonObject = {};
  const copy = ["message", "culprit", "dist", "logger", "server_name", "tags", "user"];
  if (event.start_timestamp !== undefined) copy.unshift("timestamp", "start_timestamp");
  for (const key of copy) if (event[key] !== undefined) out[key] = event[key] as JsonValue;
  const parts: [string, JsonObject | undefined][] = [
    ["logentry", pick(event.logentry, ["formatted", "message"])],
    ["request", pick(event.request, ["url", "method"])],
    ["contexts", contexts(event.contexts)],
    ["sdk", pick(event.sdk, ["name", "version"])],
    ["exception", exception(event.exception)],
  ];
  for (const [key, value] of parts) if (value) out[key] = value;
  return out;
}
