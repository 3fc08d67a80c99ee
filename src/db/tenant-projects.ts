// D1 access for projects and their DSN keys, as the REST API's project and key routes use them. Every
// function takes the owning organization/project id it was resolved against (see api/access.ts). Rows
// keep the schema's (camel-case) field names: each query aliases its columns to them.
import type { Page } from "./page.ts";
import type { projectKeys, projects } from "./schema.ts";
import { all, first, type SqlParam } from "./sql.ts";
import { inIdsSql, isUniqueViolation, NAME_OR_SLUG_MATCH, nowSeconds, type Paged, paged } from "./tenants.ts";

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectKeyRow = typeof projectKeys.$inferSelect;

// --- projects ---------------------------------------------------------------------------------------

const PROJECT_COLUMNS = `id, organization_id AS organizationId, team_id AS teamId, slug, name, platform, status,
  rate_limit_count AS rateLimitCount, rate_limit_window AS rateLimitWindow, created_at AS createdAt,
  data_scrubber AS dataScrubber, data_scrubber_defaults AS dataScrubberDefaults,
  scrub_ip_addresses AS scrubIpAddresses, sensitive_fields AS sensitiveFields, safe_fields AS safeFields,
  inbound_filters AS inboundFilters, retention_days AS retentionDays`;

