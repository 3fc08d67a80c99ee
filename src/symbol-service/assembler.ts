// One run of an assemble job: copy the chunks, in order, into the debug file's R2 object (a single PUT
// when it fits one part, else an R2 multipart upload fed one part at a time, so a 200 MB file never
// sits in memory), verify the whole-file SHA-1, identify the file from its headers, record it.
// A run stops at its time budget after saving which parts are done; the next poll resumes the job.
import { createHash, type Hash } from "node:crypto";
import type { BlobBucket } from "../blobs/bucket.ts";
import { readChunk, readChunkRange } from "../blobs/chunks.ts";
import {
  abortDebugFileUpload,
  debugFileKey,
  debugFileUpload,
  deleteDebugFileBlobs,
  putDebugFile,
  readDebugFile,
  type UploadedPartRef,
} from "../blobs/debug-files.ts";
import { r2ByteSource } from "../blobs/r2-byte-source.ts";
import { acquireLease, finishAssembly, releaseLease, saveProgress } from "../db/assemblies.ts";
import { ownedChunkSizes } from "../db/chunks.ts";
import { concatBytes, streamBytes } from "../http/multipart.ts";
import { ASSEMBLY_PART_BYTES, MAX_DEBUG_FILE_BYTES } from "../limits.ts";
import { DifError, identifyDebugFile } from "../symbolication/identify.ts";
import { buildAndStoreCfi, wantsCfi } from "./cfi-publish.ts";
import { ASSEMBLY_LEASE_MS, ASSEMBLY_RUN_BUDGET_MS } from "./config.ts";
import { cleanRedundantDebugFiles, insertDebugFile } from "./debug-files.ts";
import { enqueueLateSymbolication, LATE_LEASE_MS, lateKeys } from "./late-jobs.ts";
import { buildAndStoreLookup, wantsLookup } from "./lookup-publish.ts";
import { type PlannedPart, planParts, totalSize } from "./part-plan.ts";

/** Unexpected failures (storage hiccups) a job survives before it ends in `error`. */
const MAX_RUN_FAILURES = 3;

export interface AssemblyContext {
  /** The control plane: chunks, assemblies and debug files. */
  db: D1Database;
  /** The organization's event shard: the late-symbolication jobs a new file queues. */
  events: D1Database;
  bucket: BlobBucket;
  organizationId: number;
  projectId: number;
  /** Milliseconds; injectable so tests can run out a budget. */
  now?: () => number;
  partBytes?: number;
  budgetMs?: number;
  /**
   * Has the project's object run late-symbolication jobs `delayMs` from now at the latest (its alarm).
   * Without it, queued jobs wait for a later trigger.
   */
  scheduleLate?: (delayMs: number) => Promise<void>;
}

export type RunOutcome =
  | { state: "ok"; debugFileId: number }
  | { state: "error"; detail: string }
  /** Another run holds the job, or this run stopped at its budget: poll again. */
  | { state: "assembling" };

function parseParts(json: string): UploadedPartRef[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (p): p is UploadedPartRef =>
      typeof p === "object" && p !== null && typeof p.partNumber === "number" && typeof p.etag === "string",
  );
}

async function readPart(
  ctx: AssemblyContext,
  chunks: readonly string[],
  sizes: readonly number[],
  part: PlannedPart,
): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (const segment of part.segments) {
    const sha1 = chunks[segment.chunkIndex] ?? "";
    const whole = segment.start === 0 && segment.end === sizes[segment.chunkIndex];
    if (whole) {
      const bytes = await readChunk(ctx.bucket, ctx.organizationId, sha1);
      if (!bytes) throw new DifError(`chunk ${sha1} is missing from storage`);
      pieces.push(bytes);
    } else {
      pieces.push(
        await readChunkRange(
          ctx.bucket,
          ctx.organizationId,
          sha1,
          segment.start,
          segment.end - segment.start,
        ),
      );
    }
  }
  return concatBytes(pieces);
}

async function hashObject(bucket: BlobBucket, key: string): Promise<string> {
  const object = await readDebugFile(bucket, key);
  if (!object) throw new Error(`assembled object ${key} is missing`);
  const hash = createHash("sha1");
  for await (const bytes of streamBytes(object.body)) hash.update(bytes);
  return hash.digest("hex");
}

/**
 * Runs the job if no other run holds it. Returns the job's state when this run stops: finished (`ok`
 * or `error`) or still `assembling` (someone else has it, or the budget ran out and progress is saved).
 */
