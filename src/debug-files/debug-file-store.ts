// D1 + R2 access for assembled debug files (`debug_files`): record, find, list, delete, and Sentry's
// cleanup of files made redundant by a newer upload with the same debug id.
import { and, type Column, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { debugFiles } from "../db/schema.ts";
import { forgetCandidates } from "../native/candidate-cache.ts";
import { deleteLookups } from "../native/lookup-store.ts";
import { normalizeDebugId } from "../symbolication/debug-id.ts";
import { inBatches } from "./chunk-store.ts";
import type { DifMeta } from "./identify.ts";

export type DebugFileRow = typeof debugFiles.$inferSelect;

export const debugFileKey = (projectId: number, checksum: string): string =>
  `projects/${projectId}/debug-files/${checksum}`;

export async function findDebugFilesByChecksum(
  db: D1Database,
  projectId: number,
  checksums: readonly string[],
): Promise<Map<string, DebugFileRow>> {
  const orm = drizzle(db);
  const found = new Map<string, DebugFileRow>();
  for (const batch of inBatches(checksums)) {
    const rows = await orm
      .select()
      .from(debugFiles)
      .where(and(eq(debugFiles.projectId, projectId), inArray(debugFiles.checksum, batch)));
    for (const row of rows) found.set(row.checksum, row);
  }
  return found;
}

/** Records a debug file; an existing row for the same (project, checksum) is kept and returned. */
export async function insertDebugFile(
  db: D1Database,
  projectId: number,
  checksum: string,
  size: number,
  meta: DifMeta,
  nowMs: number,
): Promise<DebugFileRow> {
  const orm = drizzle(db);
  const [inserted] = await orm
    .insert(debugFiles)
    .values({
      projectId,
      checksum,
      debugId: meta.debugId,
      codeId: meta.codeId,
      objectName: meta.objectName,
      cpuName: meta.cpuName,
      symbolType: meta.symbolType,
      kind: meta.kind,
      features: JSON.stringify(meta.features),
      size,
      contentType: meta.contentType,
      blobKey: debugFileKey(projectId, checksum),
      createdAt: nowMs / 1000,
    })
    .onConflictDoNothing()
    .returning();
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

export async function deleteDebugFiles(db: D1Database, bucket: R2Bucket, rows: readonly DebugFileRow[]) {
  if (rows.length === 0) return;
  const orm = drizzle(db);
  for (const batch of inBatches(rows)) {
    await orm.delete(debugFiles).where(
      inArray(
        debugFiles.id,
        batch.map((r) => r.id),
      ),
    );
  }
  await bucket.delete(rows.map((r) => r.blobKey));
  for (const projectId of new Set(rows.map((r) => r.projectId))) {
    forgetCandidates(projectId);
    const checksums = rows.filter((r) => r.projectId === projectId).map((r) => r.checksum);
    await deleteLookups(db, bucket, projectId, checksums);
  }
}

/** Applies redundantDebugFiles to the project's files with this debug id. */
export async function cleanRedundantDebugFiles(
  db: D1Database,
  bucket: R2Bucket,
  projectId: number,
  debugId: string,
): Promise<void> {
  const rows = await drizzle(db)
    .select()
    .from(debugFiles)
    .where(and(eq(debugFiles.projectId, projectId), eq(debugFiles.debugId, debugId)))
    .orderBy(desc(debugFiles.id));
  const redundant = new Set(redundantDebugFiles(rows));
  await deleteDebugFiles(
    db,
    bucket,
    rows.filter((r) => redundant.has(r.id)),
  );
}

export interface DebugFileFilters {
  query: string | null;
  debugId: string | null;
  codeId: string | null;
  formats: string[];
}

function filterConditions(projectId: number, filters: DebugFileFilters): SQL[] {
  const conditions: SQL[] = [eq(debugFiles.projectId, projectId)];
  if (filters.debugId) {
    conditions.push(eq(debugFiles.debugId, normalizeDebugId(filters.debugId) ?? filters.debugId));
  }
  if (filters.codeId) conditions.push(eq(debugFiles.codeId, filters.codeId.toLowerCase()));
  if (filters.formats.length > 0) conditions.push(inArray(debugFiles.symbolType, filters.formats));
  const query = filters.query?.trim();
  if (query) {
    // A debug-id-looking query is matched exactly (Sentry normalises ≤ 45-char ids); else substring.
    const asDebugId = query.length <= 45 ? normalizeDebugId(query) : undefined;
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const contains = (column: Column) => sql`${column} LIKE ${pattern} ESCAPE '\\'`;
    const substring = or(
      contains(debugFiles.objectName),
      contains(debugFiles.debugId),
      contains(debugFiles.codeId),
      contains(debugFiles.cpuName),
      contains(debugFiles.checksum),
    );
    const condition = asDebugId ? or(eq(debugFiles.debugId, asDebugId), substring) : substring;
    if (condition) conditions.push(condition);
  }
  return conditions;
}

/** One page of the project's debug files, newest first; one row more than `limit` tells of a next page. */
export async function listDebugFiles(
  db: D1Database,
  projectId: number,
  filters: DebugFileFilters,
  page: { offset: number; limit: number },
): Promise<DebugFileRow[]> {
  return drizzle(db)
    .select()
    .from(debugFiles)
    .where(and(...filterConditions(projectId, filters)))
    .orderBy(desc(debugFiles.id))
    .limit(page.limit + 1)
    .offset(page.offset);
}

export async function getDebugFile(db: D1Database, projectId: number, id: number) {
  return (
    (await drizzle(db)
      .select()
      .from(debugFiles)
      .where(and(eq(debugFiles.projectId, projectId), eq(debugFiles.id, id)))
      .get()) ?? null
  );
}
