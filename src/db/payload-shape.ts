// An event's shape: the part of its projection (payload-projection.ts) that many events repeat — per
// exception its type, mechanism and frames, the SDK, the os, runtime and browser contexts — stored once
// per project in `event_shapes` (migration 0034). The row's `payload` keeps the rest: tags, user,
// message, culprit, request, the trace context, the exceptions' values… A path of the projection is
// read from exactly one of the two (`shapePath`), so a query reads a shaped row's path from its shape
// and every other path from its payload, and a row without a shape (written before) as it always did.
// Pure.
import type { JsonObject, JsonValue } from "../protocol/types.ts";
import { projectionOf } from "./payload-projection.ts";

const SHAPE_CONTEXTS = ["os", "runtime", "browser"] as const;

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a projection path (`$.a.b`, json_extract's syntax) is read from a shaped row's shape. */
export function shapePath(path: string): boolean {
  if (path === "$.sdk" || path.startsWith("$.sdk.")) return true;
  if (/^\$\.contexts\.(os|runtime|browser)(\.|$)/.test(path)) return true;
  // An exception's value is the event's own (it names ids, orders…); the rest of the exception is shape.
  if (path === "$.exception" || path.startsWith("$.exception.")) return !path.endsWith(".value");
  return false;
}

export interface SplitProjection {
  /** What the row's `payload` keeps. */
  own: JsonObject;
  /** The shape's JSON text, or null when the projection has nothing a shape holds. */
  shape: string | null;
}

/** Splits a projection into what the row keeps and its shape (the shape's paths leave the row). */
export function splitProjection(projection: JsonObject): SplitProjection {
  const own: JsonObject = { ...projection };
  const shape: JsonObject = {};
  if (projection.sdk !== undefined) {
    shape.sdk = projection.sdk;
    delete own.sdk;
  }
  if (isObject(projection.contexts)) {
    const shared: JsonObject = {};
    const kept: JsonObject = { ...projection.contexts };
    for (const name of SHAPE_CONTEXTS)
      if (kept[name] !== undefined) {
        shared[name] = kept[name] as JsonValue;
        delete kept[name];
      }
    if (Object.keys(shared).length > 0) shape.contexts = shared;
    if (Object.keys(kept).length > 0) own.contexts = kept;
    else delete own.contexts;
  }
  const exception = projection.exception;
  if (isObject(exception) && Array.isArray(exception.values)) {
    const values = exception.values.map((v) => (isObject(v) ? v : {}));
    shape.exception = {
      values: values.map(({ value: _value, ...rest }) => rest),
    };
    if (values.some((v) => v.value !== undefined))
      own.exception = {
        values: values.map((v): JsonObject => (v.value === undefined ? {} : { value: v.value })),
      };
    else delete own.exception;
  }
  return { own, shape: Object.keys(shape).length > 0 ? JSON.stringify(shape) : null };
}

/** The projection a shaped row stands for: its payload with its shape put back (splitProjection's inverse). */
export function withShape(own: JsonObject, shape: JsonObject): JsonObject {
  const out: JsonObject = { ...own };
  if (shape.sdk !== undefined) out.sdk = shape.sdk;
  if (isObject(shape.contexts))
    out.contexts = { ...(isObject(own.contexts) ? own.contexts : {}), ...shape.contexts };
  if (isObject(shape.exception) && Array.isArray(shape.exception.values)) {
    const values = isObject(own.exception) && Array.isArray(own.exception.values) ? own.exception.values : [];
    out.exception = {
      values: shape.exception.values.map((v, i) => {
        const value = values[i];
        return isObject(v) && isObject(value) ? { ...v, ...value } : v;
      }),
    };
  }
  return out;
}

/** What a row beside a segment locator keeps of `event` (`payload`) and its shape's text. */
export function shapedProjection(event: JsonObject): { payload: string; shape: string | null } {
  const { own, shape } = splitProjection(projectionOf(event));
  return { payload: JSON.stringify(own), shape };
}
