// Releases and deploys: lookups, pages, release order and writes (the figures shown with releases are
// in release-reads.ts). Rows keep drizzle's camel-case field
// names (ReleaseRow, DeployRow in rows.ts): the queries alias their columns to them.
import type { DeployRow, ReleaseProjectRow, ReleaseRow } from "./rows.ts";
import { all, chunks, first, marks, type SqlParam } from "./sql.ts";

const RELEASE_COLUMNS = `id, organization_id AS organizationId, version, ref, url, status, date_added AS dateAdded,
  date_started AS dateStarted, date_released AS dateReleased, refs, commits, commit_count AS commitCount,
  last_commit_id AS lastCommitId`;

export const DEPLOY_COLUMNS = `id, release_id AS releaseId, environment, name, url, date_started AS dateStarted,
  date_finished AS dateFinished`;

/** Release fields a create or update sets, by row field name. */
export type ReleaseFields = Partial<
  Pick<
    ReleaseRow,
    | "ref"
    | "url"
    | "dateStarted"
    | "dateReleased"
    | "status"
    | "refs"
    | "commits"
    | "commitCount"
    | "lastCommitId"
  >
>;

const RELEASE_FIELD_COLUMNS: Record<keyof ReleaseFields, string> = {
  ref: "ref",
  url: "url",
  dateStarted: "date_started",
  dateReleased: "date_released",
  status: "status",
  refs: "refs",
  commits: "commits",
  commitCount: "commit_count",
  lastCommitId: "last_commit_id",
};

function fieldEntries(fields: ReleaseFields): [string, SqlParam][] {
  return (Object.keys(RELEASE_FIELD_COLUMNS) as (keyof ReleaseFields)[]).flatMap((key) => {
    const value = fields[key];
    return value === undefined ? [] : [[RELEASE_FIELD_COLUMNS[key], value] as [string, SqlParam]];
  });
}

export function findRelease(
  db: D1Database,
  organizationId: number,
  version: string,
): Promise<ReleaseRow | null> {
  return first<ReleaseRow>(
    db,
    `SELECT ${RELEASE_COLUMNS} FROM releases WHERE organization_id = ? AND version = ?`,
    [organizationId, version],
  );
}

export async function releaseHasProject(
  db: D1Database,
  releaseId: number,
  projectId: number,
): Promise<boolean> {
  const row = await first<{ one: number }>(
    db,
    "SELECT 1 AS one FROM release_projects WHERE release_id = ? AND project_id = ?",
    [releaseId, projectId],
  );
  return row !== null;
}

/** The organization's projects among these ids and slugs. */
export async function orgProjectsByRef(
  db: D1Database,
  orgId: number,
  ids: readonly number[],
  slugs: readonly string[],
): Promise<ReleaseProjectRow[]> {
  const found: ReleaseProjectRow[] = [];
  const select = "SELECT id, slug, name, platform FROM projects WHERE organization_id = ?";
  for (const part of chunks(ids))
    found.push(
      ...(await all<ReleaseProjectRow>(db, `${select} AND id IN (${marks(part.length)})`, [orgId, ...part])),
    );
  for (const part of chunks(slugs))
    found.push(
      ...(await all<ReleaseProjectRow>(db, `${select} AND slug IN (${marks(part.length)})`, [
        orgId,
        ...part,
      ])),
    );
  return found;
}

/** Id, version and dates of the organization's releases (all, or only these versions), for ordering. */
export async function releaseOrderRows(
  db: D1Database,
  organizationId: number,
  versions?: readonly string[],
): Promise<Pick<ReleaseRow, "id" | "version" | "dateAdded" | "dateReleased">[]> {
  const select =
    "SELECT id, version, date_added AS dateAdded, date_released AS dateReleased FROM releases WHERE organization_id = ?";
  if (!versions) return all(db, select, [organizationId]);
  const parts = await Promise.all(
    chunks([...new Set(versions)]).map((part) =>
      all<Pick<ReleaseRow, "id" | "version" | "dateAdded" | "dateReleased">>(
        db,
        `${select} AND version IN (${marks(part.length)})`,
        [organizationId, ...part],
      ),
    ),
  );
  return parts.flat();
}

/** The project's newest release (the `inNextRelease` target), or null when it has none. */
export async function newestReleaseFor(db: D1Database, projectId: number): Promise<string | null> {
  const row = await first<{ version: string }>(
    db,
    `SELECT r.version FROM releases r JOIN release_projects rp ON rp.release_id = r.id WHERE rp.project_id = ?
     ORDER BY coalesce(r.date_released, r.date_added) DESC, r.id DESC LIMIT 1`,
    [projectId],
  );
  return row?.version ?? null;
}

