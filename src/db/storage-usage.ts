// The stored-bytes counter per project (migration 0029, docs/retention.md) and the organization's
// storage quota: the group commit adds what it stored, the retention sweep subtracts what it deleted,
// the storage guard compares the organization's sum with its quota.
import { DEFAULT_STORAGE_QUOTA_BYTES, R2_PAYLOAD_COUNTED_BYTES } from "../limits.ts";
import { first } from "./sql.ts";

/** Adds (or, negative, subtracts) bytes to the project's counter; part of the caller's batch. */
export function addStoredBytesStatement(
  db: D1Database,
  organizationId: number,
  projectId: number,
  bytes: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO storage_usage (project_id, organization_id, bytes) VALUES (?, ?, MAX(?, 0))
       ON CONFLICT (project_id) DO UPDATE SET bytes = MAX(bytes + ?, 0)`,
    )
    .bind(projectId, organizationId, bytes, bytes);
}

/** Subtracts bytes a deletion freed from the project's counter (never below 0); part of the deletion's batch. */
export function subtractStoredBytesStatement(
  db: D1Database,
  projectId: number,
  bytes: number,
): D1PreparedStatement {
  return db
    .prepare("UPDATE storage_usage SET bytes = MAX(bytes - ?, 0) WHERE project_id = ?")
    .bind(bytes, projectId);
}

/**
 * The stored bytes of an `events` row, as the counter measures them (docs/retention.md): the row's
 * payload text (the whole payload, or the projection beside a segment locator), plus the compressed
 * bytes the locator `segment/offset/length` names, or the inline limit for an object under payload_key.
 */
export const EVENT_BYTES_SQL = `(COALESCE(length(CAST(payload AS BLOB)), 0)
  + CASE WHEN payload_ref IS NOT NULL THEN CAST(substr(substr(payload_ref, instr(payload_ref, '/') + 1), instr(substr(payload_ref, instr(payload_ref, '/') + 1), '/') + 1) AS INTEGER)
    WHEN payload_key IS NOT NULL THEN ${R2_PAYLOAD_COUNTED_BYTES} ELSE 0 END)`;

export interface StorageState {
  usedBytes: number;
  quotaBytes: number;
  /** The quota an admin set, or null when the default applies. */
  customQuotaBytes: number | null;
}

/**
 * The organization's stored bytes (all its projects, on its event shard) and its quota (the control
 * plane's organizations row).
 */
export async function readStorageState(
  shard: D1Database,
  control: D1Database,
  organizationId: number,
): Promise<StorageState> {
  const [used, quota] = await Promise.all([
    first<{ used: number | null }>(
      shard,
      "SELECT SUM(bytes) AS used FROM storage_usage WHERE organization_id = ?",
      [organizationId],
    ),
    first<{ quota: number | null }>(
      control,
      "SELECT storage_quota_bytes AS quota FROM organizations WHERE id = ?",
      [organizationId],
    ),
  ]);
  const custom = quota?.quota ?? null;
  return {
    usedBytes: used?.used ?? 0,
    quotaBytes: custom ?? DEFAULT_STORAGE_QUOTA_BYTES,
    customQuotaBytes: custom,
  };
}

/** Sets the organization's quota (null: back to the default). */
export async function setStorageQuota(
  db: D1Database,
  organizationId: number,
  quotaBytes: number | null,
): Promise<void> {
  await db
    .prepare("UPDATE organizations SET storage_quota_bytes = ? WHERE id = ?")
    .bind(quotaBytes, organizationId)
    .run();
}
