// The organization's retention (migration 0032, docs/retention.md): days its projects keep data unless
// one sets fewer; NULL keeps DEFAULT_RETENTION_DAYS. The API reads and sets it; the project sweep reads
// it with the project's own (src/db/retention.ts).
import { all, first } from "./sql.ts";
import { inIdsSql } from "./tenants.ts";

/** The organization's own retention in days, null for the default (or an organization that is gone). */
export async function readOrganizationRetention(
  db: D1Database,
  organizationId: number,
): Promise<number | null> {
  const row = await first<{ days: number | null }>(
    db,
    "SELECT retention_days AS days FROM organizations WHERE id = ?",
    [organizationId],
  );
  return row?.days ?? null;
}

/** The own retention of each of the organizations (null: the default), by id. */
export async function readOrganizationRetentions(
  db: D1Database,
  organizationIds: readonly number[],
): Promise<Map<number, number | null>> {
  const ids = [...new Set(organizationIds)];
  if (ids.length === 0) return new Map();
  const rows = await all<{ id: number; days: number | null }>(
    db,
    `SELECT id, retention_days AS days FROM organizations WHERE ${inIdsSql("id")}`,
    [JSON.stringify(ids)],
  );
  return new Map(rows.map((r) => [r.id, r.days]));
}

/** Sets the organization's retention (null: back to the default). */
export async function setOrganizationRetention(
  db: D1Database,
  organizationId: number,
  days: number | null,
): Promise<void> {
  await db
    .prepare("UPDATE organizations SET retention_days = ? WHERE id = ?")
    .bind(days, organizationId)
    .run();
}
