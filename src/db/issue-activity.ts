// An issue's activity (migration 0041): notes, the changes made through the API and the regressions a
// group commit finds, on the issue's event shard. The users they name live in the control plane; the
// API joins them.
import { all, first, marks } from "./sql.ts";

export interface ActivityRow {
  id: number;
  issue_id: number;
  type: string;
  user_id: number | null;
  data: string;
  created_at: number;
}

const COLUMNS = "id, issue_id, type, user_id, data, created_at";

/** Records one activity on each issue, in one statement; answers the rows written. */
export async function addActivity(
  db: D1Database,
  issueIds: readonly number[],
  entry: { type: string; userId: number | null; data: object },
  now: number,
): Promise<ActivityRow[]> {
  if (issueIds.length === 0) return [];
  return all<ActivityRow>(
    db,
    `INSERT INTO issue_activity (issue_id, type, user_id, data, created_at)
     SELECT value, ?, ?, ?, ? FROM json_each(?) RETURNING ${COLUMNS}`,
    [entry.type, entry.userId, JSON.stringify(entry.data), now, JSON.stringify(issueIds)],
  );
}

/**
 * The statement of a group commit that records an issue's regression, as Sentry's `set_regression`:
 * by no user, naming the event and its release (`version`, empty without one).
 */
export function regressionActivity(
  db: D1Database,
  issueId: number,
  regression: { eventId: string; release: string | null },
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO issue_activity (issue_id, type, user_id, data, created_at) VALUES (?, 'set_regression', NULL, ?, ?)",
    )
    .bind(issueId, JSON.stringify({ event_id: regression.eventId, version: regression.release ?? "" }), now);
}

/** An issue's activity newest first, of some types or all. */
export function issueActivity(
  db: D1Database,
  issueId: number,
  types: readonly string[] | null,
  page: { limit: number; offset: number },
): Promise<ActivityRow[]> {
  const only = types ? ` AND type IN (${marks(types.length)})` : "";
  return all<ActivityRow>(
    db,
    `SELECT ${COLUMNS} FROM issue_activity WHERE issue_id = ?${only}
     ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
    [issueId, ...(types ?? []), page.limit, page.offset],
  );
}

/** Deletes a note of the issue written by `userId`; answers whether there was one. */
export async function deleteNote(
  db: D1Database,
  issueId: number,
  noteId: number,
  userId: number,
): Promise<boolean> {
  const row = await first<{ id: number }>(
    db,
    "DELETE FROM issue_activity WHERE id = ? AND issue_id = ? AND type = 'note' AND user_id = ? RETURNING id",
    [noteId, issueId, userId],
  );
  return row !== null;
}
