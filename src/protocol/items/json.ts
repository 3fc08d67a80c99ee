// Small, total readers over untrusted JSON: each returns a typed value or undefined, never throws.
import { MAX_TIMESTAMP_SECONDS } from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export type DecodedJson = { ok: true; value: JsonValue } | { ok: false };

/** Parses a payload as UTF-8 JSON. Invalid UTF-8 and invalid JSON both fail. */
export function decodeJson(payload: Uint8Array): DecodedJson {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(payload)) as JsonValue };
  } catch {
    return { ok: false };
  }
}

export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asArray(value: unknown): JsonValue[] | undefined {
  return Array.isArray(value) ? (value as JsonValue[]) : undefined;
}

/** A non-empty string (after trimming), cut to `maxChars`. */
export function asText(value: unknown, maxChars: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? truncate(trimmed, maxChars) : undefined;
}

export function asFiniteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A non-negative safe integer (counters, quantities). */
export function asCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Cuts a string to at most `maxChars` UTF-16 units without splitting a surrogate pair. */
export function truncate(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  const end = isHighSurrogate(value.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return value.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * A timestamp as float unix seconds: a number (seconds) or an RFC 3339 string. Strings without an
 * offset are read as UTC (as Relay does); fractions keep microsecond precision, which `Date.parse`
 * would drop.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return isTimestampInRange(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over invalid days (Feb 30 → Mar 2); reject those instead of guessing.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  const fraction = m[7] ? Number(`0${m[7]}`) : 0;
  let offsetSeconds = 0;
  if (m[9]) {
    const sign = m[9] === "-" ? -1 : 1;
    offsetSeconds = sign * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  }
  const seconds = ms / 1000 + fraction - offsetSeconds;
  return isTimestampInRange(seconds) ? seconds : undefined;
}

/** Unix seconds from 1970 to the end of year 9999: anything else is not a time an SDK meant to send. */
export const isTimestampInRange = (seconds: number): boolean =>
  Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_TIMESTAMP_SECONDS;

export const EPOCH_ISO = "1970-01-01T00:00:00.000Z";

/** ISO 8601 for stored unix seconds; null (never a throw) for a value outside the range above. */
export function isoFromSeconds(seconds: unknown): string | null {
  if (typeof seconds !== "number" || !isTimestampInRange(seconds)) return null;
  return new Date(seconds * 1000).toISOString();
}

const HEX16 = /^[0-9a-fA-F]{16}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const UUID_HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A 32-hex id (trace id, event id, session id): 32 hex or a hyphenated UUID, returned lowercase. */
export function normalizeId32(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (HEX32.test(value)) return value.toLowerCase();
  if (UUID_HYPHENATED.test(value)) return value.replaceAll("-", "").toLowerCase();
  return undefined;
}

/** A span id: exactly 16 hex, returned lowercase. */
export function normalizeSpanId(value: unknown): string | undefined {
  return typeof value === "string" && HEX16.test(value) ? value.toLowerCase() : undefined;
}

/** Optional id field: absent (undefined/null/"") is fine, present but malformed is an error. */
export type OptionalId = { ok: true; id: string | undefined } | { ok: false };

export function optionalId(value: unknown, normalize: (v: unknown) => string | undefined): OptionalId {
  if (value === undefined || value === null || value === "") return { ok: true, id: undefined };
  const id = normalize(value);
  return id === undefined ? { ok: false } : { ok: true, id };
}

/** Removes keys whose value is undefined, so records have absent optionals rather than `undefined` ones. */
export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** Counts invalid entries by reason, merging repeats, in first-seen order. */
export class InvalidTally {
  private readonly counts = new Map<string, number>();

  add(reason: string, quantity = 1): void {
    if (quantity <= 0) return;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + quantity);
  }

  list(): { reason: string; quantity: number }[] {
    return [...this.counts].map(([reason, quantity]) => ({ reason, quantity }));
  }
}
