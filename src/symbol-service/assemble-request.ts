// The body of `POST /api/0/projects/{org}/{project}/files/difs/assemble/`: a map from each file's SHA-1
// to `{name, debug_id?, chunks}` (Sentry validates the same shape and answers 400 otherwise).
import { badRequest } from "../errors.ts";
import { MAX_ASSEMBLE_FILES, MAX_CHUNKS_PER_FILE } from "../limits.ts";
import { isSha1Hex } from "./chunk-verify.ts";

export interface AssembleFileRequest {
  /** SHA-1 of the whole file (the map key). */
  checksum: string;
  /** File basename as the client names it. */
  name: string;
  /** Debug id the client computed; only a hint, the server derives its own. */
  debugId: string | null;
  /** Chunk SHA-1s in file order. */
  chunks: string[];
}

const MAX_NAME_CHARS = 512;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function parseAssembleRequest(body: unknown): AssembleFileRequest[] {
  if (!isRecord(body)) throw badRequest("Expected an object mapping file checksums to files");
  const entries = Object.entries(body);
  if (entries.length > MAX_ASSEMBLE_FILES) {
    throw badRequest(`Too many files in one request (at most ${MAX_ASSEMBLE_FILES})`);
  }
  return entries.map(([checksum, file]) => {
    if (!/^[0-9a-f]{40}$/.test(checksum)) throw badRequest(`Invalid file checksum: ${checksum.slice(0, 64)}`);
    if (!isRecord(file)) throw badRequest(`File ${checksum}: expected an object`);
    const { name, debug_id: debugId, chunks } = file;
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME_CHARS) {
      throw badRequest(`File ${checksum}: "name" must be a non-empty string`);
    }
    if (debugId !== undefined && debugId !== null && typeof debugId !== "string") {
      throw badRequest(`File ${checksum}: "debug_id" must be a string`);
    }
    if (!Array.isArray(chunks) || !chunks.every(isSha1Hex)) {
      throw badRequest(`File ${checksum}: "chunks" must be a list of SHA-1 checksums`);
    }
    if (chunks.length > MAX_CHUNKS_PER_FILE) {
      throw badRequest(`File ${checksum}: too many chunks (at most ${MAX_CHUNKS_PER_FILE})`);
    }
    return { checksum, name, debugId: debugId ?? null, chunks: [...chunks] };
  });
}

/** The chunk checksums of a list, each once, in first-seen order. */
export function distinctChunks(chunks: readonly string[]): string[] {
  return [...new Set(chunks)];
}
