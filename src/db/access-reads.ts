// The reads behind the API's access checks (src/api/access.ts): an organization or project named by a
// URL segment, and a user's memberships. Deciding who may see what stays in the API.
import type { MemberRole, OrgRow, ProjectRow } from "./rows.ts";
import { all, first } from "./sql.ts";

/** What a URL segment names: an organization or project by numeric id, or by slug. */
export type Ref = { id: number } | { slug: string };

export function organizationByRef(db: D1Database, ref: Ref): Promise<OrgRow | null> {
  return "id" in ref
    ? first<OrgRow>(db, "SELECT id, slug, name, created_at, shard FROM organizations WHERE id = ?", [ref.id])
    : first<OrgRow>(db, "SELECT id, slug, name, created_at, shard FROM organizations WHERE slug = ?", [
        ref.slug,
      ]);
}

export function projectInOrgByRef(
  db: D1Database,
  organizationId: number,
  ref: Ref,
): Promise<ProjectRow | null> {
  return "id" in ref
    ? first<ProjectRow>(db, "SELECT * FROM projects WHERE organization_id = ? AND id = ?", [
        organizationId,
        ref.id,
      ])
    : first<ProjectRow>(db, "SELECT * FROM projects WHERE organization_id = ? AND slug = ?", [
        organizationId,
        ref.slug,
      ]);
}

/** A user's accepted memberships (invitations live in member_invites and are not memberships). */
export function membershipsOfUser(
  db: D1Database,
  userId: number,
): Promise<{ organization_id: number; role: MemberRole }[]> {
  return all(db, "SELECT organization_id, role FROM memberships WHERE user_id = ?", [userId]);
}

export async function organizationIdsOfUser(db: D1Database, userId: number | null): Promise<number[]> {
  const rows = await all<{ organization_id: number }>(
    db,
    "SELECT organization_id FROM memberships WHERE user_id = ?",
    [userId],
  );
  return rows.map((r) => r.organization_id);
}
