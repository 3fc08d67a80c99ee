// A per-isolate memory of which debug files serve an image (by debug id or code id), so ingest does not
// query D1 for every native event. Entries live CANDIDATE_TTL_MS; the isolate that records or deletes a
// debug file forgets its project's entries at once. Another isolate may miss a new file for up to the
// TTL: such an event is recorded as missing that image, and the late-file job's final pass, which starts
// LATE_SETTLE_MS (longer than the TTL) after the file arrived, symbolicates and regroups it.
import { type Candidate, findCandidates } from "./candidates.ts";

export const CANDIDATE_TTL_MS = 30_000;
/** Entries kept per isolate; the oldest are dropped first. */
const MAX_ENTRIES = 5_000;

interface Entry {
  candidates: Candidate[];
  expires: number;
}

const entries = new Map<string, Entry>();

const keyOf = (projectId: number, kind: "debug" | "code", id: string) => `${projectId}:${kind}:${id}`;

/** Forgets what this isolate knows of a project's debug files (after an upload or a delete). */
export function forgetCandidates(projectId: number): void {
  const prefix = `${projectId}:`;
  for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
}

/** findCandidates, answered from memory where this isolate looked the same ids up recently. */
export async function findCandidatesCached(
  db: D1Database,
  projectId: number,
  debugIds: readonly string[],
  codeIds: readonly string[],
  now = Date.now(),
): Promise<Candidate[]> {
  const found = new Map<number, Candidate>();
  const missingDebug: string[] = [];
  const missingCode: string[] = [];
  const take = (kind: "debug" | "code", id: string, misses: string[]) => {
    const entry = entries.get(keyOf(projectId, kind, id));
    if (entry && entry.expires > now) for (const c of entry.candidates) found.set(c.id, c);
    else misses.push(id);
  };
  for (const id of new Set(debugIds)) take("debug", id, missingDebug);
  for (const id of new Set(codeIds)) take("code", id, missingCode);
  if (missingDebug.length > 0 || missingCode.length > 0) {
    let fresh: Candidate[];
    try {
      fresh = await findCandidates(db, projectId, missingDebug, missingCode);
    } catch (error) {
      // D1 unavailable: ingest goes on (into the spool) with what this isolate knew, even expired;
      // an image it never looked up is recorded as missing, as when no debug file is known.
      console.error("debug file lookup failed; using what this isolate knew", error);
      for (const id of missingDebug)
        for (const c of entries.get(keyOf(projectId, "debug", id))?.candidates ?? []) found.set(c.id, c);
      for (const id of missingCode)
        for (const c of entries.get(keyOf(projectId, "code", id))?.candidates ?? []) found.set(c.id, c);
      return [...found.values()].sort((a, b) => b.id - a.id);
    }
    const remember = (kind: "debug" | "code", id: string, candidates: Candidate[]) => {
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(keyOf(projectId, kind, id), { candidates, expires: now + CANDIDATE_TTL_MS });
    };
    for (const id of missingDebug)
      remember(
        "debug",
        id,
        fresh.filter((c) => c.debugId === id),
      );
    for (const id of missingCode)
      remember(
        "code",
        id,
        fresh.filter((c) => c.codeId === id),
      );
    for (const c of fresh) found.set(c.id, c);
  }
  // findCandidates answers newest first; keep that order for the caller's choice.
  return [...found.values()].sort((a, b) => b.id - a.id);
}
