// Assemble jobs (`dif_assemblies`): create, lease, save progress, finish. A job is owned by one run at
// a time through a lease token; every write of a run is conditional on still holding it.
import type { UploadedPartRef } from "../blobs/debug-files.ts";
import { inBatches, placeholders } from "./in-batches.ts";
import type { difAssemblies } from "./schema.ts";

export type AssemblyRow = typeof difAssemblies.$inferSelect;

const COLUMNS = `project_id AS projectId, checksum, name, debug_id AS debugId, chunks, state, detail,
  debug_file_id AS debugFileId, upload_id AS uploadId, parts, lease_token AS leaseToken,
  lease_until AS leaseUntil, failures, created_at AS createdAt, updated_at AS updatedAt`;

/** The job's own conditions: the file of the project, held by this run's token. */
const HELD = "project_id = ? AND checksum = ? AND lease_token = ?";

const seconds = (ms: number) => ms / 1000;

export async function findAssemblies(
  db: D1Database,
  projectId: number,
  checksums: readonly string[],
): Promise<Map<string, AssemblyRow>> {
  const found = new Map<string, AssemblyRow>();
  for (const batch of inBatches(checksums)) {
    const { results } = await db
      .prepare(
        `SELECT ${COLUMNS} FROM dif_assemblies WHERE project_id = ? AND checksum IN (${placeholders(batch)})`,
      )
      .bind(projectId, ...batch)
      .all<AssemblyRow>();
    for (const row of results) found.set(row.checksum, row);
  }
  return found;
}

/** Creates a job in state `created`; false when one already exists (a concurrent request made it). */
export async function createAssembly(
  db: D1Database,
  projectId: number,
  file: { checksum: string; name: string; debugId: string | null; chunks: readonly string[] },
  nowMs: number,
): Promise<boolean> {
  const row = await db
    .prepare(
      `INSERT INTO dif_assemblies (project_id, checksum, name, debug_id, chunks, state, parts, failures,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'created', '[]', 0, ?, ?) ON CONFLICT DO NOTHING RETURNING checksum`,
    )
    .bind(
      projectId,
      file.checksum,
      file.name,
      file.debugId,
      JSON.stringify(file.chunks),
      seconds(nowMs),
      seconds(nowMs),
    )
    .first();
  return row !== null;
}

/** Forgets a finished job (an expired error, or an ok whose debug file was deleted since). */
export async function deleteAssembly(db: D1Database, projectId: number, checksum: string): Promise<void> {
  await db
    .prepare("DELETE FROM dif_assemblies WHERE project_id = ? AND checksum = ?")
    .bind(projectId, checksum)
    .run();
}

/** Takes the job for one run if it is unfinished and nobody holds a live lease; null otherwise. */
export async function acquireLease(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  nowMs: number,
  leaseMs: number,
): Promise<AssemblyRow | null> {
  return db
    .prepare(
      `UPDATE dif_assemblies SET state = 'assembling', lease_token = ?, lease_until = ?, updated_at = ?
       WHERE project_id = ? AND checksum = ? AND state IN ('created', 'assembling')
         AND (lease_until IS NULL OR lease_until < ?)
       RETURNING ${COLUMNS}`,
    )
    .bind(token, seconds(nowMs + leaseMs), seconds(nowMs), projectId, checksum, seconds(nowMs))
    .first<AssemblyRow>();
}

/** Saves multipart progress and extends the lease; false when the lease was lost. */
export async function saveProgress(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  progress: { uploadId: string | null; parts: readonly UploadedPartRef[] },
  nowMs: number,
  leaseMs: number,
): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE dif_assemblies SET upload_id = ?, parts = ?, lease_until = ?, updated_at = ?
       WHERE ${HELD} RETURNING checksum`,
    )
    .bind(
      progress.uploadId,
      JSON.stringify(progress.parts),
      seconds(nowMs + leaseMs),
      seconds(nowMs),
      projectId,
      checksum,
      token,
    )
    .first();
  return row !== null;
}

/** Lets the next poll take the job over at once (the run stopped at its time budget or on a hiccup). */
export async function releaseLease(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  options: { failed: boolean },
): Promise<AssemblyRow | null> {
  return db
    .prepare(
      `UPDATE dif_assemblies SET lease_token = NULL, lease_until = NULL, failures = failures + ?
       WHERE ${HELD} RETURNING ${COLUMNS}`,
    )
    .bind(options.failed ? 1 : 0, projectId, checksum, token)
    .first<AssemblyRow>();
}

/** Ends the job as `ok` (with its debug file) or `error` (with the detail sentry-cli prints). */
export async function finishAssembly(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  result: { state: "ok"; debugFileId: number } | { state: "error"; detail: string },
  nowMs: number,
): Promise<void> {
  await db
    .prepare(
      `UPDATE dif_assemblies SET state = ?, detail = ?, debug_file_id = ?, upload_id = NULL, parts = '[]',
         lease_token = NULL, lease_until = NULL, updated_at = ?
       WHERE ${HELD}`,
    )
    .bind(
      result.state,
      result.state === "error" ? result.detail : null,
      result.state === "ok" ? result.debugFileId : null,
      seconds(nowMs),
      projectId,
      checksum,
      token,
    )
    .run();
}
