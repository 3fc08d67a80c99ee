// `tags`: an object, a list of `[key, value]` pairs or a list of `{key, value}` objects, normalized to
// pairs of non-empty strings. Keys and values are cut to Sentry's lengths, duplicates keep the first,
// at most MAX_TAGS are kept.
import { MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, MAX_TAGS } from "../../limits.ts";
import { truncate } from "../items/json.ts";
import type { NormalizedEvent } from "../types.ts";
import { asObject, isAbsent } from "./fields.ts";
import type { Notes } from "./notes.ts";

export function normalizeTags(raw: unknown, notes: Notes): [string, string][] {
  const entries = tagEntries(raw, notes);
  const tags: [string, string][] = [];
  const seen = new Set<string>();
  entries.forEach(([rawKey, rawValue], i) => {
    const path = `tags.${i}`;
    const key = tagText(rawKey, MAX_TAG_KEY_CHARS, notes, `${path}.key`);
    const value = tagText(rawValue, MAX_TAG_VALUE_CHARS, notes, `${path}.value`);
    if (key === undefined || value === undefined) {
      if (!isAbsent(rawValue)) notes.add("invalid_data", path);
      return;
    }
    if (seen.has(key)) return;
    if (tags.length >= MAX_TAGS) {
      if (tags.length === MAX_TAGS) notes.add("too_many_values", "tags", entries.length);
      return;
    }
    seen.add(key);
    tags.push([key, value]);
  });
  return tags;
}

function tagEntries(raw: unknown, notes: Notes): [unknown, unknown][] {
  if (isAbsent(raw)) return [];
  if (Array.isArray(raw)) {
    const entries: [unknown, unknown][] = [];
    raw.forEach((entry, i) => {
      const object = asObject(entry);
      if (Array.isArray(entry) && entry.length === 2) entries.push([entry[0], entry[1]]);
      else if (object && "key" in object) entries.push([object.key, object.value]);
      else notes.add("invalid_data", `tags.${i}`, entry);
    });
    return entries;
  }
  const object = asObject(raw);
  if (object) return Object.entries(object);
  notes.add("invalid_data", "tags", raw);
  return [];
}

/** Tag text: strings trimmed of surrounding whitespace, other values stringified; null is no value. */
function tagText(value: unknown, maxChars: number, notes: Notes, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  let text = typeof value === "string" ? value.trim() : JSON.stringify(value);
  if (typeof text !== "string") return undefined;
  if (text.length === 0) return undefined;
  if (/[\r\n]/.test(text)) text = text.replace(/\s*[\r\n]+\s*/g, " ");
  if (text.length > maxChars) {
    notes.add("value_too_long", path, text.length);
    text = truncate(text, maxChars);
  }
  return text;
}

/** Context → tag: `os` is "name version", `os.name` the name; `device` the model, `device.family` its family. */
const CONTEXT_TAGS: readonly (readonly [
  context: string,
  tag: string,
  format: "name version" | "name" | string,
])[] = [
  ["os", "os", "name version"],
  ["os", "os.name", "name"],
  ["client_os", "client_os", "name version"],
  ["client_os", "client_os.name", "name"],
  ["runtime", "runtime", "name version"],
  ["runtime", "runtime.name", "name"],
  ["browser", "browser", "name version"],
  ["browser", "browser.name", "name"],
  ["device", "device", "model"],
  ["device", "device.family", "family"],
];

/**
 * The tags Sentry derives from the os, client_os, runtime, browser and device contexts, appended to the
 * event's tags so search and tag counts see them; a key the SDK sent as a tag keeps the SDK's value.
 * At most ten extra pairs, so they are not held to MAX_TAGS.
 */
export function withContextTags(
  tags: [string, string][],
  contexts: Readonly<Record<string, unknown>> | undefined,
): [string, string][] {
  if (!contexts) return tags;
  const seen = new Set(tags.map(([key]) => key));
  const out = [...tags];
  for (const [name, key, format] of CONTEXT_TAGS) {
    if (seen.has(key)) continue;
    const context = asObject(contexts[name]);
    if (!context) continue;
    const text = (field: string) => {
      const value = context[field];
      return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
    };
    const value =
      format === "name version"
        ? [text("name"), text("name") && text("version")].filter(Boolean).join(" ")
        : text(format);
    if (value === "") continue;
    seen.add(key);
    out.push([key, truncate(value.replace(/\s*[\r\n]+\s*/g, " "), MAX_TAG_VALUE_CHARS)]);
  }
  return out;
}

/**
 * The (key, value) pairs an issue's tag search matches this event by: its tags, and the release,
 * environment and server name Sentry also searches as tags. Without repeats.
 */
export function searchableTagValues(
  event: Pick<NormalizedEvent, "tags" | "release" | "environment" | "server_name">,
): [string, string][] {
  const derived: [string, string | undefined][] = [
    ["release", event.release],
    ["environment", event.environment],
    ["server_name", event.server_name],
  ];
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const [key, value] of [...event.tags, ...derived]) {
    if (value === undefined || value === "") continue;
    const id = `${key}\u0000${value}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push([key, value]);
  }
  return out;
}
