// Resolves a DSN public key to its project and limits. Cached per isolate for a few seconds: ingest asks
// for the same key on every request, and a disabled key must still stop working quickly. While D1 is
// unavailable a cached key keeps its last known state, so ingest goes on into the spool.
import { ingestKeyByPublicKey } from "../db/project-keys.ts";
import { FaultlineError } from "../errors.ts";
import type { KeyContext } from "../project/index.ts";
import { type InboundFilters, NO_FILTERS, parseStoredFilters } from "../protocol/filters/index.ts";
import { DEFAULT_SCRUBBING, parseFieldList, type ScrubbingSettings } from "../protocol/scrub/index.ts";

/**
 * A resolved DSN key: what the project's Durable Object needs, and what the Worker applies to the
 * project's events first (its inbound filters and data scrubbing).
 */
export interface ProjectKey extends KeyContext {
  /** Always known at the edge: the organization's event shard. */
  shard: string;
  scrubbing: ScrubbingSettings;
  filters: InboundFilters;
}

const CACHE_TTL_MS = 10_000;
/** After a failed refresh, how soon the next request tries D1 again (meanwhile the stale entry serves). */
const STALE_RETRY_MS = 1_000;
const MAX_CACHED_KEYS = 10_000;

interface KeyRecord {
  keyId: number;
  projectId: number;
  organizationId: number;
  /** The organization's event shard (organizations.shard). */
  shard: string;
  keyActive: boolean;
  projectActive: boolean;
  keyLimit: { count: number; windowSeconds: number } | null;
  projectLimit: { count: number; windowSeconds: number } | null;
  scrubbing: ScrubbingSettings;
  filters: InboundFilters;
}

/**
 * `refreshingUntil`: a background reload of the expired entry is under way (one per key, not one per
 * request); past that time it is taken as lost (the runtime may cancel background work) and redone.
 */
const cache = new Map<string, { record: KeyRecord | null; expires: number; refreshingUntil?: number }>();
const REFRESH_GIVE_UP_MS = 5_000;

/** Hands work that must finish after the answer to the runtime (`ctx.waitUntil`). */
export type Background = (work: Promise<unknown>) => void;

async function loadKey(db: D1Database, publicKey: string): Promise<KeyRecord | null> {
  const row = await ingestKeyByPublicKey(db, publicKey);
  if (!row) return null;
  const limit = (count: number | null, window: number | null) =>
    count && count > 0 ? { count, windowSeconds: window && window > 0 ? window : 60 } : null;
  return {
    keyId: row.key_id,
    projectId: row.project_id,
    organizationId: row.organization_id,
    shard: row.shard,
    keyActive: row.is_active === 1,
    projectActive: row.project_status === "active",
    keyLimit: limit(row.key_rate_count, row.key_rate_window),
    projectLimit: limit(row.project_rate_count, row.project_rate_window),
    scrubbing: {
      dataScrubber: row.data_scrubber !== 0,
      dataScrubberDefaults: row.data_scrubber_defaults !== 0,
      scrubIpAddresses: row.scrub_ip_addresses !== 0,
      sensitiveFields: parseFieldList(row.sensitive_fields),
      safeFields: parseFieldList(row.safe_fields),
    },
    filters: parseStoredFilters(row.inbound_filters),
  };
}

function rejected(cause: string): FaultlineError {
  // Relay's wording (SDKs log it); the cause says what to fix.
  return new FaultlineError(403, "event submission rejected with_reason: ProjectId", { causes: [cause] });
}

function remember(publicKey: string, record: KeyRecord | null, now: number): void {
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(publicKey, { record, expires: now + CACHE_TTL_MS });
}

/** Reloads an expired entry; while D1 is unavailable the entry keeps serving and is retried soon. */
async function refresh(db: D1Database, publicKey: string, now: number): Promise<void> {
  const stale = cache.get(publicKey);
  try {
    remember(publicKey, await loadKey(db, publicKey), now);
  } catch (error) {
    // D1 unavailable: a key seen before keeps working as it was (ingest must not fail with D1, the
    // spool takes the events).
    console.error("key refresh failed; the cached key serves meanwhile", error);
    if (stale) {
      stale.expires = now + STALE_RETRY_MS;
      stale.refreshingUntil = undefined;
    }
  }
}

/**
 * The key's project context, or 403 when the key is unknown, disabled, or belongs to another project.
 * An expired entry answers at once while one reload runs in `background` (when given): no answer waits
 * on D1 for a key this isolate knows, and the reload is one query, not one per concurrent request. A
 * disabled key stops working once that reload lands, within the TTL and one D1 round trip.
 */
export async function resolveProjectKey(
  db: D1Database,
  publicKey: string,
  pathProjectId: number | null,
  background?: Background,
  now = Date.now(),
): Promise<ProjectKey> {
  const entry = cache.get(publicKey);
  if (entry && entry.expires >= now) return contextOf(entry.record, pathProjectId);
  if (entry && (entry.refreshingUntil ?? 0) > now) return contextOf(entry.record, pathProjectId);
  if (entry && background) {
    entry.refreshingUntil = now + REFRESH_GIVE_UP_MS;
    background(refresh(db, publicKey, now));
    return contextOf(entry.record, pathProjectId);
  }
  if (entry) {
    await refresh(db, publicKey, now);
    return contextOf(cache.get(publicKey)?.record ?? entry.record, pathProjectId);
  }
  let record: KeyRecord | null;
  try {
    record = await loadKey(db, publicKey);
  } catch (error) {
    // A key this isolate never saw cannot be checked while D1 is down: the SDK is asked to retry.
    console.error("key lookup failed", error);
    throw new FaultlineError(503, "the DSN key could not be checked, please retry", {
      headers: { "retry-after": "5" },
    });
  }
  remember(publicKey, record, now);
  return contextOf(record, pathProjectId);
}

function contextOf(record: KeyRecord | null, pathProjectId: number | null): ProjectKey {
  if (!record) throw rejected("unknown DSN public key");
  if (pathProjectId !== null && record.projectId !== pathProjectId) {
    throw rejected(`the DSN key does not belong to project ${pathProjectId}`);
  }
  if (!record.keyActive) throw rejected("the DSN key is disabled");
  if (!record.projectActive) throw rejected("the project is disabled");
  return {
    organizationId: record.organizationId,
    shard: record.shard,
    projectId: record.projectId,
    keyId: record.keyId,
    keyLimit: record.keyLimit,
    projectLimit: record.projectLimit,
    scrubbing: record.scrubbing ?? DEFAULT_SCRUBBING,
    filters: record.filters ?? NO_FILTERS,
  };
}

/** Drops cached keys so a change made through the API applies to this isolate at once. */
export function forgetProjectKeys(): void {
  cache.clear();
}
