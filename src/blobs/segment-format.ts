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

/** The locator's text, as the `events.payload_ref` column keeps it. */
export function formatLocator(locator: PayloadLocator): string {
  return `${locator.segment}/${locator.offset}/${locator.length}`;
}

/** The locator `text` names, or null when it is not one. */
export function parseLocator(text: string): PayloadLocator | null {
  const match = LOCATOR.exec(text);
  if (!match) return null;
  const offset = Number(match[2]);
  const length = Number(match[3]);
  if (!Number.isSafeInteger(offset) || length === 0) return null;
  return { segment: match[1] as string, offset, length };
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

/** The parts one after the other (a segment's bytes from its payloads in offset order). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
