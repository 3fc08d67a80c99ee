// An event's shape: the part of its projection (payload-projection.ts) that many events repeat — per
// exception its type, mechanism and frames, the SDK, the os, runtime and browser contexts — stored once
// per project in `event_shapes` (migration 0034), found by its hash. The row's `payload` keeps the
// rest: tags, user, message, culprit, request, the trace context… A path of the projection is
// read from exactly one of the two (`shapePath`), so a query reads a shaped row's path from its shape
// and every other path from its payload, and a row without a shape (written before) as it always did.
// Beside a shape, two fields queries read of each event leave the JSON for columns of their own
// (`columnPath`): the trace context's span id and the last exception's value; the values of the
// exceptions before the last, which no query reads, are left out. The tags normalization derives from
// the shape's contexts (`os`, `os.name`, `runtime`…), when they end the event's tags, are the shape's
// too: the row keeps the tags before them, and readers read the two one after the other (`tagsSql`).
// Pure.
import { createHash } from "node:crypto";
import { withContextTags } from "../protocol/normalize/tags.ts";
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

/** Projection paths a row beside a shape keeps in a column of its own, by column. */
export const COLUMN_PATHS = {
  span_id: "$.contexts.trace.span_id",
  error_value: "$.exception.values[#-1].value",
} as const;

/** The column holding a projection path in a shaped row, if one does. */
export function columnPath(path: string): keyof typeof COLUMN_PATHS | null {
  for (const [column, at] of Object.entries(COLUMN_PATHS))
    if (at === path) return column as keyof typeof COLUMN_PATHS;
  return null;
}

/**
 * The span id a row stores as an 8-byte blob: 16 lowercase hex digits, as SDKs send and
 * readers spell it back (`lower(hex(…))`, spanIdSql); any other text stays text, so it reads back as is.
 */
export function spanIdAsBlobHex(spanId: string | null | undefined): string | null {
  return typeof spanId === "string" && /^[0-9a-f]{16}$/.test(spanId) ? spanId : null;
}

export interface ProjectionColumns {
  spanId: string | null;
  errorValue: string | null;
}

export interface SplitProjection {
  /** What the row's `payload` keeps. */
  own: JsonObject;
  /** The shape's JSON text, or null when the projection has nothing a shape holds (nor columns). */
  shape: string | null;
  /** The columns' values (null in a row without a shape). */
  columns: ProjectionColumns;
}

/**
 * What `error_value` holds when the row's title is exactly `${type}: ${value}` of its last exception
 * (the type from its shape): nothing, readers rebuild the value from the title (`derivedErrorValue`).
 * An empty value never takes the column, so the marker is unambiguous.
 */
export const DERIVED_ERROR_VALUE = "";

/**
 * Splits a projection into what the row keeps, its shape and its columns (they leave the row's JSON);
 * given the row's `title`, a last exception's value the title spells exactly is left for readers to
 * rebuild from it (DERIVED_ERROR_VALUE).
 */
export function splitProjection(projection: JsonObject, title: string | null = null): SplitProjection {
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
    const tags = projection.tags;
    const derived = Array.isArray(tags) ? derivedTagRun(tags, shared) : 0;
    if (Array.isArray(tags) && derived > 0) {
      shape.tags = tags.slice(tags.length - derived);
      if (derived < tags.length) own.tags = tags.slice(0, tags.length - derived);
      else delete own.tags;
    }
  }
  let errorValue: JsonValue | undefined;
  let errorType: JsonValue | undefined;
  const exception = projection.exception;
  if (isObject(exception) && Array.isArray(exception.values)) {
    const values = exception.values.map((v) => (isObject(v) ? v : {}));
    shape.exception = {
      values: values.map(({ value: _value, ...rest }) => rest),
    };
    errorValue = values[values.length - 1]?.value;
    errorType = values[values.length - 1]?.type;
    delete own.exception;
  }
  if (Object.keys(shape).length === 0) return { own: projection, shape: null, columns: NO_COLUMNS };
  // A value that is no string, or an empty one (rare), stays in the JSON, where a query reads it as it
  // always did.
  const columnValue = typeof errorValue === "string" && errorValue !== "" ? errorValue : null;
  if (errorValue !== undefined && columnValue === null) {
    const values = (exception as JsonObject).values as JsonValue[];
    own.exception = {
      values: values.map(
        (_v, i): JsonObject => (i === values.length - 1 ? { value: errorValue ?? null } : {}),
      ),
    };
  }
  let spanId: string | null = null;
  if (
    isObject(own.contexts) &&
    isObject(own.contexts.trace) &&
    typeof own.contexts.trace.span_id === "string"
  ) {
    spanId = own.contexts.trace.span_id;
    const { span_id: _span, ...trace } = own.contexts.trace;
    const { trace: _trace, ...contexts } = own.contexts;
    if (Object.keys(trace).length > 0) contexts.trace = trace;
    if (Object.keys(contexts).length > 0) own.contexts = contexts;
    else delete own.contexts;
  }
  return {
    own,
    shape: JSON.stringify(shape),
    columns: { spanId, errorValue: storedErrorValue(columnValue, errorType, title) },
  };
}

