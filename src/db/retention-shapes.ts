// The retention sweep's deletion of event shapes (migration 0035) no unexpired event names: a shape
// keeps the last day a group commit stored an event naming it (`last_used`), so the shapes unused since
// before a day bound are found by event_shapes_project_last_used, without an index entry per event.
// Their bytes leave the project's stored-bytes counter in the same batch. The caller holds the commit
// lock: no commit bumps a shape between the read and the delete.
import { all, marks } from "./sql.ts";
import { subtractStoredBytesStatement } from "./storage-usage.ts";

/** Shapes one round deletes at most (D1 binds at most 100 parameters a statement). */
export const SHAPES_PER_ROUND = 90;

/** The SQL reading a round's unused shapes of a project, in event_shapes_project_last_used order. */
export const UNUSED_SHAPES_SQL = `SELECT id, length(CAST(shape AS BLOB)) AS bytes FROM event_shapes
  WHERE project_id = ? AND last_used < ? ORDER BY last_used, id LIMIT ?`;

/**
 * Deletes up to `limit` of the project's shapes last used before `beforeDay` (unix seconds / 86400),
 * with their bytes; the rows and bytes freed (0 rows: none left).
 */
export async function deleteUnusedShapes(
  db: D1Database,
  projectId: number,
  beforeDay: number,
  limit: number,
): Promise<{ rows: number; bytes: number }> {
  const shapes = await all<{ id: number; bytes: number }>(db, UNUSED_SHAPES_SQL, [
    projectId,
    beforeDay,
    limit,
  ]);
  if (shapes.length === 0) return { rows: 0, bytes: 0 };
  const bytes = shapes.reduce((n, s) => n + s.bytes, 0);
  const ids = shapes.map((s) => s.id);
  const results = await db.batch([
    subtractStoredBytesStatement(db, projectId, bytes),
    // last_used is read again: only what the round read as unused goes.
    db
      .prepare(
        `DELETE FROM event_shapes WHERE project_id = ? AND last_used < ? AND id IN (${marks(ids.length)})`,
      )
      .bind(projectId, beforeDay, ...ids),
  ]);
  return { rows: results[1]?.meta.changes ?? 0, bytes };
}
