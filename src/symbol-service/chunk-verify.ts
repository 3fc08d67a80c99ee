// Turns one multipart part of a chunk upload into verified chunk bytes: `file_gzip` parts are gunzipped
// (capped at the chunk size), `file` parts are taken as they are, and the SHA-1 of the uncompressed bytes
// must equal the part's filename (sentry-cli names each part by that checksum).
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { badRequest } from "../errors.ts";
import type { MultipartPart } from "../http/multipart.ts";

export interface VerifiedChunk {
  sha1: string;
  bytes: Uint8Array;
}

export const CHUNK_FIELDS = ["file", "file_gzip"] as const;

const SHA1_HEX = /^[0-9a-f]{40}$/;

export const isSha1Hex = (value: unknown): value is string =>
  typeof value === "string" && SHA1_HEX.test(value);

export function sha1Hex(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** Whether a form field carries a chunk (other fields are ignored, as Sentry does). */
export const isChunkField = (name: string): boolean => (CHUNK_FIELDS as readonly string[]).includes(name);

function gunzipChunk(body: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      throw badRequest("Chunk size too large");
    }
    throw badRequest("Chunk is not valid gzip data");
  }
}

/** The verified chunk of a `file`/`file_gzip` part, or 400 with what is wrong. */
export function verifyChunkPart(part: MultipartPart, maxChunkBytes: number): VerifiedChunk {
  const claimed = part.filename?.trim().toLowerCase() ?? "";
  if (!isSha1Hex(claimed)) {
    throw badRequest("Chunk filename must be the SHA-1 of the chunk (40 hex digits)");
  }
  const bytes = part.name === "file_gzip" ? gunzipChunk(part.body, maxChunkBytes) : part.body;
  if (bytes.byteLength > maxChunkBytes) throw badRequest("Chunk size too large");
  const actual = sha1Hex(bytes);
  if (actual !== claimed) throw badRequest(`Chunk checksum mismatch: named ${claimed}, content is ${actual}`);
  return { sha1: actual, bytes };
}
