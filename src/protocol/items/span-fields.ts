// Pieces shared by the span v2 and the v1 (legacy / transaction child) span readers.
import {
  MAX_ENVIRONMENT_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_RELEASE_CHARS,
  MAX_SHORT_STRING_CHARS,
} from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { stringAttribute, typedFromPlain, UNSAFE_KEY } from "./attributes.ts";
import { dropUndefined, parseTimestamp } from "./json.ts";
import type { SpanRecord } from "./types.ts";

export type SpanRead = { ok: true; span: SpanRecord } | { ok: false; reason: string };

export const invalidSpan = (reason: string): SpanRead => ({ ok: false, reason });

export type SpanTimes = { ok: true; start: number; end: number } | { ok: false; reason: string };

/** Start and end are both required; a span ending before it starts is invalid (its duration would be negative). */
export function readSpanTimes(startValue: unknown, endValue: unknown): SpanTimes {
  const start = parseTimestamp(startValue);
  const end = parseTimestamp(endValue);
  if (start === undefined || end === undefined) return { ok: false, reason: "invalid_timestamp" };
  if (end < start) return { ok: false, reason: "end_before_start" };
  return { ok: true, start, end };
}

/** Adds an attribute to both forms unless the key is already there (explicit attributes win). */
export function addAttributeIfMissing(
  plain: JsonObject,
  typed: JsonObject,
  key: string,
  value: JsonValue | undefined,
): void {
  if (value === undefined || value === null || key === UNSAFE_KEY || Object.hasOwn(plain, key)) return;
  plain[key] = value;
  const entry = typedFromPlain({ [key]: value })[key];
  if (entry !== undefined) typed[key] = entry;
}

/** Keeps top-level span fields the reader does not model as `sentry.<field>` attributes. */
export function keepUnknownFields(
  span: JsonObject,
  known: ReadonlySet<string>,
  plain: JsonObject,
  typed: JsonObject,
): void {
  for (const [key, value] of Object.entries(span)) {
    if (!known.has(key)) addAttributeIfMissing(plain, typed, `sentry.${key}`, value);
  }
}

/** The record fields that span v2 carries as `sentry.*` attributes. */
export interface AttributeDerived {
  op?: string;
  description?: string;
  transaction?: string;
  release?: string;
  environment?: string;
  origin?: string;
}

export function deriveFromAttributes(plain: JsonObject): AttributeDerived {
  return dropUndefined({
    op: stringAttribute(plain, "sentry.op", MAX_SHORT_STRING_CHARS),
    description: stringAttribute(plain, "sentry.description", MAX_MESSAGE_CHARS),
    transaction:
      stringAttribute(plain, "sentry.segment.name", MAX_MESSAGE_CHARS) ??
      stringAttribute(plain, "sentry.transaction", MAX_MESSAGE_CHARS),
    release: stringAttribute(plain, "sentry.release", MAX_RELEASE_CHARS),
    environment: stringAttribute(plain, "sentry.environment", MAX_ENVIRONMENT_CHARS),
    origin: stringAttribute(plain, "sentry.origin", MAX_SHORT_STRING_CHARS),
  });
}

export function durationMs(start: number, end: number): number {
  return (end - start) * 1000;
}
