// D1 access for tenants: organizations, teams, users and memberships, projects, DSN keys and API tokens.
// Every function takes the owning organization/project id it was resolved against (see api/access.ts),
// so a query can never reach another tenant's rows.
import { and, asc, count, eq, isNull, type SQLWrapper, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Page } from "./page.ts";
import type { MemberRole as Role } from "./rows.ts";
import { apiTokens, memberships, organizations, projectKeys, projects, teams, users } from "./schema.ts";

export type OrganizationRow = typeof organizations.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
export type ProjectKeyRow = typeof projectKeys.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

const now = () => Date.now() / 1000;
/** Whether a D1 error (possibly wrapped by drizzle as its `cause`) is a unique-constraint violation. */
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (String(e).includes("UNIQUE constraint failed")) return true;
    e = e instanceof Error ? e.cause : null;
  }
  return false;
}

/** `column IN (ids)` with one bound parameter (a JSON array), so any number of ids fits D1's limit. */
const inIds = (column: SQLWrapper, ids: readonly number[]) =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** One page of rows (the query asks for one more row to know whether a next page exists). */
export interface Paged<T> {
  rows: T[];
  hasMore: boolean;
}
const paged = <T>(rows: T[], page: Page): Paged<T> => ({
  rows: rows.slice(0, page.limit),
  hasMore: rows.length > page.limit,
});

// --- organizations ----------------------------------------------------------------------------------

export async function listOrganizations(db: D1Database, ids: readonly number[], page: Page) {
  if (ids.length === 0) return { rows: [], hasMore: false };
  const rows = await drizzle(db)
    .select()
    .from(organizations)
    .where(inIds(organizations.id, ids))
    .orderBy(asc(organizations.name), asc(organizations.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return paged(rows, page);
}

export async function getOrganization(db: D1Database, id: number): Promise<OrganizationRow | null> {
  return (await drizzle(db).select().from(organizations).where(eq(organizations.id, id)).get()) ?? null;
}

/** Creates an organization owned by `ownerUserId`; null when the slug is taken. */
export async function createOrganization(
  db: D1Database,
  input: { slug: string; name: string },
  ownerUserId: number | null,
): Promise<OrganizationRow | null> {
  const orm = drizzle(db);
  const [org] = await orm
    .insert(organizations)
    .values({ slug: input.slug, name: input.name, createdAt: now() })
    .onConflictDoNothing()
    .returning();
  if (!org) return null;
  if (ownerUserId !== null) {
    await orm
      .insert(memberships)
      .values({ organizationId: org.id, userId: ownerUserId, role: "owner", createdAt: now() });
  }
  return org;
}

// --- users and members ------------------------------------------------------------------------------

export async function getUser(db: D1Database, id: number): Promise<UserRow | null> {
  return (await drizzle(db).select().from(users).where(eq(users.id, id)).get()) ?? null;
}

export async function roleOf(db: D1Database, organizationId: number, userId: number): Promise<Role | null> {
  const row = await drizzle(db)
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)))
    .get();
  return row?.role ?? null;
}

export async function memberCount(db: D1Database, organizationId: number): Promise<number> {
  const row = await drizzle(db)
    .select({ n: count() })
    .from(memberships)
    .where(eq(memberships.organizationId, organizationId))
    .get();
  return row?.n ?? 0;
}

export async function ownerCount(db: D1Database, organizationId: number): Promise<number> {
  const row = await drizzle(db)
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, "owner")))
    .get();
  return row?.n ?? 0;
}

const memberColumns = {
  user: users,
  role: memberships.role,
  createdAt: memberships.createdAt,
};

export async function getMember(db: D1Database, organizationId: number, userId: number) {
  return (
    (await drizzle(db)
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)))
      .get()) ?? null
  );
}

