// D1 access for tenants: organizations, users and memberships, and teams. Projects and DSN keys are in
// tenant-projects.ts, API tokens in api-tokens.ts. Every function takes the owning organization id it
// was resolved against (see api/access.ts), so a query can never reach another tenant's rows. Rows keep
// the schema's (camel-case) field names: each query aliases its columns to them.
import type { Page } from "./page.ts";
import type { MemberRole as Role } from "./rows.ts";
import type { organizations, teams, users } from "./schema.ts";
import { all, first } from "./sql.ts";

export type OrganizationRow = typeof organizations.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type UserRow = typeof users.$inferSelect;

export const nowSeconds = (): number => Date.now() / 1000;

/** Whether a D1 error (possibly wrapped as another error's `cause`) is a unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (String(e).includes("UNIQUE constraint failed")) return true;
    e = e instanceof Error ? e.cause : null;
  }
  return false;
}

/** `column IN (ids)` with one bound parameter (a JSON array), so any number of ids fits D1's limit. */
export const inIdsSql = (column: string): string => `${column} IN (SELECT value FROM json_each(?))`;

/** One page of rows (the query asks for one more row to know whether a next page exists). */
export interface Paged<T> {
  rows: T[];
  hasMore: boolean;
}
export const paged = <T>(rows: T[], page: Page): Paged<T> => ({
  rows: rows.slice(0, page.limit),
  hasMore: rows.length > page.limit,
});

// --- organizations ----------------------------------------------------------------------------------

const ORG_COLUMNS = "id, slug, name, created_at AS createdAt, shard";

/**
 * Sentry's `query` of the organization, team and project lists: the text within the name or the slug,
 * in any case (an empty text matches all). The text is parameter ?1: first in the statement's text and
 * in its parameters (the plain `?` after it number on from 2).
 */
export const NAME_OR_SLUG_MATCH =
  "(?1 = '' OR instr(lower(name), lower(?1)) > 0 OR instr(lower(slug), lower(?1)) > 0)";

export async function listOrganizations(
  db: D1Database,
  ids: readonly number[],
  page: Page,
  query = "",
): Promise<Paged<OrganizationRow>> {
  if (ids.length === 0) return { rows: [], hasMore: false };
  const rows = await all<OrganizationRow>(
    db,
    `SELECT ${ORG_COLUMNS} FROM organizations WHERE ${NAME_OR_SLUG_MATCH} AND ${inIdsSql("id")}
     ORDER BY name ASC, id ASC LIMIT ? OFFSET ?`,
    [query.trim(), JSON.stringify(ids), page.limit + 1, page.offset],
  );
  return paged(rows, page);
}

export function getOrganization(db: D1Database, id: number): Promise<OrganizationRow | null> {
  return first<OrganizationRow>(db, `SELECT ${ORG_COLUMNS} FROM organizations WHERE id = ?`, [id]);
}

/** Creates an organization on `input.shard` owned by `ownerUserId`; null when the slug is taken. */
export async function createOrganization(
  db: D1Database,
  input: { slug: string; name: string; shard: string },
  ownerUserId: number | null,
): Promise<OrganizationRow | null> {
  const org = await first<OrganizationRow>(
    db,
    `INSERT INTO organizations (slug, name, created_at, shard) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
     RETURNING ${ORG_COLUMNS}`,
    [input.slug, input.name, nowSeconds(), input.shard],
  );
  if (!org) return null;
  if (ownerUserId !== null) {
    await db
      .prepare(
        "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)",
      )
      .bind(org.id, ownerUserId, nowSeconds())
      .run();
  }
  return org;
}

// --- users and members ------------------------------------------------------------------------------

const USER_COLUMNS = "u.id, u.email, u.name, u.password_hash AS passwordHash, u.created_at AS createdAt";

export function getUser(db: D1Database, id: number): Promise<UserRow | null> {
  return first<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ?`, [id]);
}

export async function roleOf(db: D1Database, organizationId: number, userId: number): Promise<Role | null> {
  const row = await first<{ role: Role }>(
    db,
    "SELECT role FROM memberships WHERE organization_id = ? AND user_id = ?",
    [organizationId, userId],
  );
  return row?.role ?? null;
}

export async function memberCount(db: D1Database, organizationId: number): Promise<number> {
  const row = await first<{ n: number }>(
    db,
    "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = ?",
    [organizationId],
  );
  return row?.n ?? 0;
}

export async function ownerCount(db: D1Database, organizationId: number): Promise<number> {
  const row = await first<{ n: number }>(
    db,
    "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = ? AND role = 'owner'",
    [organizationId],
  );
  return row?.n ?? 0;
}

export interface MemberWithUser {
  user: UserRow;
  role: Role;
  createdAt: number;
}

export async function getMember(
  db: D1Database,
  organizationId: number,
  userId: number,
): Promise<MemberWithUser | null> {
  const row = await first<UserRow & { role: Role; memberCreatedAt: number }>(
    db,
    `SELECT ${USER_COLUMNS}, m.role, m.created_at AS memberCreatedAt
     FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? AND m.user_id = ?`,
    [organizationId, userId],
  );
  if (!row) return null;
  const { role, memberCreatedAt, ...user } = row;
  return { user, role, createdAt: memberCreatedAt };
}

export async function removeMember(db: D1Database, organizationId: number, userId: number): Promise<void> {
  await db
    .prepare("DELETE FROM memberships WHERE organization_id = ? AND user_id = ?")
    .bind(organizationId, userId)
    .run();
}

// --- teams ------------------------------------------------------------------------------------------

const TEAM_COLUMNS = "id, organization_id AS organizationId, slug, name, created_at AS createdAt";

export async function listTeams(
  db: D1Database,
  organizationId: number,
  page: Page,
  query = "",
): Promise<Paged<TeamRow>> {
  const rows = await all<TeamRow>(
    db,
    `SELECT ${TEAM_COLUMNS} FROM teams WHERE ${NAME_OR_SLUG_MATCH} AND organization_id = ?
     ORDER BY slug ASC LIMIT ? OFFSET ?`,
    [query.trim(), organizationId, page.limit + 1, page.offset],
  );
  return paged(rows, page);
}

export function getTeam(db: D1Database, organizationId: number, slug: string): Promise<TeamRow | null> {
  return first<TeamRow>(db, `SELECT ${TEAM_COLUMNS} FROM teams WHERE organization_id = ? AND slug = ?`, [
    organizationId,
    slug,
  ]);
}

export async function teamsById(db: D1Database, ids: readonly number[]): Promise<Map<number, TeamRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await all<TeamRow>(db, `SELECT ${TEAM_COLUMNS} FROM teams WHERE ${inIdsSql("id")}`, [
    JSON.stringify(unique),
  ]);
  return new Map(rows.map((t) => [t.id, t]));
}

/** Null when the slug is taken in this organization. */
export function createTeam(
  db: D1Database,
  organizationId: number,
  input: { slug: string; name: string },
): Promise<TeamRow | null> {
  return first<TeamRow>(
    db,
    `INSERT INTO teams (organization_id, slug, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
     RETURNING ${TEAM_COLUMNS}`,
    [organizationId, input.slug, input.name, nowSeconds()],
  );
}

/** Deletes a team; its projects stay (their team becomes none). */
export async function deleteTeam(db: D1Database, team: TeamRow): Promise<void> {
  await db.batch([
    db.prepare("UPDATE projects SET team_id = NULL WHERE team_id = ?").bind(team.id),
    db.prepare("DELETE FROM teams WHERE id = ?").bind(team.id),
  ]);
}
