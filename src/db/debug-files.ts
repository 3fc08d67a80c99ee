// Assembled debug files (`debug_files`): record, find, list, delete.
import { normalizeDebugId } from "../symbolication/debug-id.ts";
import type { DifMeta } from "../symbolication/identify.ts";
import { inBatches, placeholders } from "./in-batches.ts";
import type { debugFiles } from "./schema.ts";

export type DebugFileRow = typeof debugFiles.$inferSelect;

const COLUMNS = `id, project_id AS projectId, checksum, debug_id AS debugId, code_id AS codeId,
  object_name AS objectName, cpu_name AS cpuName, symbol_type AS symbolType, kind, features, size,
  content_type AS contentType, blob_key AS blobKey, created_at AS createdAt`;

export async function findDebugFilesByChecksum(
  db: D1Database,
  projectId: number,
  checksums: readonly string[],
): Promise<Map<string, DebugFileRow>> {
  const found = new Map<string, DebugFileRow>();
  for (const batch of inBatches(checksums)) {
    const { results } = await db
      .prepare(
        `SELECT ${COLUMNS} FROM debug_files WHERE project_id = ? AND checksum IN (${placeholders(batch)})`,
      )
      .bind(projectId, ...batch)
      .all<DebugFileRow>();
    for (const row of results) found.set(row.checksum, row);
  }
  return found;
}

/** Inserts a debug file's row; null when one exists for the same (project, checksum). */
export async function insertDebugFileRow(
  db: D1Database,
  file: { projectId: number; checksum: string; size: number; blobKey: string; meta: DifMeta },
  nowMs: number,
): Promise<DebugFileRow | null> {
  const { meta } = file;
  return db
    .prepare(
      `INSERT INTO debug_files (project_id, checksum, debug_id, code_id, object_name, cpu_name, symbol_type,
         kind, features, size, content_type, blob_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    )
    .bind(
      file.projectId,
      file.checksum,
      meta.debugId,
      meta.codeId,
      meta.objectName,
      meta.cpuName,
      meta.symbolType,
      meta.kind,
      JSON.stringify(meta.features),
      file.size,
      meta.contentType,
      file.blobKey,
      nowMs / 1000,
    )
    .first<DebugFileRow>();
}

/** The project's files with this debug id, newest first. */
export async function debugFilesWithDebugId(
  db: D1Database,
  projectId: number,
  debugId: string,
): Promise<DebugFileRow[]> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM debug_files WHERE project_id = ? AND debug_id = ? ORDER BY id DESC`)
    .bind(projectId, debugId)
    .all<DebugFileRow>();
  return results;
}

export async function deleteDebugFileRows(db: D1Database, ids: readonly number[]): Promise<void> {
  for (const batch of inBatches(ids)) {
    await db
      .prepare(`DELETE FROM debug_files WHERE id IN (${placeholders(batch)})`)
      .bind(...batch)
      .run();
  }
}

export async function getDebugFile(
  db: D1Database,
  projectId: number,
  id: number,
): Promise<DebugFileRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM debug_files WHERE project_id = ? AND id = ?`)
    .bind(projectId, id)
    .first<DebugFileRow>();
}

/** Filters of `GET …/files/dsyms/` as the request gives them. */
export interface DebugFileFilters {
  query: string | null;
  debugId: string | null;
  codeId: string | null;
  formats: string[];
}

function filterSql(projectId: number, filters: DebugFileFilters): { where: string; params: unknown[] } {
  const conditions = ["project_id = ?"];
  const params: unknown[] = [projectId];
  if (filters.debugId) {
    conditions.push("debug_id = ?");
    params.push(normalizeDebugId(filters.debugId) ?? filters.debugId);
  }
  if (filters.codeId) {
    conditions.push("code_id = ?");
    params.push(filters.codeId.toLowerCase());
  }
  if (filters.formats.length > 0) {
    conditions.push(`symbol_type IN (${placeholders(filters.formats)})`);
    params.push(...filters.formats);
  }
  const query = filters.query?.trim();
  if (query) {
    // A debug-id-looking query is matched exactly (Sentry normalises ≤ 45-char ids); else substring.
    const asDebugId = query.length <= 45 ? normalizeDebugId(query) : undefined;
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const columns = ["object_name", "debug_id", "code_id", "cpu_name", "checksum"];
    const substring = columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ");
    if (asDebugId) {
      conditions.push(`(debug_id = ? OR ${substring})`);
      params.push(asDebugId);
    } else {
      conditions.push(`(${substring})`);
    }
    params.push(...columns.map(() => pattern));
  }
  return { where: conditions.join(" AND "), params };
}

/** One page of the project's debug files, newest first; one row more than `limit` tells of a next page. */
export async function listDebugFiles(
  db: D1Database,
  projectId: number,
  filters: DebugFileFilters,
  page: { offset: number; limit: number },
): Promise<DebugFileRow[]> {
  const { where, params } = filterSql(projectId, filters);
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM debug_files WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .bind(...params, page.limit + 1, page.offset)
    .all<DebugFileRow>();
  return results;
}
