// Scrubbing of records that are not events: span and log attributes (kept both as plain values and in
// the typed wire form, scrubbed alike) and free text such as a log body or a span description. Records
// have no `_meta`: a scrubbed value reads "[Filtered]" (or "[ip]") in place.
import type { JsonObject, JsonValue } from "../types.ts";
import { Scrubber, type ScrubbingSettings } from "./scrubber.ts";

/** Attributes that hold the client's address, removed when the project scrubs IP addresses. */
const IP_ATTRIBUTES = new Set(["client.address", "user.ip", "user.ip_address", "http.client_ip"]);

export interface ScrubbedAttributes {
  attributes: JsonObject;
  typedAttributes: JsonObject;
}

export function scrubAttributes(
  attributes: JsonObject,
  typedAttributes: JsonObject,
  settings: ScrubbingSettings,
): ScrubbedAttributes {
  const s = new Scrubber(settings);
  if (!s.active) return { attributes, typedAttributes };
  const plain: JsonObject = {};
  const typed: JsonObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (settings.scrubIpAddresses && IP_ATTRIBUTES.has(key)) continue;
    plain[key] = s.value(value, key, [key]);
  }
  for (const [key, entry] of Object.entries(typedAttributes)) {
    if (entry === undefined) continue;
    if (settings.scrubIpAddresses && IP_ATTRIBUTES.has(key)) continue;
    typed[key] = scrubTyped(entry, key, s);
  }
  return { attributes: plain, typedAttributes: typed };
}

/** `{type, value, unit?}`: the value scrubbed; a filtered non-string becomes a string attribute. */
function scrubTyped(entry: JsonValue, key: string, s: Scrubber): JsonValue {
  if (!entry || typeof entry !== "object" || Array.isArray(entry) || !("value" in entry)) {
    return s.value(entry, key, [key]);
  }
  const value = entry.value;
  if (value === undefined) return entry;
  const scrubbed = s.value(value, key, [key, "value"]);
  if (scrubbed === value) return entry;
  return typeof scrubbed === "string" && typeof value !== "string"
    ? { ...entry, type: "string", value: scrubbed }
    : { ...entry, value: scrubbed };
}

export function scrubText(text: string, settings: ScrubbingSettings): string {
  const s = new Scrubber(settings);
  return s.active ? s.text(text, []) : text;
}
