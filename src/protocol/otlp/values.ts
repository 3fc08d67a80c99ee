// Readers of OTLP's common pieces (AnyValue, KeyValue lists, ids, nanosecond times) over either decoded
// form: protobufjs objects (ids as bytes, 64-bit integers as numbers or Long objects) or OTLP JSON (ids
// as hex strings, 64-bit integers as strings or numbers). Total: bad values read as undefined.
import { MAX_TIMESTAMP_SECONDS } from "../../limits.ts";
import { UNSAFE_KEY } from "../items/attributes.ts";
import { asArray, asObject } from "../items/json.ts";
import type { JsonObject, JsonValue } from "../types.ts";

/** Nesting of array/kvlist values kept; deeper values are written as their JSON text. */
const MAX_VALUE_DEPTH = 5;

function hexOfBytes(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * An id of `bytes` hex digits: bytes (protobuf) or a hex string (OTLP JSON). Empty means "none"
 * (undefined); all zeros is invalid per the spec (null).
 */
export function readOtlpId(value: unknown, bytes: 8 | 16): string | undefined | null {
  let hex: string | undefined;
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) return undefined;
    hex = value.byteLength === bytes ? hexOfBytes(value) : undefined;
  } else if (typeof value === "string") {
    if (value === "") return undefined;
    hex = /^[0-9a-fA-F]+$/.test(value) && value.length === bytes * 2 ? value.toLowerCase() : undefined;
  } else if (value === undefined || value === null) {
    return undefined;
  }
  if (hex === undefined || /^0+$/.test(hex)) return null;
  return hex;
}

/** A 64-bit unsigned integer (number, decimal string or protobufjs Long) as a JS number. */
export function readUint64(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = typeof value === "string" ? value : asObject(value) ? String(value) : undefined;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function base64OfBytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Nanoseconds since the epoch → float unix seconds; 0 (unset) and out-of-range values → undefined. */
export function readUnixNanos(value: unknown): number | undefined {
  const nanos = readUint64(value);
  if (nanos === undefined || nanos === 0) return undefined;
  const seconds = nanos / 1e9;
  return seconds <= MAX_TIMESTAMP_SECONDS ? seconds : undefined;
}

/** An AnyValue as plain JSON: strings, booleans, numbers, arrays, objects; bytes as base64 text. */
export function readAnyValue(value: unknown, depth = 0): JsonValue | undefined {
  const any = asObject(value);
  if (!any) return undefined;
  if (typeof any.stringValue === "string") return any.stringValue;
  if (typeof any.boolValue === "boolean") return any.boolValue;
  if (any.intValue !== undefined && any.intValue !== null) return readInt64(any.intValue);
  if (typeof any.doubleValue === "number") return any.doubleValue;
  const raw = (any as Record<string, unknown>).bytesValue;
  if (raw instanceof Uint8Array) return base64OfBytes(raw);
  if (typeof raw === "string") return raw;
  const array = asObject(any.arrayValue);
  if (array) {
    const values = (asArray(array.values) ?? []).map((v) => readAnyValue(v, depth + 1) ?? null);
    return depth >= MAX_VALUE_DEPTH ? JSON.stringify(values) : values;
  }
  const kvlist = asObject(any.kvlistValue);
  if (kvlist) {
    const object = readKeyValues(kvlist.values, depth + 1);
    return depth >= MAX_VALUE_DEPTH ? JSON.stringify(object) : object;
  }
  return undefined;
}

function readInt64(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const text = typeof value === "string" ? value : asObject(value) ? String(value) : undefined;
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/** A KeyValue list as a plain `{key: value}` map; entries without a key or value are dropped. */
export function readKeyValues(list: unknown, depth = 0): JsonObject {
  const out: JsonObject = {};
  for (const entry of asArray(list) ?? []) {
    const kv = asObject(entry);
    if (!kv || typeof kv.key !== "string" || kv.key === "" || kv.key === UNSAFE_KEY) continue;
    const value = readAnyValue(kv.value, depth);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

/** An enum field: a number (protobuf, OTLP JSON) or its name (proto3 JSON allows that too). */
export function readEnum(value: unknown, names: readonly string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const index = names.indexOf(value);
    return Math.max(index, 0);
  }
  return 0;
}
