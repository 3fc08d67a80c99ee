// The environments seen in projects: distinct `environment` of their events in a recent window. There
// is no environments table (one would cost a write on ingest); the scan reads only the projects' rows
// (events are keyed by project) and returns at most `limit` names.

export async function environmentNames(
  db: D1Database,
  projectIds: number[],
  since: number,
  limit: number,
): Promise<string[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .prepare(
      `SELECT environment FROM events
       WHERE project_id IN (${projectIds.map((id) => Math.trunc(id)).join(",")}) AND timestamp >= ?
         AND environment IS NOT NULL AND environment <> ''
       GROUP BY environment ORDER BY environment LIMIT ?`,
    )
    .bind(since, limit)
    .all<{ environment: string }>();
  return rows.results.map((r) => r.environment);
}
