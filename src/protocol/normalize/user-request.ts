// `user` and `request`. A user's `ip_address: "{{auto}}"` means "the address this came from": it is
// taken from the connection (CF-Connecting-IP), never from the payload, and dropped when unknown. An
// absent ip_address is never filled in.
import { MAX_REQUEST_VALUE_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { truncate } from "../items/json.ts";
import type { JsonObject, JsonValue, User } from "../types.ts";
import { databagObject, trimDatabag } from "./databag.ts";
import { asObject, isAbsent, put, readObject, readString, readStringLoose } from "./fields.ts";
import type { Notes } from "./notes.ts";

const AUTO_IP = "{{auto}}";
const USER_KEYS = new Set(["id", "email", "username", "name", "ip_address", "geo", "data", "segment"]);

export function normalizeUser(raw: unknown, clientIp: string | undefined, notes: Notes): User | undefined {
  const object = readObject(raw, notes, "user");
  if (!object) return undefined;
  const user: User = {};
  put(user, "id", readStringLoose(object.id, MAX_SHORT_STRING_CHARS, notes, "user.id"));
  put(user, "email", readString(object.email, MAX_SHORT_STRING_CHARS, notes, "user.email"));
  put(user, "username", readStringLoose(object.username, MAX_SHORT_STRING_CHARS, notes, "user.username"));
  put(user, "name", readString(object.name, MAX_SHORT_STRING_CHARS, notes, "user.name"));
  put(user, "segment", readString(object.segment, MAX_SHORT_STRING_CHARS, notes, "user.segment"));
  put(user, "ip_address", readIpAddress(object.ip_address, clientIp, notes));
  put(user, "geo", databagObject(object.geo, notes, "user.geo"));
  // Unknown user fields are kept under `data`, as Relay does.
  const data: JsonObject = databagObject(object.data, notes, "user.data") ?? {};
  for (const [key, value] of Object.entries(object)) {
    if (USER_KEYS.has(key) || key === "__proto__" || isAbsent(value) || key in data) continue;
    const kept = trimDatabag(value, notes, `user.${key}`);
    if (kept !== undefined) data[key] = kept;
  }
  if (Object.keys(data).length > 0) user.data = data;
  return Object.keys(user).length > 0 ? user : undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}(%[0-9A-Za-z._-]{1,32})?$/;

/** A plausible IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  const v4 = IPV4.exec(text);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255);
  return text.includes(":") && IPV6.test(text);
}

function readIpAddress(value: unknown, clientIp: string | undefined, notes: Notes): string | undefined {
  if (isAbsent(value) || value === "") return undefined;
  if (value === AUTO_IP) return clientIp && isIpAddress(clientIp) ? clientIp : undefined;
  if (typeof value === "string" && isIpAddress(value.trim())) return value.trim();
  notes.add("invalid_data", "user.ip_address", value);
  return undefined;
}

const REQUEST_STRINGS = ["url", "fragment", "inferred_content_type", "api_target", "protocol"] as const;

export function normalizeRequest(raw: unknown, notes: Notes): JsonObject | undefined {
  const object = readObject(raw, notes, "request");
  if (!object) return undefined;
  const request: JsonObject = {};
  for (const key of REQUEST_STRINGS) {
    put(request, key, readString(object[key], MAX_REQUEST_VALUE_CHARS, notes, `request.${key}`));
  }
  const method = readString(object.method, MAX_SHORT_STRING_CHARS, notes, "request.method");
  if (method !== undefined) request.method = method.toUpperCase();
  put(request, "headers", readPairs(object.headers, notes, "request.headers"));
  put(request, "query_string", readQuery(object.query_string, notes));
  put(request, "cookies", readCookies(object.cookies, notes));
  put(request, "env", databagObject(object.env, notes, "request.env"));
  if (!isAbsent(object.data)) put(request, "data", trimDatabag(object.data, notes, "request.data"));
  if (
    typeof object.body_size === "number" &&
    Number.isSafeInteger(object.body_size) &&
    object.body_size >= 0
  ) {
    request.body_size = object.body_size;
  }
  return Object.keys(request).length > 0 ? request : undefined;
}

/**
 * Name/value pairs (headers, cookies, query) from an object or a list of pairs, as Sentry stores
 * them: a list of `[name, value]` string pairs. Values that are lists yield one pair per entry.
 */
export function readPairs(value: unknown, notes: Notes, path: string): [string, string][] | undefined {
  if (isAbsent(value)) return undefined;
  let entries: [unknown, unknown][];
  if (Array.isArray(value)) {
    entries = [];
    for (const entry of value) {
      if (Array.isArray(entry) && entry.length === 2) entries.push([entry[0], entry[1]]);
      else notes.add("invalid_data", path, JSON.stringify(entry));
    }
  } else {
    const object = asObject(value);
    if (!object) {
      notes.add("invalid_data", path, value);
      return undefined;
    }
    entries = Object.entries(object);
  }
  const pairs: [string, string][] = [];
  for (const [name, rawValue] of entries) {
    if (typeof name !== "string" || name.length === 0) continue;
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    for (const v of values) {
      if (isAbsent(v)) continue;
      const text = typeof v === "string" ? v : JSON.stringify(v);
      pairs.push([truncate(name, MAX_SHORT_STRING_CHARS), truncate(text, MAX_REQUEST_VALUE_CHARS)]);
    }
  }
  return pairs;
}

/** `query_string`: a string (without a leading `?`) is kept, objects and pair lists become pairs. */
function readQuery(value: unknown, notes: Notes): JsonValue | undefined {
  if (typeof value === "string") {
    const text = value.startsWith("?") ? value.slice(1) : value;
    return readString(text, MAX_REQUEST_VALUE_CHARS, notes, "request.query_string");
  }
  return readPairs(value, notes, "request.query_string");
}

/** `cookies`: the raw header string is kept, objects and pair lists become pairs. */
function readCookies(value: unknown, notes: Notes): JsonValue | undefined {
  if (typeof value === "string") return readString(value, MAX_REQUEST_VALUE_CHARS, notes, "request.cookies");
  return readPairs(value, notes, "request.cookies");
}
