// Project writes of the web UI's project settings: create a project with its first DSN key, rename it.
// (The API's project routes use src/db/tenants.ts.)

/**
 * Creates a project in the organization's first team (or none) with a `Default` DSN key; the id, or
 * null when the insert returned no row.
 */
export async function createProjectWithKey(
  db: D1Database,
  project: { organizationId: number; slug: string; name: string; platform: string | null },
  key: { publicKey: string; secretKey: string },
  now: number,
): Promise<number | null> {
  const team = await db
    .prepare("SELECT id FROM teams WHERE organization_id = ? ORDER BY id LIMIT 1")
    .bind(project.organizationId)
    .first<{ id: number }>();
  const row = await db
    .prepare(
      "INSERT INTO projects (organization_id, team_id, slug, name, platform, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(project.organizationId, team?.id ?? null, project.slug, project.name, project.platform, now)
    .first<{ id: number }>();
  if (!row) return null;
  await db
    .prepare(
      "INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at) VALUES (?, ?, ?, 'Default', ?)",
    )
    .bind(row.id, key.publicKey, key.secretKey, now)
    .run();
  return row.id;
}

export async function renameProject(
  db: D1Database,
  organizationId: number,
  projectId: number,
  change: { name: string; slug: string },
): Promise<void> {
  await db
    .prepare("UPDATE projects SET name = ?, slug = ? WHERE id = ? AND organization_id = ?")
    .bind(change.name, change.slug, projectId, organizationId)
    .run();
}
