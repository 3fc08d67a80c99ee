// Request bodies: read with a cap on the wire size, then undo `Content-Encoding` (gzip, deflate, br,
// zstd, stacked in any order) with a hard cap on the decoded size. node:zlib (workerd's nodejs_compat)
// stops at `maxOutputLength`, so a compression bomb is refused without ever holding more than the cap.
import zlib from "node:zlib";
import { FaultlineError } from "../errors.ts";
import { MAX_STORE_BODY_BYTES } from "../limits.ts";

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

function run(decoder: SyncDecoder, name: string, data: Uint8Array, max: number): Uint8Array {
  try {
    const out = decoder(data, { maxOutputLength: max });
    if (out.byteLength > max) throw tooLarge(max);
    return out;
  } catch (error) {
    if (error instanceof FaultlineError) throw error;
    if (isOutputLimitError(error)) throw tooLarge(max);
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
    case "zstd":
      if (!zstdDecompressSync) throw new FaultlineError(415, "unsupported content encoding: zstd");
      return run(zstdDecompressSync, "zstd", data, max);
    default:
      throw new FaultlineError(415, `unsupported content encoding: ${encoding}`);
  }
}

/**
 * Undoes `Content-Encoding`. Empty, `identity` and `UTF-8` (sent by some older SDKs) mean none.
 * Stacked encodings are listed in the order they were applied, so they are undone right to left.
 */
export function decodeBody(body: Uint8Array, contentEncoding: string | null, maxDecoded: number): Uint8Array {
  const encodings = (contentEncoding ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "" && e !== "identity" && e !== "utf-8" && e !== "utf8");
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
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

function base64Decode(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new FaultlineError(400, "invalid JSON data");
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
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
