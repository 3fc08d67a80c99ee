// Resolves a DSN public key to its project and limits. Cached per isolate for a few seconds: ingest asks
// for the same key on every request, and a disabled key must still stop working quickly. While D1 is
// unavailable a cached key keeps its last known state, so ingest goes on into the spool.
import { ingestKeyByPublicKey } from "../db/project-keys.ts";
import { FaultlineError } from "../errors.ts";
import type { KeyContext } from "../project/index.ts";

const CACHE_TTL_MS = 10_000;
/** After a failed refresh, how soon the next request tries D1 again (meanwhile the stale entry serves). */
const STALE_RETRY_MS = 1_000;
const MAX_CACHED_KEYS = 10_000;

interface KeyRecord {
  keyId: number;
  projectId: number;
  organizationId: number;
  keyActive: boolean;
  projectActive: boolean;
  keyLimit: { count: number; windowSeconds: number } | null;
  projectLimit: { count: number; windowSeconds: number } | null;
}

const cache = new Map<string, { record: KeyRecord | null; expires: number }>();

async function loadKey(db: D1Database, publicKey: string): Promise<KeyRecord | null> {
  const row = await ingestKeyByPublicKey(db, publicKey);
  if (!row) return null;
  const limit = (count: number | null, window: number | null) =>
    count && count > 0 ? { count, windowSeconds: window && window > 0 ? window : 60 } : null;
  return {
    keyId: row.key_id,
    projectId: row.project_id,
    organizationId: row.organization_id,
    keyActive: row.is_active === 1,
    projectActive: row.project_status === "active",
    keyLimit: limit(row.key_rate_count, row.key_rate_window),
    projectLimit: limit(row.project_rate_count, row.project_rate_window),
  };
}

function rejected(cause: string): FaultlineError {
  // Relay's wording (SDKs log it); the cause says what to fix.
  return new FaultlineError(403, "event submission rejected with_reason: ProjectId", { causes: [cause] });
}

/** The key's project context, or 403 when the key is unknown, disabled, or belongs to another project. */
export async function resolveProjectKey(
  db: D1Database,
  publicKey: string,
  pathProjectId: number | null,
): Promise<KeyContext> {
  const now = Date.now();
  let entry = cache.get(publicKey);
  if (!entry || entry.expires < now) {
    const stale = entry;
    let record: KeyRecord | null;
    try {
      record = await loadKey(db, publicKey);
    } catch (error) {
      // D1 unavailable: a key seen before keeps working as it was (ingest must not fail with D1, the
      // spool takes the events); an unknown key can only be asked to retry.
      if (!stale) {
        console.error("key lookup failed", error);
        throw new FaultlineError(503, "the DSN key could not be checked, please retry", {
          headers: { "retry-after": "5" },
        });
      }
      record = stale.record;
      stale.expires = now + STALE_RETRY_MS;
      return contextOf(record, pathProjectId);
    }
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    entry = { record, expires: now + CACHE_TTL_MS };
    cache.set(publicKey, entry);
  }
  return contextOf(entry.record, pathProjectId);
}

function contextOf(record: KeyRecord | null, pathProjectId: number | null): KeyContext {
  if (!record) throw rejected("unknown DSN public key");
  if (pathProjectId !== null && record.projectId !== pathProjectId) {
    throw rejected(`the DSN key does not belong to project ${pathProjectId}`);
  }
  if (!record.keyActive) throw rejected("the DSN key is disabled");
  if (!record.projectActive) throw rejected("the project is disabled");
  return {
    organizationId: record.organizationId,
    projectId: record.projectId,
    keyId: record.keyId,
    keyLimit: record.keyLimit,
    projectLimit: record.projectLimit,
  };
}

/** Drops cached keys so a change made through the API applies to this isolate at once. */
export function forgetProjectKeys(): void {
  cache.clear();
}
