// Tenant reads of the web UI: the signed-in user's organizations, an organization's projects, keys and
// members, a user's API tokens. Callers pass ids already resolved through the caller's memberships, so
// nothing here decides who may see what.
import type { KeyRow, MemberRow, OrgSummary, ProjectSummary, TokenRow } from "./rows.ts";
import { first } from "./sql.ts";

export async function orgsOfUser(db: D1Database, userId: number): Promise<OrgSummary[]> {
  const rows = await db
    .prepare(
      `SELECT o.id, o.slug, o.name, m.role, o.shard FROM memberships m JOIN organizations o ON o.id = m.organization_id
       WHERE m.user_id = ? ORDER BY o.name`,
    )
    .bind(userId)
    .all<OrgSummary>();
  return rows.results;
}

/** The organization by slug, only when the user is a member of it. */
export async function orgForUser(db: D1Database, userId: number, slug: string): Promise<OrgSummary | null> {
  return db
    .prepare(
      `SELECT o.id, o.slug, o.name, m.role, o.shard FROM organizations o JOIN memberships m ON m.organization_id = o.id
       WHERE o.slug = ? AND m.user_id = ?`,
    )
    .bind(slug, userId)
    .first<OrgSummary>();
}

export async function projectsOf(db: D1Database, orgId: number): Promise<ProjectSummary[]> {
  const rows = await db
    .prepare(
      `SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects
       WHERE organization_id = ? ORDER BY slug`,
    )
    .bind(orgId)
    .all<ProjectSummary>();
  return rows.results;
}

export async function projectBySlug(
  db: D1Database,
  orgId: number,
  slug: string,
): Promise<ProjectSummary | null> {
  return db
    .prepare(
      `SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects
       WHERE organization_id = ? AND slug = ?`,
    )
    .bind(orgId, slug)
    .first<ProjectSummary>();
}

export function projectById(db: D1Database, projectId: number): Promise<ProjectSummary | null> {
  return first<ProjectSummary>(
    db,
    "SELECT id, slug, name, platform, organization_id, rate_limit_count, rate_limit_window FROM projects WHERE id = ?",
    [projectId],
  );
}

const KEY_COLUMNS = "id, public_key, label, is_active, rate_limit_count, rate_limit_window, created_at";

export async function keysOf(db: D1Database, projectId: number): Promise<KeyRow[]> {
  const rows = await db
    .prepare(`SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ? ORDER BY id`)
    .bind(projectId)
    .all<KeyRow>();
  return rows.results;
}

export async function membersOf(db: D1Database, orgId: number): Promise<MemberRow[]> {
  const rows = await db
    .prepare(
      `SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.organization_id = ? ORDER BY u.email`,
    )
    .bind(orgId)
    .all<MemberRow>();
  return rows.results;
}

export async function tokensOfUser(db: D1Database, userId: number): Promise<TokenRow[]> {
  const rows = await db
    .prepare(
      "SELECT id, name, token_last_characters, scopes, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC",
    )
    .bind(userId)
    .all<TokenRow>();
  return rows.results;
}

export async function firstActiveKey(db: D1Database, projectId: number): Promise<KeyRow | null> {
  return db
    .prepare(
      `SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ? AND is_active = 1 ORDER BY id LIMIT 1`,
    )
    .bind(projectId)
    .first<KeyRow>();
}
