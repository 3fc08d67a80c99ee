// How far a project's spool is written to D1 (`spool_marks`): the group commit that writes spooled
// envelopes also records the highest sequence number it carries, in the same D1 transaction, so the
// mark and the rows land together or not at all.

/** The statement a group commit adds: the mark only ever moves forward. */
export function spoolMarkStatement(
  db: D1Database,
  projectId: number,
  epoch: string,
  seq: number,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO spool_marks (project_id, epoch, seq) VALUES (?, ?, ?) ON CONFLICT (project_id, epoch) DO UPDATE SET seq = MAX(seq, excluded.seq)",
    )
    .bind(projectId, epoch, seq);
}

/** The highest spool sequence number D1 holds for this spool (0 when none was written). */
export async function readSpoolMark(db: D1Database, projectId: number, epoch: string): Promise<number> {
  const row = await db
    .prepare("SELECT seq FROM spool_marks WHERE project_id = ? AND epoch = ?")
    .bind(projectId, epoch)
    .first<{ seq: number }>();
  return row?.seq ?? 0;
}
