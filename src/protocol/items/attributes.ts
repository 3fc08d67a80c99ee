// Typed attributes (`{key: {type, value, unit?}}`, used by span v2, logs and trace metrics) and their
// plain `{key: value}` form. Both are kept: the plain form is what queries read, the typed form keeps
// what JSON alone cannot say (integer vs double, units, u64 sent as a string).
import type { JsonObject, JsonValue } from "../types.ts";
import { asObject, asText } from "./json.ts";

/**
 * Assigning `obj["__proto__"] = …` would replace the object's prototype instead of adding a key; JSON
 * from a client may contain that key, so it is never copied into an attribute map.
 */
export const UNSAFE_KEY = "__proto__";

export interface Attributes {
  plain: JsonObject;
  typed: JsonObject;
}

/**
 * Reads a typed attribute map. Entries that are not `{value: …}` objects, or whose value is null, are
 * dropped (Relay drops them too); a missing `type` is inferred from the value.
 */
export function readTypedAttributes(value: unknown): Attributes {
  const plain: JsonObject = {};
  const typed: JsonObject = {};
  const source = asObject(value);
  if (!source) return { plain, typed };
  for (const [key, entry] of Object.entries(source)) {
    if (key === UNSAFE_KEY) continue;
    const attribute = asObject(entry);
    if (!attribute || !("value" in attribute)) continue;
    const inner = attribute.value;
    if (inner === undefined || inner === null) continue;
    plain[key] = inner;
    const type = typeof attribute.type === "string" ? attribute.type : inferType(inner);
    typed[key] = { ...attribute, type, value: inner };
  }
  return { plain, typed };
}

/** Builds the typed form of a plain map (v1 span `data`, tags, measurements). */
export function typedFromPlain(plain: JsonObject): JsonObject {
  const typed: JsonObject = {};
  for (const [key, value] of Object.entries(plain)) {
    if (value === null || key === UNSAFE_KEY) continue;
    const type = inferType(value);
    // Nested objects have no attribute type: carry them as JSON text, as SDKs do for attributes.
    typed[key] = {
      type,
      value: type === "string" && typeof value !== "string" ? JSON.stringify(value) : value,
    };
  }
  return typed;
}

function inferType(value: JsonValue): string {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "double";
  if (Array.isArray(value)) return "array";
  return "string";
}

/** A string attribute from a plain map, trimmed and cut to `maxChars`; undefined when absent or not a string. */
export function stringAttribute(plain: JsonObject, key: string, maxChars: number): string | undefined {
  return asText(plain[key], maxChars);
}
