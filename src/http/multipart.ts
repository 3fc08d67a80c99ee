// A streaming `multipart/form-data` reader: yields one part at a time while the body is still arriving,
// so a 32 MiB chunk request never sits in memory whole (Request.formData() would buffer all of it).
// Pure: works on any async iterable of bytes (a web ReadableStream in workerd and Node).

import { badRequest, tooLarge } from "../errors.ts";
import { MAX_PART_HEADER_BYTES } from "../limits.ts";

export interface MultipartPart {
  /** Form field name (`file_gzip`, `file`, …). */
  name: string;
  /** The `filename` parameter; sentry-cli puts the chunk's SHA-1 there. */
  filename: string | null;
  contentType: string | null;
  body: Uint8Array;
}

const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The boundary of a `multipart/form-data` content type, or 400. */
export function multipartBoundary(contentType: string | null): string {
  const match = contentType ? /^\s*multipart\/form-data\s*;(.*)$/i.exec(contentType) : null;
  if (!match) throw badRequest("Expected a multipart/form-data body");
  const boundary = headerParams(match[1] ?? "").get("boundary");
  // RFC 2046: 1–70 characters.
  if (!boundary || boundary.length > 70) throw badRequest("multipart body has no valid boundary");
  return boundary;
}

/** `key=value` / `key="value"` parameters of a header value, keys lowercased. */
export function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /(?:^|;)\s*([A-Za-z0-9_.*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const key = match[1]?.toLowerCase();
    if (!key) continue;
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "").trim();
    if (!params.has(key)) params.set(key, raw);
  }
  return params;
}

/** Index of `needle` in `haystack` at or after `from`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  if (first === undefined) return from <= haystack.length ? from : -1;
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const total = parts.reduce((sum, p) => sum + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function parsePartHeaders(bytes: Uint8Array): Omit<MultipartPart, "body"> {
  let disposition: string | null = null;
  let contentType: string | null = null;
  for (const line of decoder.decode(bytes).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") disposition = value;
    else if (key === "content-type") contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) {
    throw badRequest("multipart part without a form-data Content-Disposition");
  }
  const params = headerParams(disposition.replace(/^form-data\s*/i, ""));
  const name = params.get("name");
  if (name === undefined) throw badRequest("multipart part without a field name");
  return { name, filename: params.get("filename") ?? null, contentType };
}

type State = "preamble" | "boundary" | "headers" | "body" | "done";

/**
 * Parts of a multipart body in order. A part body larger than `maxPartBytes` is refused with 413 as
 * soon as it is seen; a body that ends before the closing boundary is a 400.
 */
export async function* readMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  maxPartBytes: number,
): AsyncGenerator<MultipartPart> {
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const keep = delimiter.length - 1;
  // A virtual CRLF lets the first boundary (at the very start) match the same delimiter as the others.
  let buffer: Uint8Array = CRLF;
  let state: State = "preamble";
  let headers: Omit<MultipartPart, "body"> | null = null;
  let pieces: Uint8Array[] = [];
  let pieceBytes = 0;

  const take = (input: Uint8Array | null): Iterable<MultipartPart> => {
    if (input) buffer = buffer.byteLength === 0 ? input : concatBytes([buffer, input]);
    const ready: MultipartPart[] = [];
    for (;;) {
      if (state === "preamble" || state === "body") {
        const at = indexOfBytes(buffer, delimiter);
        if (at === -1) {
          // Keep a tail that may hold the start of a delimiter; the rest is body (or discarded preamble).
          const cut = Math.max(0, buffer.byteLength - keep);
          if (state === "body" && cut > 0) addPiece(buffer.subarray(0, cut));
          buffer = buffer.slice(cut);
          return ready;
        }
        if (state === "body" && headers) {
          addPiece(buffer.subarray(0, at));
          ready.push({ ...headers, body: concatBytes(pieces) });
          pieces = [];
          pieceBytes = 0;
          headers = null;
        }
        buffer = buffer.subarray(at + delimiter.length);
        state = "boundary";
      } else if (state === "boundary") {
        // After a delimiter: "--" closes the body, CRLF starts a part (linear whitespace is allowed first).
        let i = 0;
        while (buffer[i] === 0x20 || buffer[i] === 0x09) i++;
        if (buffer.byteLength < i + 2) return ready;
        if (buffer[i] === 0x2d && buffer[i + 1] === 0x2d) {
          state = "done";
          return ready;
        }
        if (buffer[i] !== 13 || buffer[i + 1] !== 10) throw badRequest("malformed multipart boundary line");
        buffer = buffer.subarray(i + 2);
        state = "headers";
      } else if (state === "headers") {
        // An empty header block ends right away: the blank line immediately follows the boundary line.
        const at = buffer[0] === 13 && buffer[1] === 10 ? -2 : indexOfBytes(buffer, HEADER_END);
        if (at === -1) {
          if (buffer.byteLength > MAX_PART_HEADER_BYTES) throw badRequest("multipart part headers too large");
          return ready;
        }
        headers = parsePartHeaders(at === -2 ? new Uint8Array(0) : buffer.subarray(0, at));
        buffer = buffer.subarray(at === -2 ? 2 : at + HEADER_END.length);
        state = "body";
      } else {
        return ready;
      }
    }
  };

  const addPiece = (bytes: Uint8Array): void => {
    if (bytes.byteLength === 0) return;
    pieceBytes += bytes.byteLength;
    if (pieceBytes > maxPartBytes) throw tooLarge("Chunk size too large");
    pieces.push(bytes.slice());
  };

  // `state` changes inside take(); read it through a function so the checks see the current value.
  const finished = (): boolean => state === "done";
  for await (const input of body) {
    yield* take(input);
    if (finished()) return;
  }
  yield* take(null);
  if (!finished()) throw badRequest("multipart body ended before its closing boundary");
}

/** A web ReadableStream as an async iterable (workerd and Node both provide getReader). */
export async function* streamBytes(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
