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
  /** A background reload of this expired entry is under way until then (after a failure: retry after). */
  refreshingUntil?: number;
}

/** How long a background reload may take before another request starts a new one. */
export const REFRESH_GIVE_UP_MS = 5_000;
/** After a failed background reload (D1 unavailable), how soon the next one is tried. */
const REFRESH_RETRY_MS = 1_000;

const entries = new Map<string, Entry>();

const keyOf = (projectId: number, kind: "debug" | "code", id: string) => `${projectId}:${kind}:${id}`;

/** Forgets what this isolate knows of a project's debug files (after an upload or a delete). */
export function forgetCandidates(projectId: number): void {
  const prefix = `${projectId}:`;
  for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
}

export interface CachedLookupOptions {
  now?: number;
  /**
   * Hands work that may finish after the answer to the runtime (ctx.waitUntil). When given, an expired
   * entry answers at once and one reload per entry runs there, so no answer waits on D1 for an image
   * this isolate looked up before; without it expired entries are reloaded before answering.
   */
  background?: (work: Promise<unknown>) => void;
}

interface Ids {
  debug: string[];
  code: string[];
}

/** Queries D1 for these ids, remembers the answer per id and returns it. */
async function load(db: D1Database, projectId: number, ids: Ids, now: number): Promise<Candidate[]> {
  const fresh = await findCandidates(db, projectId, ids.debug, ids.code);
  const remember = (kind: "debug" | "code", id: string, candidates: Candidate[]) => {
    if (entries.size >= MAX_ENTRIES) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(keyOf(projectId, kind, id), { candidates, expires: now + CANDIDATE_TTL_MS });
  };
  for (const id of ids.debug)
    remember(
      "debug",
      id,
      fresh.filter((c) => c.debugId === id),
    );
  for (const id of ids.code)
    remember(
      "code",
      id,
      fresh.filter((c) => c.codeId === id),
    );
  return fresh;
}

/** findCandidates, answered from memory where this isolate looked the same ids up recently. */
export async function findCandidatesCached(
  db: D1Database,
  projectId: number,
  debugIds: readonly string[],
  codeIds: readonly string[],
  options: CachedLookupOptions = {},
): Promise<Candidate[]> {
  const now = options.now ?? Date.now();
  const { background } = options;
  const found = new Map<number, Candidate>();
  const missing: Ids = { debug: [], code: [] };
  const stale: Ids = { debug: [], code: [] };
  const take = (kind: "debug" | "code", id: string) => {
    const entry = entries.get(keyOf(projectId, kind, id));
    const fresh = entry !== undefined && entry.expires > now;
    if (!entry || (!fresh && !background)) {
      missing[kind].push(id);
      return;
    }
    for (const c of entry.candidates) found.set(c.id, c);
    if (!fresh && (entry.refreshingUntil ?? 0) <= now) {
      entry.refreshingUntil = now + REFRESH_GIVE_UP_MS;
      stale[kind].push(id);
    }
  };
  for (const id of new Set(debugIds)) take("debug", id);
  for (const id of new Set(codeIds)) take("code", id);
  if (background && (stale.debug.length > 0 || stale.code.length > 0)) {
    background(
      load(db, projectId, stale, now).catch((error: unknown) => {
        console.error("debug file lookup refresh failed; the cached answer serves meanwhile", error);
        for (const [kind, ids] of [
          ["debug", stale.debug],
          ["code", stale.code],
        ] as const)
          for (const id of ids) {
            const entry = entries.get(keyOf(projectId, kind, id));
            if (entry) entry.refreshingUntil = now + REFRESH_RETRY_MS;
          }
      }),
    );
  }
  if (missing.debug.length > 0 || missing.code.length > 0) {
    let fresh: Candidate[];
    try {
      fresh = await load(db, projectId, missing, now);
    } catch (error) {
      // D1 unavailable: ingest goes on (into the spool) with what this isolate knew, even expired;
      // an image it never looked up is recorded as missing, as when no debug file is known.
      console.error("debug file lookup failed; using what this isolate knew", error);
      for (const id of missing.debug)
        for (const c of entries.get(keyOf(projectId, "debug", id))?.candidates ?? []) found.set(c.id, c);
      for (const id of missing.code)
        for (const c of entries.get(keyOf(projectId, "code", id))?.candidates ?? []) found.set(c.id, c);
      return [...found.values()].sort((a, b) => b.id - a.id);
    }
    for (const c of fresh) found.set(c.id, c);
  }
  // findCandidates answers newest first; keep that order for the caller's choice.
  return [...found.values()].sort((a, b) => b.id - a.id);
}
