// Symbol lookups (`debug_file_lookups`): where a debug file's lookup lives (its blob: src/blobs/
// lookups.ts) or why it could not be built, and which debug files with which lookups serve an image.

import type { DebugFileRow } from "./debug-files.ts";
import { inBatches, placeholders } from "./in-batches.ts";
import type { debugFileLookups } from "./schema.ts";

export type LookupRow = typeof debugFileLookups.$inferSelect;

export async function recordLookup(db: D1Database, r: LookupRow): Promise<void> {
  await db
    .prepare(
      `INSERT OR REPLACE INTO debug_file_lookups (project_id, checksum, debug_id, state, detail, blob_key, size,
         file_size, build_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      r.projectId,
      r.checksum,
      r.debugId,
      r.state,
      r.detail,
      r.blobKey,
      r.size,
      r.fileSize,
      r.buildMs,
      r.createdAt,
    )
    .run();
}

/** Forgets the lookup rows of deleted debug files. */
export async function deleteLookupRows(
  db: D1Database,
  projectId: number,
  checksums: readonly string[],
): Promise<void> {
  for (const batch of inBatches(checksums)) {
    await db
      .prepare(`DELETE FROM debug_file_lookups WHERE project_id = ? AND checksum IN (${placeholders(batch)})`)
      .bind(projectId, ...batch)
      .run();
  }
}

/** A debug file that may serve an image joined with its lookup (lookup columns null: none was built). */
export interface CandidateRow {
  id: DebugFileRow["id"];
  checksum: DebugFileRow["checksum"];
  debug_id: DebugFileRow["debugId"];
  code_id: DebugFileRow["codeId"];
  features: DebugFileRow["features"];
  state: LookupRow["state"] | null;
  blob_key: LookupRow["blobKey"];
  size: LookupRow["size"];
}

/** Object files (not source bundles) of the project with any of these debug ids or code ids, newest first. */
export async function findCandidateRows(
  db: D1Database,
  projectId: number,
  debugIds: readonly string[],
  codeIds: readonly string[],
): Promise<CandidateRow[]> {
  if (debugIds.length === 0 && codeIds.length === 0) return [];
  const conditions: string[] = [];
  if (debugIds.length > 0) conditions.push(`f.debug_id IN (${placeholders(debugIds)})`);
  if (codeIds.length > 0) conditions.push(`f.code_id IN (${placeholders(codeIds)})`);
  const { results } = await db
    .prepare(
      `SELECT f.id, f.checksum, f.debug_id, f.code_id, f.features, l.state, l.blob_key, l.size
       FROM debug_files f
       LEFT JOIN debug_file_lookups l ON l.project_id = f.project_id AND l.checksum = f.checksum
       WHERE f.project_id = ? AND f.symbol_type != 'sourcebundle' AND (${conditions.join(" OR ")})
       ORDER BY f.id DESC`,
    )
    .bind(projectId, ...debugIds, ...codeIds)
    .all<CandidateRow>();
  return results;
}
