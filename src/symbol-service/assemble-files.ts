// Sentry's per-file assemble decision, in its order: a file the project already has → `ok` + dif; a
// job in progress or recently failed → its state; no chunks named → `not_found`; chunks the
// organization does not own → `not_found` + `missingChunks`; otherwise start a job → `created`.
// Jobs run in the background (waitUntil); a request waits a moment so small files answer `ok` at once,
// and every poll resumes a job whose run was cut off.
import type { BlobBucket } from "../blobs/bucket.ts";
import { type AssemblyRow, createAssembly, deleteAssembly, findAssemblies } from "../db/assemblies.ts";
import { ownedChunkSizes } from "../db/chunks.ts";
import { type DebugFileRow, findDebugFilesByChecksum, getDebugFile } from "../db/debug-files.ts";
import { type AssembleFileRequest, distinctChunks } from "./assemble-request.ts";
import { type AssemblyContext, type RunOutcome, runAssembly } from "./assembler.ts";
import { ASSEMBLY_ERROR_TTL_MS, ASSEMBLY_INLINE_WAIT_MS } from "./config.ts";

/** The answer for one file of an assemble request (serialized by the API as Sentry's shape). */
export type AssembleStatus =
  | { state: "not_found"; missingChunks: readonly string[] }
  | { state: "created" | "assembling" }
  | { state: "ok"; debugFile: DebugFileRow }
  | { state: "error"; detail: string };

export interface AssembleDeps {
  /** The control plane (debug files) and the organization's event shard (late-symbolication jobs). */
  db: D1Database;
  events: D1Database;
  bucket: BlobBucket;
  organizationId: number;
  projectId: number;
  waitUntil(promise: Promise<unknown>): void;
  now?: () => number;
  inlineWaitMs?: number;
  /** Has the project's object run late-symbolication jobs (queued when a file is assembled) from its alarm. */
  scheduleLate?: (delayMs: number) => Promise<void>;
}

const isLive = (job: AssemblyRow, nowMs: number) => job.leaseUntil !== null && job.leaseUntil * 1000 >= nowMs;

function runInBackground(deps: AssembleDeps, checksum: string): Promise<RunOutcome> {
  const context: AssemblyContext = {
    db: deps.db,
    events: deps.events,
    bucket: deps.bucket,
    organizationId: deps.organizationId,
    projectId: deps.projectId,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.scheduleLate ? { scheduleLate: deps.scheduleLate } : {}),
  };
  const run = runAssembly(context, checksum).catch((error: unknown): RunOutcome => {
    console.error("debug file assembly run failed", checksum, error);
    return { state: "assembling" };
  });
  deps.waitUntil(run);
  return run;
}

async function statusOfOutcome(deps: AssembleDeps, outcome: RunOutcome): Promise<AssembleStatus> {
  if (outcome.state !== "ok") return outcome;
  const row = await getDebugFile(deps.db, deps.projectId, outcome.debugFileId);
  // Deleted between assembly and this answer (a newer upload made it redundant): still done.
  return row ? { state: "ok", debugFile: row } : { state: "assembling" };
}

/** Answers one assemble request; keys of the result are the files' checksums. */
export async function assembleFiles(
  deps: AssembleDeps,
  files: readonly AssembleFileRequest[],
): Promise<Map<string, AssembleStatus>> {
  const now = deps.now ?? Date.now;
  const checksums = files.map((f) => f.checksum);
  const existing: Map<string, DebugFileRow> = await findDebugFilesByChecksum(
    deps.db,
    deps.projectId,
    checksums,
  );
  const jobs = await findAssemblies(deps.db, deps.projectId, checksums);
  const needChunks = files.filter((f) => !existing.has(f.checksum)).flatMap((f) => f.chunks);
  const owned = await ownedChunkSizes(deps.db, deps.organizationId, needChunks);

  const answers = new Map<string, AssembleStatus>();
  const started = new Map<string, Promise<RunOutcome>>();
  for (const file of files) {
    const debugFile = existing.get(file.checksum);
    if (debugFile) {
      answers.set(file.checksum, { state: "ok", debugFile });
      continue;
    }
    const job = jobs.get(file.checksum);
    if (job) {
      const expiredError = job.state === "error" && now() - job.updatedAt * 1000 > ASSEMBLY_ERROR_TTL_MS;
      // An `ok` job without its debug file: the file was deleted since; assemble it again.
      if (job.state === "ok" || expiredError) {
        await deleteAssembly(deps.db, deps.projectId, file.checksum);
      } else if (job.state === "error") {
        answers.set(file.checksum, { state: "error", detail: job.detail ?? "internal server error" });
        continue;
      } else {
        if (!isLive(job, now())) runInBackground(deps, file.checksum);
        answers.set(file.checksum, { state: job.state });
        continue;
      }
    }
    if (file.chunks.length === 0) {
      answers.set(file.checksum, { state: "not_found", missingChunks: [] });
      continue;
    }
    const missing = distinctChunks(file.chunks).filter((sha1) => !owned.has(sha1));
    if (missing.length > 0) {
      answers.set(file.checksum, { state: "not_found", missingChunks: missing });
      continue;
    }
    if (await createAssembly(deps.db, deps.projectId, file, now())) {
      started.set(file.checksum, runInBackground(deps, file.checksum));
    }
    answers.set(file.checksum, { state: "created" });
  }

  if (started.size > 0) {
    // Wait briefly: small files finish within it and answer `ok` without another poll.
    const settled = new Map<string, RunOutcome>();
    const all = Promise.all([...started].map(async ([checksum, run]) => settled.set(checksum, await run)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deps.inlineWaitMs ?? ASSEMBLY_INLINE_WAIT_MS);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    for (const [checksum, outcome] of settled) {
      if (outcome.state !== "assembling") answers.set(checksum, await statusOfOutcome(deps, outcome));
    }
  }
  return answers;
}
