// Release figures: what a release's JSON shows besides its row (linked projects, new issues, last
// seen, deploys), and the web UI's release list and detail. Row lookups and writes are in releases.ts.

import { DEPLOY_COLUMNS } from "./releases.ts";
import type {
  DeployRow,
  IssueTableRow,
  ReleaseDeployRow,
  ReleaseDetail,
  ReleaseListRow,
  ReleaseProjectRow,
} from "./rows.ts";
import { all, first, marks, projectsRelation } from "./sql.ts";

/** The projects linked to each release: the links from the shard `db`, the projects from `control`. */
export async function releaseProjectLinks(
  db: D1Database,
  control: D1Database,
  releaseIds: readonly number[],
): Promise<(ReleaseProjectRow & { releaseId: number })[]> {
  const links = await all<{ releaseId: number; projectId: number }>(
    db,
    `SELECT release_id AS releaseId, project_id AS projectId FROM release_projects
     WHERE release_id IN (${marks(releaseIds.length)})`,
    releaseIds,
  );
  if (links.length === 0) return [];
  const projects = await all<ReleaseProjectRow>(
    control,
    "SELECT id, slug, name, platform FROM projects WHERE id IN (SELECT value FROM json_each(?))",
    [JSON.stringify([...new Set(links.map((l) => l.projectId))])],
  );
  const byId = new Map(projects.map((p) => [p.id, p]));
  return links.flatMap((l) => {
    const project = byId.get(l.projectId);
    return project ? [{ ...project, releaseId: l.releaseId }] : [];
  });
}

/** Issues first seen in each version, per project, with the earliest first-seen time. */
export function newIssuesByRelease(
  db: D1Database,
  projectIds: readonly number[],
  versions: readonly string[],
): Promise<{ projectId: number; version: string; count: number; first: number | null }[]> {
  return all(db, newIssuesByReleaseSql(projectIds.length, versions.length), [...projectIds, ...versions]);
}

/** newIssuesByRelease's statement: ranges of issues_project_first_release (migration 0037). */
export function newIssuesByReleaseSql(projects: number, versions: number): string {
  return `SELECT project_id AS projectId, first_release AS version, count(*) AS count, min(first_seen) AS first
     FROM issues WHERE project_id IN (${marks(projects)}) AND first_release IN (${marks(versions)})
     GROUP BY project_id, first_release`;
}

/** The newest event time seen with each version among these projects (release_event_stats, 0040). */
export function lastSeenByRelease(
  db: D1Database,
  projectIds: readonly number[],
  versions: readonly string[],
): Promise<{ version: string; last: number | null }[]> {
  return all(db, lastSeenByReleaseSql(projectIds.length, versions.length), [...projectIds, ...versions]);
}

export function lastSeenByReleaseSql(projects: number, versions: number): string {
  return `SELECT version, max(last_seen) AS last FROM release_event_stats
     WHERE project_id IN (${marks(projects)}) AND version IN (${marks(versions)})
     GROUP BY version`;
}

/** Deploy count and newest deploy id per release. */
export function deployCounts(
  db: D1Database,
  releaseIds: readonly number[],
): Promise<{ releaseId: number; count: number; lastId: number }[]> {
  return all(
    db,
    `SELECT release_id AS releaseId, count(*) AS count, max(id) AS lastId FROM deploys
     WHERE release_id IN (${marks(releaseIds.length)}) GROUP BY release_id`,
    releaseIds,
  );
}

export function deploysByIds(db: D1Database, ids: readonly number[]): Promise<DeployRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return all<DeployRow>(db, `SELECT ${DEPLOY_COLUMNS} FROM deploys WHERE id IN (${marks(ids.length)})`, ids);
}

/** A page of the organization's releases, newest released first, with new-issue and regression counts. */
export function releasesOf(
  db: D1Database,
  projects: readonly { id: number; slug: string }[],
  orgId: number,
  offset: number,
  limit: number,
): Promise<ReleaseListRow[]> {
  return all<ReleaseListRow>(db, releasesOfSql(projects), [orgId, limit, offset]);
}

/**
 * releasesOf's statement: per release, its new issues and regressions are ranges of
 * issues_project_first_release and issues_project_regressed_release (migration 0037) per linked project.
 */
export function releasesOfSql(projects: readonly { id: number; slug: string }[]): string {
  return `SELECT r.id, r.version, r.date_added, r.date_released,
       (SELECT COUNT(*) FROM issues i JOIN release_projects rp ON rp.project_id = i.project_id
          WHERE rp.release_id = r.id AND i.first_release = r.version) AS new_issues,
       (SELECT COUNT(*) FROM issues i JOIN release_projects rp ON rp.project_id = i.project_id
          WHERE rp.release_id = r.id AND i.substatus = 'regressed' AND i.last_release = r.version) AS regressions,
       (SELECT group_concat(p.slug, ' ') FROM release_projects rp JOIN ${projectsRelation(projects)} p ON p.id = rp.project_id
          WHERE rp.release_id = r.id) AS projects
     FROM releases r WHERE r.organization_id = ?
     ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT ? OFFSET ?`;
}

/**
 * Error events per release version among the organization's projects (release_event_stats, 0040):
 * null for a version some of whose rows the migration carried over uncounted, absent when none exist.
 */
export async function releaseEventCounts(
  db: D1Database,
  projectIds: number[],
  versions: string[],
): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  if (projectIds.length === 0 || versions.length === 0) return out;
  const rows = await all<{ version: string; n: number | null }>(
    db,
    `SELECT version, CASE WHEN count(events) = count(*) THEN sum(events) END AS n FROM release_event_stats
     WHERE project_id IN (${marks(projectIds.length)}) AND version IN (${marks(versions.length)}) GROUP BY version`,
    [...projectIds, ...versions],
  );
  for (const r of rows) out.set(r.version, r.n);
  return out;
}

/** A release with its newest deploys, the issues first or last seen in it, and its projects' slugs. */
export async function releaseDetail(
  db: D1Database,
  orgProjects: readonly { id: number; slug: string }[],
  orgId: number,
  version: string,
): Promise<{
  release: ReleaseDetail;
  deploys: ReleaseDeployRow[];
  issues: IssueTableRow[];
  projects: string[];
} | null> {
  const release = await first<ReleaseDetail>(
    db,
    `SELECT id, version, ref, url, date_added, date_started, date_released, commit_count FROM releases
     WHERE organization_id = ? AND version = ?`,
    [orgId, version],
  );
  if (!release) return null;
  const [deploys, issues, projects] = await db.batch([
    db
      .prepare(
        "SELECT environment, name, url, date_finished FROM deploys WHERE release_id = ? ORDER BY date_finished DESC LIMIT 50",
      )
      .bind(release.id),
    db
      .prepare(
        `SELECT i.* FROM issues i
         JOIN release_projects rp ON rp.project_id = i.project_id AND rp.release_id = ?
         WHERE i.first_release = ? OR i.last_release = ? ORDER BY i.last_seen DESC LIMIT 100`,
      )
      .bind(release.id, version, version),
    db
      .prepare(
        `SELECT p.slug FROM release_projects rp JOIN ${projectsRelation(orgProjects)} p ON p.id = rp.project_id
         WHERE rp.release_id = ? ORDER BY p.slug`,
      )
      .bind(release.id),
  ]);
  return {
    release,
    deploys: (deploys?.results ?? []) as ReleaseDeployRow[],
    issues: (issues?.results ?? []) as IssueTableRow[],
    projects: ((projects?.results ?? []) as { slug: string }[]).map((p) => p.slug),
  };
}
