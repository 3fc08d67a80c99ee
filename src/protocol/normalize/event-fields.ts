// The smaller top-level event fields: release, environment, fingerprint, modules, measurements,
// contexts. Values Sentry could not address (a release with a newline, a blank environment) are
// dropped with a note rather than failing the event.
import { MAX_ENVIRONMENT_CHARS, MAX_RELEASE_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { truncate } from "../items/json.ts";
import type { JsonObject } from "../types.ts";
import { databagObject } from "./databag.ts";
import { asObject, cutString, isAbsent, readObject } from "./fields.ts";
import type { Notes } from "./notes.ts";

/** A release name: cut to MAX_RELEASE_CHARS; blank, `.`, `..` or names with line breaks are dropped. */
export function normalizeRelease(value: unknown, notes: Notes): string | undefined {
  if (isAbsent(value)) return undefined;
  const text =
    typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : undefined;
  if (text === undefined || text === "" || text === "." || text === ".." || /[\r\n\f\v\t]/.test(text)) {
    notes.add("invalid_data", "release", value);
    return undefined;
  }
  return cutString(text, MAX_RELEASE_CHARS, notes, "release");
}

/** An environment name: cut to MAX_ENVIRONMENT_CHARS; blank names or ones with line breaks or `/` are dropped. */
export function normalizeEnvironment(value: unknown, notes: Notes): string | undefined {
  if (isAbsent(value)) return undefined;
  const text = typeof value === "string" ? value.trim() : undefined;
  if (text === undefined || text === "" || /[\r\n\f/]/.test(text)) {
    notes.add("invalid_data", "environment", value);
    return undefined;
  }
  return cutString(text, MAX_ENVIRONMENT_CHARS, notes, "environment");
}

/** A custom fingerprint: strings kept, numbers and booleans stringified, anything else dropped. */
export function normalizeFingerprint(value: unknown, notes: Notes): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    notes.add("invalid_data", "fingerprint", value);
    return undefined;
  }
  const parts: string[] = [];
  value.forEach((part, i) => {
    if (typeof part === "string") parts.push(truncate(part, MAX_SHORT_STRING_CHARS));
    else if ((typeof part === "number" && Number.isFinite(part)) || typeof part === "boolean")
      parts.push(String(part));
    else notes.add("invalid_data", `fingerprint.${i}`, part);
  });
  return parts.length > 0 ? parts : undefined;
}

/** `modules`: package name to version, both strings. */
export function normalizeModules(value: unknown, notes: Notes): JsonObject | undefined {
  const object = readObject(value, notes, "modules");
  if (!object) return undefined;
  const modules: JsonObject = {};
  for (const [name, version] of Object.entries(object)) {
    if (name === "__proto__" || name === "") continue;
    if (typeof version === "string") {
      modules[truncate(name, MAX_SHORT_STRING_CHARS)] = truncate(version, MAX_SHORT_STRING_CHARS);
    } else if (!isAbsent(version)) {
      notes.add("invalid_data", `modules.${name}`, version);
    }
  }
  return Object.keys(modules).length > 0 ? modules : undefined;
}

/** `measurements`: name to `{value: number, unit?: string}`; malformed entries are dropped. */
export function normalizeMeasurements(value: unknown, notes: Notes): JsonObject | undefined {
  const object = readObject(value, notes, "measurements");
  if (!object) return undefined;
  const measurements: JsonObject = {};
  for (const [name, raw] of Object.entries(object)) {
    if (name === "__proto__") continue;
    const entry = asObject(raw);
    const number = entry?.value;
    if (!entry || typeof number !== "number" || !Number.isFinite(number)) {
      notes.add("invalid_data", `measurements.${name}`);
      continue;
    }
    const measurement: JsonObject = { value: number };
    if (typeof entry.unit === "string" && entry.unit !== "") {
      measurement.unit = truncate(entry.unit, MAX_SHORT_STRING_CHARS);
    }
    measurements[truncate(name, MAX_SHORT_STRING_CHARS)] = measurement;
  }
  return Object.keys(measurements).length > 0 ? measurements : undefined;
}

/**
 * `contexts`: context name to object (`os`, `runtime`, `trace`, `feedback`…), each kept as free-form
 * data; entries that are not objects are dropped.
 */
export function normalizeContexts(value: unknown, notes: Notes): JsonObject | undefined {
  const object = readObject(value, notes, "contexts");
  if (!object) return undefined;
  const contexts: JsonObject = {};
  for (const [name, raw] of Object.entries(object)) {
    if (name === "__proto__" || isAbsent(raw)) continue;
    const context = databagObject(raw, notes, `contexts.${name}`);
    if (context) contexts[name] = context;
  }
  return Object.keys(contexts).length > 0 ? contexts : undefined;
}