export async function runAssembly(ctx: AssemblyContext, checksum: string): Promise<RunOutcome> {
  const now = ctx.now ?? Date.now;
  const partBytes = ctx.partBytes ?? ASSEMBLY_PART_BYTES;
  const deadline = now() + (ctx.budgetMs ?? ASSEMBLY_RUN_BUDGET_MS);
  const token = crypto.randomUUID();
  const job = await acquireLease(ctx.db, ctx.projectId, checksum, token, now(), ASSEMBLY_LEASE_MS);
  if (!job) return { state: "assembling" };

  const key = debugFileKey(ctx.projectId, checksum);
  let uploadId = job.uploadId;
  const finish = async (result: Exclude<RunOutcome, { state: "assembling" }>): Promise<RunOutcome> => {
    if (result.state === "error") {
      if (uploadId) await abortDebugFileUpload(ctx.bucket, key, uploadId);
      await deleteDebugFileBlobs(ctx.bucket, key);
    }
    await finishAssembly(ctx.db, ctx.projectId, checksum, token, result, now());
    return result;
  };

  try {
    const chunks: string[] = JSON.parse(job.chunks);
    const owned = await ownedChunkSizes(ctx.db, ctx.organizationId, chunks);
    const sizes = chunks.map((sha1) => owned.get(sha1));
    if (sizes.some((s) => s === undefined)) return finish({ state: "error", detail: "Missing chunks" });
    const chunkSizes = sizes as number[];
    const size = totalSize(chunkSizes);
    if (size > MAX_DEBUG_FILE_BYTES) {
      return finish({
        state: "error",
        detail: `File ${job.name} exceeds maximum size (${size} > ${MAX_DEBUG_FILE_BYTES})`,
      });
    }

    const plan = planParts(chunkSizes, partBytes);
    let digest: string;
    if (plan.length <= 1) {
      const bytes = plan[0] ? await readPart(ctx, chunks, chunkSizes, plan[0]) : new Uint8Array(0);
      digest = createHash("sha1").update(bytes).digest("hex");
      if (digest === checksum) await putDebugFile(ctx.bucket, key, bytes);
    } else {
      const parts = parseParts(job.parts);
      const upload = await debugFileUpload(ctx.bucket, key, uploadId);
      uploadId = upload.uploadId;
      // Hash while copying when this run copies the whole file; a resumed job re-reads the result.
      const hash: Hash | null = parts.length === 0 ? createHash("sha1") : null;
      const resumedAt = parts.length;
      for (const part of plan.slice(parts.length)) {
        const saved = await saveProgress(
          ctx.db,
          ctx.projectId,
          checksum,
          token,
          { uploadId, parts },
          now(),
          ASSEMBLY_LEASE_MS,
        );
        if (!saved) return { state: "assembling" };
        // Every run copies at least one part, so a job always moves forward.
        if (part.partNumber > resumedAt + 1 && now() > deadline) {
          await releaseLease(ctx.db, ctx.projectId, checksum, token, { failed: false });
          return { state: "assembling" };
        }
        const bytes = await readPart(ctx, chunks, chunkSizes, part);
        hash?.update(bytes);
        parts.push(await upload.uploadPart(part.partNumber, bytes));
      }
      await upload.complete(parts, size);
      uploadId = null;
      digest = hash ? hash.digest("hex") : await hashObject(ctx.bucket, key);
    }
    if (digest !== checksum) {
      return finish({ state: "error", detail: `Reported checksum mismatch (content is ${digest})` });
    }

    const meta = await identifyDebugFile(r2ByteSource(ctx.bucket, key, size), job.name, job.debugId);
    // The lookup exists before the file is visible, so a file answered `ok` already symbolicates.
    const target = { ...meta, projectId: ctx.projectId, checksum, key, size };
    const lookup = wantsLookup(target) ? await buildAndStoreLookup(ctx.db, ctx.bucket, target, now()) : null;
    // The unwind table too: a minidump walked after the file is visible must find it.
    if (wantsCfi(target)) await buildAndStoreCfi(ctx.bucket, target);
    const row = await insertDebugFile(ctx.db, ctx.projectId, checksum, size, meta, now());
    await cleanRedundantDebugFiles(ctx.db, ctx.bucket, ctx.projectId, row.debugId);
    if (lookup?.state === "ok") {
      // The alarm is armed before the jobs exist and moved to now once they do, so a run cut off
      // in between still leaves an alarm that finds them.
      await scheduleLate(ctx, LATE_LEASE_MS);
      await enqueueLateSymbolication(ctx.events, ctx.projectId, lateKeys(row.debugId, row.codeId), now());
      await scheduleLate(ctx, 0);
    }
    return finish({ state: "ok", debugFileId: row.id });
  } catch (error) {
    if (error instanceof DifError) return finish({ state: "error", detail: error.message });
    console.error("debug file assembly failed", checksum, error);
    const released = await releaseLease(ctx.db, ctx.projectId, checksum, token, { failed: true });
    if (released && released.failures >= MAX_RUN_FAILURES) {
      return finishAfterFailures(ctx, checksum, key, uploadId);
    }
    return { state: "assembling" };
  }
}

/** Tells the project's object about late jobs; if it cannot be told, the next assemble call does. */
async function scheduleLate(ctx: AssemblyContext, delayMs: number): Promise<void> {
  await ctx
    .scheduleLate?.(delayMs)
    .catch((error: unknown) => console.error("late symbolication alarm", error));
}

/** Ends a job that kept failing unexpectedly, with Sentry's generic detail. */
async function finishAfterFailures(
  ctx: AssemblyContext,
  checksum: string,
  key: string,
  uploadId: string | null,
): Promise<RunOutcome> {
  const now = ctx.now ?? Date.now;
  const token = crypto.randomUUID();
  const job = await acquireLease(ctx.db, ctx.projectId, checksum, token, now(), ASSEMBLY_LEASE_MS);
  if (!job) return { state: "assembling" };
  if (uploadId) await abortDebugFileUpload(ctx.bucket, key, uploadId);
  await deleteDebugFileBlobs(ctx.bucket, key).catch(() => undefined);
  const result = { state: "error", detail: "internal server error" } as const;
  await finishAssembly(ctx.db, ctx.projectId, checksum, token, result, now());
  return result;
}