export async function removeMember(db: D1Database, organizationId: number, userId: number): Promise<void> {
  await drizzle(db)
    .delete(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
}

// --- teams ------------------------------------------------------------------------------------------

export async function listTeams(db: D1Database, organizationId: number, page: Page) {
  const rows = await drizzle(db)
    .select()
    .from(teams)
    .where(eq(teams.organizationId, organizationId))
    .orderBy(asc(teams.slug))
    .limit(page.limit + 1)
    .offset(page.offset);
  return paged(rows, page);
}

export async function getTeam(db: D1Database, organizationId: number, slug: string): Promise<TeamRow | null> {
  return (
    (await drizzle(db)
      .select()
      .from(teams)
      .where(and(eq(teams.organizationId, organizationId), eq(teams.slug, slug)))
      .get()) ?? null
  );
}

export async function teamsById(db: D1Database, ids: readonly number[]): Promise<Map<number, TeamRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await drizzle(db).select().from(teams).where(inIds(teams.id, unique));
  return new Map(rows.map((t) => [t.id, t]));
}

/** Null when the slug is taken in this organization. */
export async function createTeam(
  db: D1Database,
  organizationId: number,
  input: { slug: string; name: string },
): Promise<TeamRow | null> {
  const [team] = await drizzle(db)
    .insert(teams)
    .values({ organizationId, slug: input.slug, name: input.name, createdAt: now() })
    .onConflictDoNothing()
    .returning();
  return team ?? null;
}

/** Deletes a team; its projects stay (their team becomes none). */
export async function deleteTeam(db: D1Database, team: TeamRow): Promise<void> {
  const orm = drizzle(db);
  await orm.batch([
    orm.update(projects).set({ teamId: null }).where(eq(projects.teamId, team.id)),
    orm.delete(teams).where(eq(teams.id, team.id)),
  ]);
}

// --- projects ---------------------------------------------------------------------------------------