export async function listProjects(
  db: D1Database,
  organizationIds: readonly number[],
  page: Page,
  query = "",
): Promise<Paged<ProjectRow>> {
  if (organizationIds.length === 0) return { rows: [], hasMore: false };
  const rows = await all<ProjectRow>(
    db,
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE ${NAME_OR_SLUG_MATCH} AND ${inIdsSql("organization_id")}
     ORDER BY slug ASC, id ASC LIMIT ? OFFSET ?`,
    [query.trim(), JSON.stringify(organizationIds), page.limit + 1, page.offset],
  );
  return paged(rows, page);
}

export function getProject(db: D1Database, organizationId: number, id: number): Promise<ProjectRow | null> {
  return first<ProjectRow>(
    db,
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE organization_id = ? AND id = ?`,
    [organizationId, id],
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
  const project = await first<ProjectRow>(
    db,
    `INSERT INTO projects (organization_id, team_id, slug, name, platform, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING RETURNING ${PROJECT_COLUMNS}`,
    [organizationId, teamId, input.slug, input.name, input.platform, nowSeconds()],
  );
  if (!project) return null;
  await db
    .prepare(
      "INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at) VALUES (?, ?, ?, 'Default', ?)",
    )
    .bind(project.id, keyPair.publicKey, keyPair.secretKey, nowSeconds())
    .run();
  return project;
}

export type ProjectUpdate = Partial<
  Pick<
    ProjectRow,
    | "name"
    | "slug"
    | "platform"
    | "rateLimitCount"
    | "rateLimitWindow"
    | "dataScrubber"
    | "dataScrubberDefaults"
    | "scrubIpAddresses"
    | "sensitiveFields"
    | "safeFields"
    | "inboundFilters"
    | "retentionDays"
  >
>;

const PROJECT_UPDATE_COLUMNS: Record<keyof ProjectUpdate, string> = {
  name: "name",
  slug: "slug",
  platform: "platform",
  rateLimitCount: "rate_limit_count",
  rateLimitWindow: "rate_limit_window",
  dataScrubber: "data_scrubber",
  dataScrubberDefaults: "data_scrubber_defaults",
  scrubIpAddresses: "scrub_ip_addresses",
  sensitiveFields: "sensitive_fields",
  safeFields: "safe_fields",
  inboundFilters: "inbound_filters",
  retentionDays: "retention_days",
};

/** `SET a = ?, b = ?` for the fields present in `changes` (unknown keys never reach the SQL). */
function setClause<K extends string>(
  changes: Partial<Record<K, SqlParam | boolean>>,
  columns: Record<K, string>,
): { sql: string; params: SqlParam[] } {
  const keys = (Object.keys(changes) as K[]).filter((k) => k in columns && changes[k] !== undefined);
  return {
    sql: keys.map((k) => `${columns[k]} = ?`).join(", "),
    params: keys.map((k) => {
      const value = changes[k] as SqlParam | boolean;
      return typeof value === "boolean" ? (value ? 1 : 0) : value;
    }),
  };
}

/** Applies changes; "conflict" when the new slug is taken in the organization. */
export async function updateProject(
  db: D1Database,
  project: ProjectRow,
  changes: ProjectUpdate,
): Promise<ProjectRow | "conflict"> {
  const set = setClause(changes, PROJECT_UPDATE_COLUMNS);
  if (set.params.length === 0) return project;
  try {
    const updated = await first<ProjectRow>(
      db,
      `UPDATE projects SET ${set.sql} WHERE id = ? RETURNING ${PROJECT_COLUMNS}`,
      [...set.params, project.id],
    );
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

const KEY_COLUMNS = `id, project_id AS projectId, public_key AS publicKey, secret_key AS secretKey, label,
  is_active AS isActive, rate_limit_count AS rateLimitCount, rate_limit_window AS rateLimitWindow,
  created_at AS createdAt`;

/** A key row as D1 returns it: `is_active` is stored as 0/1. */
type StoredKeyRow = Omit<ProjectKeyRow, "isActive"> & { isActive: number | boolean };
const keyRow = (row: StoredKeyRow): ProjectKeyRow => ({ ...row, isActive: Boolean(row.isActive) });

export async function listKeys(
  db: D1Database,
  projectId: number,
  status: "active" | "inactive" | null,
  page: Page,
): Promise<Paged<ProjectKeyRow>> {
  const statusSql = status === null ? "" : " AND is_active = ?";
  const statusParams = status === null ? [] : [status === "active" ? 1 : 0];
  const rows = await all<StoredKeyRow>(
    db,
    `SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ?${statusSql} ORDER BY id ASC LIMIT ? OFFSET ?`,
    [projectId, ...statusParams, page.limit + 1, page.offset],
  );
  return paged(rows.map(keyRow), page);
}

export async function getKey(
  db: D1Database,
  projectId: number,
  publicKey: string,
): Promise<ProjectKeyRow | null> {
  const row = await first<StoredKeyRow>(
    db,
    `SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = ? AND public_key = ?`,
    [projectId, publicKey],
  );
  return row ? keyRow(row) : null;
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
  const row = await first<StoredKeyRow>(
    db,
    `INSERT INTO project_keys (project_id, public_key, secret_key, label, rate_limit_count, rate_limit_window, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${KEY_COLUMNS}`,
    [
      projectId,
      input.publicKey,
      input.secretKey,
      input.label,
      input.rateLimitCount,
      input.rateLimitWindow,
      nowSeconds(),
    ],
  );
  if (!row) throw new Error("key insert returned no row");
  return keyRow(row);
}

export type KeyUpdate = Partial<
  Pick<ProjectKeyRow, "label" | "isActive" | "rateLimitCount" | "rateLimitWindow">
>;

const KEY_UPDATE_COLUMNS: Record<keyof KeyUpdate, string> = {
  label: "label",
  isActive: "is_active",
  rateLimitCount: "rate_limit_count",
  rateLimitWindow: "rate_limit_window",
};

export async function updateKey(
  db: D1Database,
  key: ProjectKeyRow,
  changes: KeyUpdate,
): Promise<ProjectKeyRow> {
  const set = setClause(changes, KEY_UPDATE_COLUMNS);
  if (set.params.length === 0) return key;
  const row = await first<StoredKeyRow>(
    db,
    `UPDATE project_keys SET ${set.sql} WHERE id = ? RETURNING ${KEY_COLUMNS}`,
    [...set.params, key.id],
  );
  return row ? keyRow(row) : key;
}

export async function deleteKey(db: D1Database, key: ProjectKeyRow): Promise<void> {
  await db.prepare("DELETE FROM project_keys WHERE id = ?").bind(key.id).run();
}