/**
 * How many pairs at the end of `tags` are exactly the pairs `withContextTags` derives from `contexts`
 * (the shape's os, runtime and browser): those the shape holds. A pair the SDK sent that differs (its
 * own `os`, say) ends the run, so what the shape holds is a function of its contexts but for such
 * overrides, and adds no shapes for ordinary events.
 */
function derivedTagRun(tags: readonly JsonValue[], contexts: JsonObject): number {
  const derived = new Map(withContextTags([], contexts));
  const seen = new Set<string>();
  let run = 0;
  for (let i = tags.length - 1; i >= 0; i--) {
    const pair = tags[i];
    if (!Array.isArray(pair) || pair.length !== 2) break;
    const [key, value] = pair;
    if (typeof key !== "string" || seen.has(key) || derived.get(key) !== value) break;
    seen.add(key);
    run++;
  }
  return run;
}

/** The column's text for a (non-empty) value: the marker when the title spells it with the type. */
function storedErrorValue(
  value: string | null,
  type: JsonValue | undefined,
  title: string | null,
): string | null {
  if (value === null || typeof type !== "string" || title !== `${type}: ${value}`) return value;
  // SQLite's length() stops at a NUL character: a title holding one keeps its value.
  return title.includes("\u0000") ? value : DERIVED_ERROR_VALUE;
}

const NO_COLUMNS: ProjectionColumns = { spanId: null, errorValue: null };

/** The key a shape is stored under: SHA-256 of its text, 22 base64url characters (132 bits). */
export function shapeHash(shape: string): string {
  return createHash("sha256").update(shape, "utf8").digest("base64url").slice(0, 22);
}

/** The prefix of a row's `user_key` that names the user by id (userKeyOf in src/ingest). */
export const USER_ID_KEY_PREFIX = "id:";

/**
 * Whether a shaped row's `user_key` spells its whole user, which it then does not keep in `payload`:
 * the user is only a non-empty string id, and the key is that id with its prefix. Readers rebuild it
 * from the key (`projectionPath` for `$.user`, `$.user.id`); other users stay in the JSON.
 */
export function userSpelledByKey(user: JsonValue | undefined, userKey: string | null): boolean {
  if (!isObject(user) || userKey === null) return false;
  const keys = Object.keys(user);
  const id = user.id;
  return keys.length === 1 && typeof id === "string" && id !== "" && userKey === `${USER_ID_KEY_PREFIX}${id}`;
}

/** What a row beside a segment locator keeps of its event: the payload's rest, its shape, its columns. */
export type ShapedProjection = { payload: string; shape: string | null } & ProjectionColumns;

/**
 * What a row beside a segment locator keeps of `event` (`payload`), its shape's text and its columns;
 * given the row's `user_key`, a user it spells is left to it (userSpelledByKey).
 */
export function shapedProjection(
  event: JsonObject,
  title: string | null = null,
  userKey: string | null = null,
): ShapedProjection {
  const { own, shape, columns } = splitProjection(projectionOf(event), title);
  // Only beside a shape: a row without one (none of its paths are shaped) reads its payload whole.
  if (shape !== null && userSpelledByKey(own.user, userKey)) delete own.user;
  return { payload: JSON.stringify(own), shape, ...columns };
}
