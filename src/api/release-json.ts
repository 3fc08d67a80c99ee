// Releases as Sentry's JSON: each release with its projects (and their new issues), deploy count, last
// deploy and first/last event, read in a few batched queries.

import { releasesWithHealth } from "../db/release-health-reads.ts";
import {
  deployCounts,
  deploysByIds,
  lastSeenByRelease,
  newIssuesByRelease,
  releaseProjectLinks,
} from "../db/release-reads.ts";
import type { ReleaseRow } from "../db/rows.ts";
import { chunks } from "../db/sql.ts";
import { MAX_QUERY_PERIOD_SECONDS } from "../limits.ts";
import { type HealthOptions, releaseHealthData } from "./release-health.ts";
import { serializeDeploy } from "./serializers/deploy.ts";
import {
  type ReleaseHealthView,
  type ReleaseProjectSummary,
  type ReleaseStats,
  serializeRelease,
} from "./serializers/release.ts";

/** Projects, new-issue counts, deploys and first/last event of each release. */
export async function releaseStats(
  db: D1Database,
  control: D1Database,
  rows: readonly ReleaseRow[],
): Promise<Map<number, ReleaseStats>> {
  const stats = new Map<number, ReleaseStats>();
  for (const row of rows) {
    stats.set(row.id, { projects: [], deployCount: 0, lastDeploy: null, firstEvent: null, lastEvent: null });
  }
  for (const batch of chunks(rows, 40)) {
    const ids = batch.map((r) => r.id);
    const versions = batch.map((r) => r.version);
    const linked = await releaseProjectLinks(db, control, ids);
    const projectIds = [...new Set(linked.map((l) => l.id))];
    const firstSeen = projectIds.length ? await newIssuesByRelease(db, projectIds, versions) : [];
    const lastSeen = projectIds.length ? await lastSeenByRelease(db, projectIds, versions) : [];
    const counts = await deployCounts(db, ids);
    const lastDeploys = await deploysByIds(
      db,
      counts.map((d) => d.lastId),
    );

    for (const release of batch) {
      const entry = stats.get(release.id);
      if (!entry) continue;
      const newGroups = firstSeen.filter((f) => f.version === release.version);
      entry.projects = linked
        .filter((l) => l.releaseId === release.id)
        .map(
          (p): ReleaseProjectSummary => ({
            id: p.id,
            slug: p.slug,
            name: p.name,
            platform: p.platform,
            newGroups: newGroups.find((f) => f.projectId === p.id)?.count ?? 0,
          }),
        );
      const firsts = newGroups.map((f) => f.first).filter((t): t is number => t !== null);
      entry.firstEvent = firsts.length ? Math.min(...firsts) : null;
      entry.lastEvent = lastSeen.find((l) => l.version === release.version)?.last ?? null;
      const deployCount = counts.find((d) => d.releaseId === release.id);
      entry.deployCount = deployCount?.count ?? 0;
      const last = lastDeploys.find((d) => d.id === deployCount?.lastId);
      entry.lastDeploy = last ? serializeDeploy(last) : null;
    }
  }
  return stats;
}

/**
 * Per release: which of its projects have sessions (Sentry's `hasHealthData`, over the retention
 * period), and their healthData when `options` asks for it (`health=1`).
 */
export async function releaseHealthViews(
  db: D1Database,
  rows: readonly ReleaseRow[],
  stats: ReadonlyMap<number, ReleaseStats>,
  options: HealthOptions | null,
): Promise<Map<number, ReleaseHealthView>> {
  const projectIds = [...new Set([...stats.values()].flatMap((s) => s.projects.map((p) => p.id)))];
  const versions = rows.map((r) => r.version);
  const now = Date.now() / 1000;
  const data = options ? await releaseHealthData(db, projectIds, versions, options, now) : null;
  const has = data
    ? null
    : await releasesWithHealth(db, {
        projectIds,
        start: now - MAX_QUERY_PERIOD_SECONDS,
        end: now + 3600,
        releases: versions,
        environments: [],
      });
  const views = new Map<number, ReleaseHealthView>();
  for (const row of rows) {
    const k = (projectId: number) => `${projectId}\u0000${row.version}`;
    views.set(row.id, {
      has: (projectId) =>
        data ? (data.get(k(projectId))?.hasHealthData ?? false) : (has?.has(k(projectId)) ?? false),
      data: (projectId) => data?.get(k(projectId)),
    });
  }
  return views;
}

/** The release as Sentry's JSON: `db` is the organization's shard, `control` the control plane. */
export async function releaseJson(
  db: D1Database,
  control: D1Database,
  release: ReleaseRow,
  health: HealthOptions | null = null,
) {
  const all = await releaseStats(db, control, [release]);
  const stats = all.get(release.id);
  if (!stats) throw new Error("release stats missing");
  const views = await releaseHealthViews(db, [release], all, health);
  return serializeRelease(release, stats, views.get(release.id));
}
