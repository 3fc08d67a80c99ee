// Readers for scalar fields of an untrusted event. Each returns a clean value or undefined and notes
// why a present value was changed or dropped; none throws.
import { asObject, truncate } from "../items/json.ts";
import type { JsonObject } from "../types.ts";
import type { Notes } from "./notes.ts";

export { asObject };

/** True for values that count as "not sent" (`null` is how many SDKs spell an absent field). */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A string cut to `maxChars`; empty strings count as absent; other types are dropped with a note. */
export function readString(value: unknown, maxChars: number, notes: Notes, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== "string") {
    notes.add("invalid_data", path, value);
    return undefined;
  }
  return cutString(value, maxChars, notes, path);
}

/** Like readString, but numbers and booleans are turned into their text (ids, tag values). */
export function readStringLoose(
  value: unknown,
  maxChars: number,
  notes: Notes,
  path: string,
): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return readString(value, maxChars, notes, path);
}

/** Cuts a string to `maxChars` (noting it); an empty string becomes undefined. */
export function cutString(value: string, maxChars: number, notes: Notes, path: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length <= maxChars) return value;
  notes.add("value_too_long", path, value.length);
  return truncate(value, maxChars);
}

export function readBoolean(value: unknown, notes: Notes, path: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === "boolean") return value;
  notes.add("invalid_data", path, value);
  return undefined;
}

/** A non-negative integer (line and column numbers, sizes, ids); fractional or negative values are dropped. */
export function readUint(value: unknown, notes: Notes, path: string): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  notes.add("invalid_data", path, value);
  return undefined;
}

/** An object field; anything else present is dropped with a note. */
export function readObject(value: unknown, notes: Notes, path: string): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  const object = asObject(value);
  if (!object) notes.add("invalid_data", path, value);
  return object;
}

/**
 * Sentry's "values" wrapper: `{"values": [...]}`, a bare list, or (for exceptions) one object that
 * is itself the single value. Returns the list or undefined.
 */
export function readValues(
  value: unknown,
  notes: Notes,
  path: string,
  allowSingle: boolean,
): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (Array.isArray(value)) return value;
  const object = asObject(value);
  if (object) {
    if (Array.isArray(object.values)) return object.values;
    if (isAbsent(object.values)) {
      if (allowSingle && !("values" in object)) return [object];
      return undefined;
    }
  }
  notes.add("invalid_data", path, value);
  return undefined;
}

/** Sets `target[key]` only when the value is defined, so results never carry `undefined` fields. */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
