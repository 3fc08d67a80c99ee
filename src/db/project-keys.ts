// DSN keys (`project_keys`): the key ingest resolves on every request, and the key changes the web UI's
// key settings make. The API's key routes use src/db/tenants.ts.

/** A public key with its project's state and both rate limits, as ingest needs them. */
export interface IngestKeyRow {
  key_id: number;
  project_id: number;
  organization_id: number;
  /** The organization's event shard (organizations.shard). */
  shard: string;
  is_active: number;
  project_status: string;
  key_rate_count: number | null;
  key_rate_window: number | null;
  project_rate_count: number | null;
  project_rate_window: number | null;
  data_scrubber: number;
  data_scrubber_defaults: number;
  scrub_ip_addresses: number;
  /** JSON arrays of strings. */
  sensitive_fields: string;
  safe_fields: string;
  inbound_filters: string;
}

export function ingestKeyByPublicKey(db: D1Database, publicKey: string): Promise<IngestKeyRow | null> {
  return db
    .prepare(
      `SELECT k.id AS key_id, k.project_id, p.organization_id, k.is_active, p.status AS project_status,
         k.rate_limit_count AS key_rate_count, k.rate_limit_window AS key_rate_window,
         p.rate_limit_count AS project_rate_count, p.rate_limit_window AS project_rate_window,
         p.data_scrubber, p.data_scrubber_defaults, p.scrub_ip_addresses, p.sensitive_fields, p.safe_fields,
         p.inbound_filters, o.shard
       FROM project_keys k JOIN projects p ON p.id = k.project_id
       JOIN organizations o ON o.id = p.organization_id WHERE k.public_key = ?`,
    )
    .bind(publicKey)
    .first<IngestKeyRow>();
}

export async function insertProjectKey(
  db: D1Database,
  key: { projectId: number; publicKey: string; secretKey: string; label: string },
  now: number,
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(key.projectId, key.publicKey, key.secretKey, key.label, now)
    .run();
}

export async function setProjectKeyActive(
  db: D1Database,
  projectId: number,
  keyId: number,
  active: boolean,
): Promise<void> {
  await db
    .prepare("UPDATE project_keys SET is_active = ? WHERE id = ? AND project_id = ?")
    .bind(active ? 1 : 0, keyId, projectId)
    .run();
}

/** Sets (or with nulls, clears) a key's own rate limit. */
export async function setProjectKeyRateLimit(
  db: D1Database,
  projectId: number,
  keyId: number,
  limit: { count: number; window: number } | null,
): Promise<void> {
  await db
    .prepare(
      "UPDATE project_keys SET rate_limit_count = ?, rate_limit_window = ? WHERE id = ? AND project_id = ?",
    )
    .bind(limit?.count ?? null, limit?.window ?? null, keyId, projectId)
    .run();
}
