// Assignee reads: the users and teams issues are assigned to (`user:1`, `team:2`), and resolving an
// assignee reference to one of an organization's members or teams.
import { all, chunks, first, marks } from "./sql.ts";

export async function usersByIds(
  db: D1Database,
  ids: readonly number[],
): Promise<{ id: number; email: string; name: string }[]> {
  const out: { id: number; email: string; name: string }[] = [];
  for (const part of chunks(ids))
    out.push(
      ...(await all<{ id: number; email: string; name: string }>(
        db,
        `SELECT id, email, name FROM users WHERE id IN (${marks(part.length)})`,
        part,
      )),
    );
  return out;
}

export async function teamsByIds(
  db: D1Database,
  ids: readonly number[],
): Promise<{ id: number; slug: string; name: string }[]> {
  const out: { id: number; slug: string; name: string }[] = [];
  for (const part of chunks(ids))
    out.push(
      ...(await all<{ id: number; slug: string; name: string }>(
        db,
        `SELECT id, slug, name FROM teams WHERE id IN (${marks(part.length)})`,
        part,
      )),
    );
  return out;
}

/** The organization's team with this id or slug. */
export async function orgTeamId(
  db: D1Database,
  orgId: number,
  ref: { id: number } | { slug: string },
): Promise<number | null> {
  const row =
    "id" in ref
      ? await first<{ id: number }>(db, "SELECT id FROM teams WHERE organization_id = ? AND id = ?", [
          orgId,
          ref.id,
        ])
      : await first<{ id: number }>(db, "SELECT id FROM teams WHERE organization_id = ? AND slug = ?", [
          orgId,
          ref.slug,
        ]);
  return row?.id ?? null;
}

/** The organization's member with this user id, or else the first with this email (any case) or name. */
export async function orgMemberId(
  db: D1Database,
  orgId: number,
  ref: { id: number } | { emailOrName: string },
): Promise<number | null> {
  const row =
    "id" in ref
      ? await first<{ id: number }>(
          db,
          "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = ? AND u.id = ?",
          [orgId, ref.id],
        )
      : await first<{ id: number }>(
          db,
          `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
           WHERE m.organization_id = ? AND (lower(u.email) = lower(?) OR u.name = ?) ORDER BY u.id LIMIT 1`,
          [orgId, ref.emailOrName, ref.emailOrName],
        );
  return row?.id ?? null;
}
