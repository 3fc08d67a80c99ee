// Request bodies: read with a cap on the wire size, then undo `Content-Encoding` (gzip, deflate, br,
// zstd, stacked in any order) with a hard cap on the decoded size. node:zlib (workerd's nodejs_compat)
// stops at `maxOutputLength`, so a compression bomb is refused without ever holding more than the cap.
// Before credentials are known only the first line is decoded, by streaming (see decodeFirstLine).
import zlib from "node:zlib";
import { FaultlineError } from "../errors.ts";
import { MAX_HEADER_SCAN_BYTES, MAX_STORE_BODY_BYTES } from "../limits.ts";

type SyncDecoder = (data: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;

// workerd's node:zlib has zstd; Node's type definitions before 22.15 do not declare it.
const zstdDecompressSync = (zlib as unknown as { zstdDecompressSync?: SyncDecoder }).zstdDecompressSync;

const MiB = 1024 * 1024;

function tooLarge(limit: number): FaultlineError {
  const size = limit >= MiB ? `${limit / MiB} MiB` : `${limit} bytes`;
  return new FaultlineError(413, `decompressed body exceeds the size limit of ${size}`);
}

function isOutputLimitError(error: unknown): boolean {
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_BUFFER_TOO_LARGE" || code === "ERR_OUT_OF_RANGE") return true;
  const message = error instanceof Error ? error.message : String(error);
  return /maxOutputLength|larger than|too large/i.test(message);
}

/**
 * Runs one decoder with at most `max` bytes of output. `limit` is the cap the client is told about: a
 * multi-frame zstd body decodes each frame with what is left of the cap, but the limit is the whole cap.
 */
function run(decoder: SyncDecoder, name: string, data: Uint8Array, max: number, limit = max): Uint8Array {
  try {
    const out = decoder(data, { maxOutputLength: Math.max(1, max) });
    if (out.byteLength > max) throw tooLarge(limit);
    return out;
  } catch (error) {
    if (error instanceof FaultlineError) throw error;
    if (isOutputLimitError(error)) throw tooLarge(limit);
    throw new FaultlineError(400, `failed to decode request body (${name})`, {
      causes: [error instanceof Error ? error.message : String(error)],
    });
  }
}

function decodeOne(encoding: string, data: Uint8Array, max: number): Uint8Array {
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return run(zlib.gunzipSync, "gzip", data, max);
    case "deflate": {
      // HTTP's "deflate" is zlib-wrapped, but some clients send raw deflate: try the wrapper first.
      try {
        return run(zlib.inflateSync, "deflate", data, max);
      } catch (error) {
        if (error instanceof FaultlineError && error.status === 413) throw error;
        return run(zlib.inflateRawSync, "deflate", data, max);
      }
    }
    case "br":
      return run(zlib.brotliDecompressSync, "br", data, max);
    case "zstd": {
      const decode = zstdDecompressSync;
      if (!decode) throw new FaultlineError(415, "unsupported content encoding: zstd");
      // workerd's decoder stops after the first frame; a stream may hold many (and a bomb, thousands).
      const parts: Uint8Array[] = [];
      let total = 0;
      for (const frame of zstdFrames(data)) {
        const out = run(decode, "zstd", frame, max - total, max);
        total += out.byteLength;
        if (total > max) throw tooLarge(max);
        parts.push(out);
      }
      return concat(parts, total);
    }
    default:
      throw new FaultlineError(415, `unsupported content encoding: ${encoding}`);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Splits a zstd stream into its frames by walking frame and block headers (RFC 8878 §3.1), dropping
 * skippable frames. Only sizes are read here; the decoder validates the content.
 */
export function zstdFrames(data: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const corrupt = (why: string) =>
    new FaultlineError(400, "failed to decode request body (zstd)", { causes: [why] });
  let pos = 0;
  while (pos < data.byteLength) {
    if (pos + 4 > data.byteLength) throw corrupt("truncated frame magic");
    const magic = view.getUint32(pos, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (pos + 8 > data.byteLength) throw corrupt("truncated skippable frame");
      pos += 8 + view.getUint32(pos + 4, true);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw corrupt("not a zstd frame");
    const start = pos;
    const descriptor = data[pos + 4];
    if (descriptor === undefined) throw corrupt("truncated frame header");
    const fcsFlag = descriptor >> 6;
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictFlag = descriptor & 3;
    const fcsSize = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] ?? 0);
    const dictSize = [0, 1, 2, 4][dictFlag] ?? 0;
    pos += 5 + (singleSegment ? 0 : 1) + dictSize + fcsSize;
    for (;;) {
      if (pos + 3 > data.byteLength) throw corrupt("truncated block header");
      const header = (data[pos] ?? 0) | ((data[pos + 1] ?? 0) << 8) | ((data[pos + 2] ?? 0) << 16);
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw corrupt("reserved block type");
      pos += 3 + (type === 1 ? 1 : size);
      if (last) break;
    }
    if (checksum) pos += 4;
    if (pos > data.byteLength) throw corrupt("truncated frame");
    frames.push(data.subarray(start, pos));
  }
  return frames;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Undoes `Content-Encoding`. Empty, `identity` and `UTF-8` (sent by some older SDKs) mean none.
 * Stacked encodings are listed in the order they were applied, so they are undone right to left.
 */
function parseEncodings(contentEncoding: string | null): string[] {
  return (contentEncoding ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "" && e !== "identity" && e !== "utf-8" && e !== "utf8");
}

export function decodeBody(body: Uint8Array, contentEncoding: string | null, maxDecoded: number): Uint8Array {
  const encodings = parseEncodings(contentEncoding);
  let data = body;
  for (const encoding of encodings.reverse()) data = decodeOne(encoding, data, maxDecoded);
  if (encodings.length === 0 && data.byteLength > maxDecoded) {
    throw new FaultlineError(413, `request body exceeds the size limit of ${maxDecoded} bytes`);
  }
  return data;
}

/** Reads a request body, refusing it with 413 as soon as it passes `max` bytes on the wire. */
export async function readBodyCapped(
  stream: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new FaultlineError(413, `request body exceeds the size limit of ${max} bytes`);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/**
 * readBodyCapped for a request: when it declares a length within `max`, the body is taken in one read
 * (no chunk-by-chunk stream reading); otherwise, or when it turns out longer, as readBodyCapped does.
 */
export async function readRequestBody(request: Request, max: number): Promise<Uint8Array> {
  const length = request.headers.get("content-length");
  const declared = length === null || length.trim() === "" ? Number.NaN : Number(length);
  if (!request.body || !Number.isInteger(declared) || declared < 0 || declared > max) {
    return readBodyCapped(request.body, max);
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > max) {
    throw new FaultlineError(413, `request body exceeds the size limit of ${max} bytes`);
  }
  return body;
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

function base64Decode(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new FaultlineError(400, "invalid JSON data");
  let binary: string;
  try {
    binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch (error) {
    // Bad length or padding ("A", "AB="): the regex above cannot see those.
    throw new FaultlineError(400, "invalid JSON data", {
      causes: [`body is not valid base64: ${error instanceof Error ? error.message : String(error)}`],
    });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A legacy `/store/` body is raw JSON, base64 of JSON, or base64 of zlib-compressed JSON (very old raven
 * clients); Relay tries them in that order by looking at the first byte.
 */
export function decodeLegacyStoreBody(body: Uint8Array): Uint8Array {
  const first = firstNonSpace(body);
  if (first === undefined || first === 0x7b /* { */) return body;
  const decoded = base64Decode(body);
  if (firstNonSpace(decoded) === 0x7b) return decoded;
  return run(zlib.inflateSync, "zlib", decoded, MAX_STORE_BODY_BYTES);
}

type StreamDecoder = ReturnType<typeof zlib.createGunzip>;

// workerd's node:zlib has a zstd stream; Node's type definitions before 22.15 do not declare it.
const createZstdDecompress = (zlib as unknown as { createZstdDecompress?: () => StreamDecoder })
  .createZstdDecompress;

/**
 * Streams `input` through one decoder and keeps its output only until `limit` bytes (or, with
 * `untilNewline`, a newline) have come out; then the decoder is destroyed, so a bomb costs one chunk.
 * A stream that breaks after some output (a truncated inner layer) yields what came out.
 */
function streamPrefix(
  create: () => StreamDecoder,
  input: Uint8Array,
  limit: number,
  untilNewline: boolean,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const stream = create();
    const chunks: Uint8Array[] = [];
    let total = 0;
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (error !== undefined && total === 0) reject(error);
      else resolve(concat(chunks, total).subarray(0, limit));
    };
    stream.on("data", (chunk: Uint8Array) => {
      chunks.push(chunk);
      total += chunk.byteLength;
      if (total >= limit || (untilNewline && chunk.includes(0x0a))) finish();
    });
    stream.on("end", () => finish());
    stream.on("error", (error: unknown) => finish(error));
    stream.end(input);
  });
}

async function prefixOne(
  encoding: string,
  data: Uint8Array,
  limit: number,
  untilNewline: boolean,
): Promise<Uint8Array> {
  const attempt = async (name: string, create: () => StreamDecoder, input: Uint8Array) => {
    try {
      return await streamPrefix(create, input, limit, untilNewline);
    } catch (error) {
      throw new FaultlineError(400, `failed to decode request body (${name})`, {
        causes: [error instanceof Error ? error.message : String(error)],
      });
    }
  };
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return attempt("gzip", () => zlib.createGunzip(), data);
    case "deflate":
      try {
        return await attempt("deflate", () => zlib.createInflate(), data);
      } catch {
        return attempt("deflate", () => zlib.createInflateRaw(), data);
      }
    case "br":
      return attempt("br", () => zlib.createBrotliDecompress(), data);
    case "zstd": {
      const create = createZstdDecompress;
      if (!create) throw new FaultlineError(415, "unsupported content encoding: zstd");
      // One stream per frame, as for the full decode; a truncated inner layer is taken as one frame.
      let frames: Uint8Array[];
      try {
        frames = zstdFrames(data);
      } catch {
        frames = [data];
      }
      const parts: Uint8Array[] = [];
      let total = 0;
      for (const frame of frames) {
        const out = await attempt("zstd", create, frame);
        parts.push(out);
        total += out.byteLength;
        if (total >= limit || (untilNewline && out.includes(0x0a))) break;
      }
      return concat(parts, total).subarray(0, limit);
    }
    default:
      throw new FaultlineError(415, `unsupported content encoding: ${encoding}`);
  }
}

/**
 * The first line of the decoded body (without its newline), or its first `maxLine + 1` bytes when no
 * newline comes before that. Only as much is decoded as that takes, so the envelope header of a request
 * whose credentials are in it can be read without decompressing the rest. Inner layers of a stacked
 * encoding are decoded to at most MAX_HEADER_SCAN_BYTES.
 */
export async function decodeFirstLine(
  body: Uint8Array,
  contentEncoding: string | null,
  maxLine: number,
): Promise<Uint8Array> {
  const encodings = parseEncodings(contentEncoding).reverse();
  let data = body;
  for (const [i, encoding] of encodings.entries()) {
    const last = i === encodings.length - 1;
    data = await prefixOne(encoding, data, last ? maxLine + 1 : MAX_HEADER_SCAN_BYTES, last);
  }
  const end = data.indexOf(0x0a);
  return end === -1 ? data.subarray(0, maxLine + 1) : data.subarray(0, end);
}
