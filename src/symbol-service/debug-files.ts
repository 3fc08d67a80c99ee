// A project's debug files as the service keeps them: rows in D1 (src/db/debug-files.ts), bytes and
// lookups in R2 (src/blobs/), and the isolate's candidate cache, kept in step on record and delete;
// plus Sentry's cleanup of files made redundant by a newer upload with the same debug id.
import type { BlobBucket } from "../blobs/bucket.ts";
import { debugFileKey, deleteDebugFileBlobs } from "../blobs/debug-files.ts";
import { deleteLookupBlobs } from "../blobs/lookups.ts";
import {
  type DebugFileRow,
  debugFilesWithDebugId,
  deleteDebugFileRows,
  findDebugFilesByChecksum,
  insertDebugFileRow,
} from "../db/debug-files.ts";
import { deleteLookupRows } from "../db/lookups.ts";
import type { DifMeta } from "../symbolication/identify.ts";
import { forgetCandidates } from "./candidate-cache.ts";

/** Records a debug file; an existing row for the same (project, checksum) is kept and returned. */
export async function insertDebugFile(
  db: D1Database,
  projectId: number,
  checksum: string,
  size: number,
  meta: DifMeta,
  nowMs: number,
): Promise<DebugFileRow> {
  const blobKey = debugFileKey(projectId, checksum);
  const inserted = await insertDebugFileRow(db, { projectId, checksum, size, blobKey, meta }, nowMs);
  // Only now can a lookup find the file: forget what this isolate remembered of the project's files.
  forgetCandidates(projectId);
  if (inserted) return inserted;
  const existing = (await findDebugFilesByChecksum(db, projectId, [checksum])).get(checksum);
  if (!existing) throw new Error(`debug file ${checksum} vanished while being recorded`);
  return existing;
}

export const featuresOf = (row: Pick<DebugFileRow, "features">): string[] => {
  try {
    const parsed: unknown = JSON.parse(row.features);
    return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
};

/**
 * Which of the files sharing one debug id are redundant, newest first: a file is dropped when newer
 * files together already cover all its features (Sentry's clean_redundant_difs). So an executable and
 * its `.debug` companion and a source bundle all stay, while re-uploading a rebuilt file replaces the old one.
 */
export function redundantDebugFiles(newestFirst: readonly Pick<DebugFileRow, "id" | "features">[]): number[] {
  const covered = new Set<string>();
  const redundant: number[] = [];
  newestFirst.forEach((row, index) => {
    const features = featuresOf(row);
    if (index > 0 && features.every((f) => covered.has(f))) redundant.push(row.id);
    for (const f of features) covered.add(f);
  });
  return redundant;
}

/** Deletes debug files: their rows, bytes and lookups. */
export async function deleteDebugFiles(
  db: D1Database,
  bucket: BlobBucket,
  rows: readonly DebugFileRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await deleteDebugFileRows(
    db,
    rows.map((r) => r.id),
  );
  await deleteDebugFileBlobs(
    bucket,
    rows.map((r) => r.blobKey),
  );
  for (const projectId of new Set(rows.map((r) => r.projectId))) {
    forgetCandidates(projectId);
    const checksums = rows.filter((r) => r.projectId === projectId).map((r) => r.checksum);
    await deleteLookupRows(db, projectId, checksums);
    await deleteLookupBlobs(bucket, projectId, checksums);
  }
}

/** Applies redundantDebugFiles to the project's files with this debug id. */
export async function cleanRedundantDebugFiles(
  db: D1Database,
  bucket: BlobBucket,
  projectId: number,
  debugId: string,
): Promise<void> {
  const rows = await debugFilesWithDebugId(db, projectId, debugId);
  const redundant = new Set(redundantDebugFiles(rows));
  await deleteDebugFiles(
    db,
    bucket,
    rows.filter((r) => redundant.has(r.id)),
  );
}
