// Payload segments, the format: each event's normalized payload is compressed on its own (deflate-raw)
// and appended to its project's open segment; a segment's bytes are its payloads one after the other,
// so one payload is read back with a ranged read of [offset, offset + length). An event row names its
// payload with a locator: the segment id, the offset and the length. Pure: no storage here.
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** Where one payload is: its segment and its byte range in it. */
export interface PayloadLocator {
  segment: string;
  offset: number;
  length: number;
}

// `{seconds the segment opened, 10 digits}-{16 hex}`: ids sort by age, so a listing of a project's
// segments is in time order and retention can stop at the first one too young.
const SEGMENT_ID = /^(\d{10})-([0-9a-f]{16})$/;
const LOCATOR = /^(\d{10}-[0-9a-f]{16})\/(\d{1,12})\/(\d{1,9})$/;

/** A fresh segment id for a segment opened at `openedAtMs`. */
export function newSegmentId(openedAtMs: number): string {
  const seconds = Math.floor(openedAtMs / 1000)
    .toString()
    .padStart(10, "0");
  const random = crypto.getRandomValues(new Uint8Array(8));
  return `${seconds}-${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** When the segment was opened (seconds), or null when `id` is not a segment id. */
export function segmentOpenedAt(id: string): number | null {
  const match = SEGMENT_ID.exec(id);
  return match ? Number(match[1]) : null;
}

/**
 * The locator's text, as the `events.payload_ref` column keeps it: the segment id compacted, its
 * opening second in base 36 (6 characters until 2038, then 7) and its 16 hex digits as 11 base64url
 * characters, then `/{offset, base 36}/{length, decimal}`; about 26 bytes where the plain text
 * `{segment}/{offset}/{length}` takes about 39. The length stays last and decimal: the stored-bytes
 * counter's SQL (storage-usage.ts) reads it after the second `/` in either form.
 */
export function formatLocator(locator: PayloadLocator): string {
  const match = SEGMENT_ID.exec(locator.segment);
  if (!match) return plainLocator(locator);
  const seconds = Number(match[1]).toString(36).padStart(6, "0");
  return `${seconds}${hexToBase64Url(match[2] as string)}/${locator.offset.toString(36)}/${locator.length}`;
}

/** The plain text form every row written before the compact form keeps: `{segment id}/{offset}/{length}`. */
export function plainLocator(locator: PayloadLocator): string {
  return `${locator.segment}/${locator.offset}/${locator.length}`;
}

/** The locator `text` names (either form), or null when it is not one. */
export function parseLocator(text: string): PayloadLocator | null {
  const match = LOCATOR.exec(text);
  if (match) return checkedLocator(match[1] as string, Number(match[2]), Number(match[3]));
  const compact = COMPACT_LOCATOR.exec(text);
  if (!compact) return null;
  const seconds = Number.parseInt(compact[1] as string, 36);
  const hex = base64UrlToHex(compact[2] as string);
  if (hex === null || seconds > 9_999_999_999) return null;
  const segment = `${seconds.toString().padStart(10, "0")}-${hex}`;
  const locator = checkedLocator(segment, Number.parseInt(compact[3] as string, 36), Number(compact[4]));
  // One text per locator: a non-canonical spelling (leading zeros, stray low bits) is not a locator.
  return locator && formatLocator(locator) === text ? locator : null;
}

const COMPACT_LOCATOR = /^([0-9a-z]{6,7})([A-Za-z0-9_-]{11})\/([0-9a-z]{1,8})\/(\d{1,9})$/;

function checkedLocator(segment: string, offset: number, length: number): PayloadLocator | null {
  if (!Number.isSafeInteger(offset) || length === 0) return null;
  return { segment, offset, length };
}

function hexToBase64Url(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2)
    binary += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlToHex(text: string): string | null {
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  if (binary.length !== 8) return null;
  return [...binary].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

/** Bytes one payload may inflate to when read back (well over the inline limit it was written under). */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/**
 * One payload's stored bytes: its JSON text, UTF-8, deflate-raw. Synchronous zlib (node:zlib, workerd's
 * nodejs_compat): the project's object compresses every payload it commits, and a stream per payload
 * costs several times the CPU (measured in docs/payloads.md).
 */
export function compressPayload(json: string): Uint8Array {
  const out = deflateRawSync(json);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The JSON text of one payload's stored bytes. Throws when they are not a deflate-raw stream. */
export function decompressPayload(bytes: Uint8Array): string {
  return new TextDecoder().decode(inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }));
}