export async function listProjects(db: D1Database, organizationIds: readonly number[], page: Page) {
  if (organizationIds.length === 0) return { rows: [], hasMore: false };
  const rows = await drizzle(db)
    .select()
    .from(projects)
    .where(inIds(projects.organizationId, organizationIds))
    .orderBy(asc(projects.slug), asc(projects.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return paged(rows, page);
}

export async function getProject(db: D1Database, organizationId: number, id: number) {
  return (
    (await drizzle(db)
      .select()
      .from(projects)
      .where(and(eq(projects.organizationId, organizationId), eq(projects.id, id)))
      .get()) ?? null
  );
}

/** Creates a project with one DSN key ("Default"); null when the slug is taken in the organization. */
export async function createProject(
  db: D1Database,
  organizationId: number,
  teamId: number | null,
  input: { slug: string; name: string; platform: string | null },
  keyPair: { publicKey: string; secretKey: string },
): Promise<ProjectRow | null> {
  const orm = drizzle(db);
  const [project] = await orm
    .insert(projects)
    .values({ organizationId, teamId, ...input, createdAt: now() })
    .onConflictDoNothing()
    .returning();
  if (!project) return null;
  await orm
    .insert(projectKeys)
    .values({ projectId: project.id, ...keyPair, label: "Default", createdAt: now() });
  return project;
}

export type ProjectUpdate = Partial<
  Pick<ProjectRow, "name" | "slug" | "platform" | "rateLimitCount" | "rateLimitWindow">
>;

/** Applies changes; "conflict" when the new slug is taken in the organization. */
export async function updateProject(
  db: D1Database,
  project: ProjectRow,
  changes: ProjectUpdate,
): Promise<ProjectRow | "conflict"> {
  if (Object.keys(changes).length === 0) return project;
  try {
    const [updated] = await drizzle(db)
      .update(projects)
      .set(changes)
      .where(eq(projects.id, project.id))
      .returning();
    return updated ?? project;
  } catch (error) {
    if (isUniqueViolation(error)) return "conflict";
    throw error;
  }
}

/**
 * Deletes a project and every row that belongs to it: all tables with a `project_id` column (found in
 * the schema, so tables added later are included), then the project. R2 bytes are removed separately.
 */
export async function deleteProject(db: D1Database, projectId: number): Promise<void> {
  const tables = await db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%project_id%'")
    .all<{ name: string; sql: string }>();
  const statements = tables.results
    .filter((t) => /^[a-z][a-z0-9_]*$/.test(t.name) && hasProjectIdColumn(t.sql))
    .map((t) => db.prepare(`DELETE FROM "${t.name}" WHERE project_id = ?`).bind(projectId));
  statements.push(db.prepare("DELETE FROM projects WHERE id = ?").bind(projectId));
  // One transaction; rows that reference each other (events → issues) go with ON DELETE CASCADE.
  await db.batch(statements);
}

/** Whether a `CREATE TABLE` statement declares a `project_id` column (comments ignored). */
export function hasProjectIdColumn(createSql: string): boolean {
  return /[(,]\s*"?project_id"?\s+[A-Za-z]/.test(createSql.replace(/--[^\n]*/g, ""));
}

// --- DSN keys ---------------------------------------------------------------------------------------

export async function listKeys(
  db: D1Database,
  projectId: number,
  status: "active" | "inactive" | null,
  page: Page,
) {
  const conditions = [eq(projectKeys.projectId, projectId)];
  if (status !== null) conditions.push(eq(projectKeys.isActive, status === "active"));
  const rows = await drizzle(db)
    .select()
    .from(projectKeys)
    .where(and(...conditions))
    .orderBy(asc(projectKeys.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return paged(rows, page);
}

export async function getKey(db: D1Database, projectId: number, publicKey: string) {
  return (
    (await drizzle(db)
      .select()
      .from(projectKeys)
      .where(and(eq(projectKeys.projectId, projectId), eq(projectKeys.publicKey, publicKey)))
      .get()) ?? null
  );
}

export async function createKey(
  db: D1Database,
  projectId: number,
  input: {
    label: string;
    publicKey: string;
    secretKey: string;
    rateLimitCount: number | null;
    rateLimitWindow: number | null;
  },
): Promise<ProjectKeyRow> {
  const [row] = await drizzle(db)
    .insert(projectKeys)
    .values({ projectId, ...input, createdAt: now() })
    .returning();
  if (!row) throw new Error("key insert returned no row");
  return row;
}

export async function updateKey(
  db: D1Database,
  key: ProjectKeyRow,
  changes: Partial<Pick<ProjectKeyRow, "label" | "isActive" | "rateLimitCount" | "rateLimitWindow">>,
): Promise<ProjectKeyRow> {
  if (Object.keys(changes).length === 0) return key;
  const [row] = await drizzle(db)
    .update(projectKeys)
    .set(changes)
    .where(eq(projectKeys.id, key.id))
    .returning();
  return row ?? key;
}

export async function deleteKey(db: D1Database, key: ProjectKeyRow): Promise<void> {
  await drizzle(db).delete(projectKeys).where(eq(projectKeys.id, key.id));
}

// --- API tokens -------------------------------------------------------------------------------------

export async function insertToken(
  db: D1Database,
  input: {
    tokenHash: string;
    tokenLastCharacters: string;
    name: string;
    userId: number | null;
    organizationId: number | null;
    scopes: readonly string[];
  },
): Promise<ApiTokenRow> {
  const [row] = await drizzle(db)
    .insert(apiTokens)
    .values({ ...input, scopes: input.scopes.join(" "), createdAt: now() })
    .returning();
  if (!row) throw new Error("token insert returned no row");
  return row;
}

/** A user's personal tokens (not the organization tokens they created). */
export async function listUserTokens(db: D1Database, userId: number): Promise<ApiTokenRow[]> {
  return drizzle(db)
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.organizationId)))
    .orderBy(asc(apiTokens.id))
    .limit(1000);
}

export async function findUserToken(
  db: D1Database,
  userId: number,
  where: { id: number } | { hash: string },
) {
  return (
    (await drizzle(db)
      .select()
      .from(apiTokens)
      .where(
        and(
          eq(apiTokens.userId, userId),
          isNull(apiTokens.organizationId),
          "id" in where ? eq(apiTokens.id, where.id) : eq(apiTokens.tokenHash, where.hash),
        ),
      )
      .get()) ?? null
  );
}

export async function listOrgTokens(db: D1Database, organizationId: number, page: Page) {
  const rows = await drizzle(db)
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.organizationId, organizationId))
    .orderBy(asc(apiTokens.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return paged(rows, page);
}

export async function getOrgToken(db: D1Database, organizationId: number, id: number) {
  return (
    (await drizzle(db)
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.organizationId, organizationId), eq(apiTokens.id, id)))
      .get()) ?? null
  );
}

export async function deleteToken(db: D1Database, id: number): Promise<void> {
  await drizzle(db).delete(apiTokens).where(eq(apiTokens.id, id));
}
