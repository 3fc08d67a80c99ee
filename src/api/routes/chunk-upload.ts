// `GET/POST /api/0/organizations/{org}/chunk-upload/`: the chunk upload options sentry-cli reads first,
// and the multipart upload of chunks (`file_gzip`/`file` parts named by the SHA-1 of the uncompressed
// chunk). Parts are read one at a time as the body streams in; each is verified and written to R2
// under the organization before the next is read.

import type { IRequest } from "itty-router";
import type { Env } from "../../env.ts";
import { badRequest, tooLarge } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { multipartBoundary, readMultipart, streamBytes } from "../../http/multipart.ts";
import { json } from "../../http/responses.ts";
import {
  CHUNK_SIZE,
  CHUNK_UPLOAD_CONCURRENCY,
  CHUNKS_PER_REQUEST,
  MAX_CHUNK_PART_BYTES,
  MAX_CHUNK_REQUEST_BYTES,
  MAX_DEBUG_FILE_BYTES,
  MAX_FRAMING_BYTES,
} from "../../limits.ts";
import { isChunkField, putChunk, recordChunks, verifyChunkPart } from "../../symbol-service/index.ts";
import { authenticate, organizationFor } from "../access.ts";

/** What a file upload may contain; sentry-cli 3.x ignores it, 2.x needs `debug_files` to use chunks. */
const ACCEPT = ["debug_files", "release_files", "pdbs", "sources", "bcsymbolmaps", "il2cpp", "portablepdbs"];

export function chunkUploadOptions(orgSlug: string) {
  return {
    // Relative: sentry-cli resolves it against its base URL, which stays right behind any proxy.
    url: `/api/0/organizations/${encodeURIComponent(orgSlug)}/chunk-upload/`,
    chunkSize: CHUNK_SIZE,
    chunksPerRequest: CHUNKS_PER_REQUEST,
    maxFileSize: MAX_DEBUG_FILE_BYTES,
    maxRequestSize: MAX_CHUNK_REQUEST_BYTES,
    concurrency: CHUNK_UPLOAD_CONCURRENCY,
    hashAlgorithm: "sha1",
    compression: ["gzip"],
    accept: ACCEPT,
  };
}

async function handleOptions(request: IRequest, env: Env): Promise<Response> {
  const caller = await authenticate(request, env);
  const org = await organizationFor(env, caller, param(request, "org"), "project:releases");
  return json(chunkUploadOptions(org.slug));
}

async function handleUpload(request: IRequest, env: Env): Promise<Response> {
  const caller = await authenticate(request, env);
  const org = await organizationFor(env, caller, param(request, "org"), "project:releases");
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > MAX_CHUNK_REQUEST_BYTES + MAX_CHUNK_PART_BYTES) {
    throw tooLarge("Request too large");
  }
  const boundary = multipartBoundary(request.headers.get("content-type"));
  if (!request.body) return new Response(null, { status: 200 });

  const stored: { sha1: string; size: number }[] = [];
  let chunkCount = 0;
  let rawBytes = 0;
  let bodyBytes = 0;
  // Counts the bytes as they arrive so a body far larger than any valid request stops early.
  async function* counted(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const piece of streamBytes(stream)) {
      bodyBytes += piece.byteLength;
      if (bodyBytes > MAX_CHUNK_REQUEST_BYTES + MAX_CHUNK_PART_BYTES + MAX_FRAMING_BYTES) {
        throw tooLarge("Request too large");
      }
      yield piece;
    }
  }
  try {
    for await (const part of readMultipart(counted(request.body), boundary, MAX_CHUNK_PART_BYTES)) {
      if (!isChunkField(part.name)) continue;
      chunkCount += 1;
      if (chunkCount > CHUNKS_PER_REQUEST) throw badRequest("Too many chunks");
      const chunk = verifyChunkPart(part, CHUNK_SIZE);
      rawBytes += chunk.bytes.byteLength;
      if (rawBytes > MAX_CHUNK_REQUEST_BYTES) throw badRequest("Request too large");
      await putChunk(env.BLOBS, org.id, chunk.sha1, chunk.bytes);
      stored.push({ sha1: chunk.sha1, size: chunk.bytes.byteLength });
    }
  } finally {
    // Chunks already in R2 are recorded even when a later part fails: they are valid and the client's
    // retry then only needs the rest.
    await recordChunks(env.DB, org.id, stored);
  }
  return new Response(null, { status: 200 });
}

export function registerChunkUploadRoutes(router: AppRouter): void {
  for (const slash of ["/", ""]) {
    router.get(`/api/0/organizations/:org/chunk-upload${slash}`, handleOptions);
    router.post(`/api/0/organizations/:org/chunk-upload${slash}`, handleUpload);
  }
}
