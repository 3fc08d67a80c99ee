// Which debug file (with a usable lookup) serves an event image: the candidates D1 knows for an
// image's debug id or code id, and Symbolicator's choice among them.
import { findCandidateRows } from "../db/lookups.ts";

/** A debug file that may serve an image, with the state of its lookup (null: none was built). */
export interface Candidate {
  id: number;
  /** The file's SHA-1: its R2 objects (file, lookup, unwind table) are keyed by it. */
  checksum: string;
  debugId: string;
  codeId: string | null;
  features: string[];
  lookupState: "ok" | "error" | null;
  lookupKey: string | null;
  lookupSize: number | null;
}

/** Ids looked up per kind in one query (two lists of 45 stay under D1's 100 bound parameters). */
const MAX_IDS_PER_KIND = 45;

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
  const ids = [...new Set(debugIds)].slice(0, MAX_IDS_PER_KIND);
  const codes = [...new Set(codeIds)].slice(0, MAX_IDS_PER_KIND);
  const rows = await findCandidateRows(db, projectId, ids, codes);
  return rows.map((r) => ({
    id: r.id,
    checksum: r.checksum,
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
