// D1 + R2 access for symbol lookups (`debug_file_lookups`): where a debug file's lookup lives, and
// which debug file (with a usable lookup) serves an event image. The lookup blob sits next to the
// debug file in R2, content-addressed by the same SHA-1.

/** Next to the debug file (`projects/{id}/debug-files/{sha1}`, see debug-file-store.ts). */
export const debugFileLookupKey = (projectId: number, checksum: string): string =>
  `projects/${projectId}/debug-files/${checksum}.lookup`;

export interface LookupRecord {
  projectId: number;
  checksum: string;
  debugId: string;
  state: "ok" | "error";
  detail: string | null;
  blobKey: string | null;
  size: number | null;
  fileSize: number;
  buildMs: number;
  createdAt: number;
}

export async function recordLookup(db: D1Database, r: LookupRecord): Promise<void> {
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

/** Forgets the lookups of deleted debug files (rows and blobs). */
export async function deleteLookups(
  db: D1Database,
  bucket: R2Bucket,
  projectId: number,
  checksums: readonly string[],
): Promise<void> {
  for (let i = 0; i < checksums.length; i += 90) {
    const batch = checksums.slice(i, i + 90);
    await db
      .prepare(
        `DELETE FROM debug_file_lookups WHERE project_id = ? AND checksum IN (${batch.map(() => "?").join(",")})`,
      )
      .bind(projectId, ...batch)
      .run();
  }
  if (checksums.length > 0) await bucket.delete(checksums.map((c) => debugFileLookupKey(projectId, c)));
}

/** A debug file that may serve an image, with the state of its lookup (null: none was built). */
export interface Candidate {
  id: number;
  debugId: string;
  codeId: string | null;
  features: string[];
  lookupState: "ok" | "error" | null;
  lookupKey: string | null;
  lookupSize: number | null;
}

export interface CandidateRow {
  id: number;
  debug_id: string;
  code_id: string | null;
  features: string;
  state: "ok" | "error" | null;
  blob_key: string | null;
  size: number | null;
}

function parseFeatures(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
}

/** Object files (not source bundles) of the project with any of these debug ids or code ids, newest first. */
export async function findCandidates(
  db: D1Database,
  projectId: number,
  debugIds: readonly string[],
  codeIds: readonly string[],
): Promise<Candidate[]> {
  const ids = [...new Set(debugIds)].slice(0, 45);
  const codes = [...new Set(codeIds)].slice(0, 45);
  if (ids.length === 0 && codes.length === 0) return [];
  const conditions: string[] = [];
  if (ids.length > 0) conditions.push(`f.debug_id IN (${ids.map(() => "?").join(",")})`);
  if (codes.length > 0) conditions.push(`f.code_id IN (${codes.map(() => "?").join(",")})`);
  const { results } = await db
    .prepare(
      `SELECT f.id, f.debug_id, f.code_id, f.features, l.state, l.blob_key, l.size
       FROM debug_files f
       LEFT JOIN debug_file_lookups l ON l.project_id = f.project_id AND l.checksum = f.checksum
       WHERE f.project_id = ? AND f.symbol_type != 'sourcebundle' AND (${conditions.join(" OR ")})
       ORDER BY f.id DESC`,
    )
    .bind(projectId, ...ids, ...codes)
    .all<CandidateRow>();
  return results.map((r) => ({
    id: r.id,
    debugId: r.debug_id,
    codeId: r.code_id,
    features: parseFeatures(r.features),
    lookupState: r.state,
    lookupKey: r.blob_key,
    lookupSize: r.size,
  }));
}

/**
 * The best file for symbolication among an image's candidates (Symbolicator's preference: debug info
 * beats a symbol table; newer beats older); undefined when none has a usable lookup.
 */
export function bestCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  const usable = candidates.filter((c) => c.lookupState === "ok" && c.lookupKey !== null);
  const score = (c: Candidate) => (c.features.includes("debug") ? 2 : c.features.includes("symtab") ? 1 : 0);
  let best: Candidate | undefined;
  for (const c of usable)
    if (!best || score(c) > score(best) || (score(c) === score(best) && c.id > best.id)) best = c;
  return best;
}