/** A page of the organization's releases, newest first; optionally matching text or of some projects. */
export function releasePage(
  db: D1Database,
  orgId: number,
  filter: { query: string | null; projectIds: readonly number[] },
  page: { limit: number; offset: number },
): Promise<ReleaseRow[]> {
  const where = ["organization_id = ?"];
  const params: SqlParam[] = [orgId];
  if (filter.query) {
    where.push("instr(lower(version), lower(?)) > 0");
    params.push(filter.query);
  }
  if (filter.projectIds.length > 0) {
    const ids = filter.projectIds.slice(0, 90);
    where.push(`id IN (SELECT release_id FROM release_projects WHERE project_id IN (${marks(ids.length)}))`);
    params.push(...ids);
  }
  return all<ReleaseRow>(
    db,
    `SELECT ${RELEASE_COLUMNS} FROM releases WHERE ${where.join(" AND ")}
     ORDER BY date_added DESC, id DESC LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
}

/** The newest other release of the organization with commits, added no later than this one. */
export function previousReleaseWithCommits(db: D1Database, release: ReleaseRow): Promise<ReleaseRow | null> {
  return first<ReleaseRow>(
    db,
    `SELECT ${RELEASE_COLUMNS} FROM releases WHERE organization_id = ? AND last_commit_id IS NOT NULL
       AND id <> ? AND date_added <= ? ORDER BY date_added DESC, id DESC LIMIT 1`,
    [release.organizationId, release.id, release.dateAdded],
  );
}

/** Inserts a release unless the version exists; answers the new row, or null when it existed. */
export function insertRelease(
  db: D1Database,
  organizationId: number,
  version: string,
  dateAdded: number,
  fields: ReleaseFields,
): Promise<ReleaseRow | null> {
  const entries = fieldEntries(fields);
  const columns = ["organization_id", "version", "date_added", ...entries.map(([c]) => c)];
  return first<ReleaseRow>(
    db,
    `INSERT INTO releases (${columns.join(", ")}) VALUES (${marks(columns.length)})
     ON CONFLICT DO NOTHING RETURNING ${RELEASE_COLUMNS}`,
    [organizationId, version, dateAdded, ...entries.map(([, v]) => v)],
  );
}

/** Sets fields of a release; answers the updated row (the given one when nothing changes). */
export async function updateRelease(
  db: D1Database,
  release: ReleaseRow,
  fields: ReleaseFields,
): Promise<ReleaseRow> {
  const entries = fieldEntries(fields);
  if (entries.length === 0) return release;
  const updated = await first<ReleaseRow>(
    db,
    `UPDATE releases SET ${entries.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ? RETURNING ${RELEASE_COLUMNS}`,
    [...entries.map(([, v]) => v), release.id],
  );
  return updated ?? release;
}

/** Links projects to a release; answers how many links are new. */
export async function linkReleaseProjects(
  db: D1Database,
  releaseId: number,
  projectIds: readonly number[],
): Promise<number> {
  let added = 0;
  for (const part of chunks(projectIds, 40)) {
    const rows = await all<{ release_id: number }>(
      db,
      `INSERT INTO release_projects (release_id, project_id) VALUES ${part.map(() => "(?, ?)").join(", ")}
       ON CONFLICT DO NOTHING RETURNING release_id`,
      part.flatMap((id) => [releaseId, id]),
    );
    added += rows.length;
  }
  return added;
}

/** Whether an issue of the release's projects was first seen in it (such a release stays). */
export async function releaseHasIssues(db: D1Database, release: ReleaseRow): Promise<boolean> {
  const linked = await all<{ project_id: number }>(
    db,
    "SELECT project_id FROM release_projects WHERE release_id = ?",
    [release.id],
  );
  const ids = linked.map((l) => l.project_id).slice(0, 90);
  if (ids.length === 0) return false;
  const row = await first<{ id: number }>(
    db,
    `SELECT id FROM issues WHERE project_id IN (${marks(ids.length)}) AND first_release = ? LIMIT 1`,
    [...ids, release.version],
  );
  return row !== null;
}

/** Deletes a release with its deploys, project links and event counts, in one transaction. */
export async function deleteRelease(db: D1Database, releaseId: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM deploys WHERE release_id = ?").bind(releaseId),
    db
      .prepare(
        `DELETE FROM release_event_stats WHERE version = (SELECT version FROM releases WHERE id = ?1)
         AND project_id IN (SELECT project_id FROM release_projects WHERE release_id = ?1)`,
      )
      .bind(releaseId),
    db.prepare("DELETE FROM release_projects WHERE release_id = ?").bind(releaseId),
    db.prepare("DELETE FROM releases WHERE id = ?").bind(releaseId),
  ]);
}

export function deployPage(
  db: D1Database,
  releaseId: number,
  page: { limit: number; offset: number },
): Promise<DeployRow[]> {
  return all<DeployRow>(
    db,
    `SELECT ${DEPLOY_COLUMNS} FROM deploys WHERE release_id = ? ORDER BY date_finished DESC, id DESC LIMIT ? OFFSET ?`,
    [releaseId, page.limit, page.offset],
  );
}

export async function insertDeploy(
  db: D1Database,
  releaseId: number,
  deploy: Omit<DeployRow, "id" | "releaseId">,
): Promise<DeployRow> {
  const row = await first<DeployRow>(
    db,
    `INSERT INTO deploys (release_id, environment, name, url, date_started, date_finished)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING ${DEPLOY_COLUMNS}`,
    [releaseId, deploy.environment, deploy.name, deploy.url, deploy.dateStarted, deploy.dateFinished],
  );
  if (!row) throw new Error("deploy insert returned no row");
  return row;
}
