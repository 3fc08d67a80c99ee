// What an event receipt reads besides the event row: the drops recorded for an event id, the SDK's own
// reported discards of the last hours (client reports carry no ids), the issue's short id, and the
// rate-limit windows that say when a quota resets.
import { all, first } from "./sql.ts";

export interface DroppedEventRow {
  category: string;
  outcome: string;
  reason: string;
  at: number;
}

/** Every drop recorded for this id in the project, the latest first (a retry may be dropped again). */
export function droppedEventRows(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<DroppedEventRow[]> {
  return all<DroppedEventRow>(
    db,
    "SELECT category, outcome, reason, at FROM dropped_events WHERE project_id = ? AND event_id = ? ORDER BY at DESC LIMIT 10",
    [projectId, eventId],
  );
}

export interface ClientDiscardRow {
  category: string;
  reason: string;
  quantity: number;
}

/** The SDK-reported discards (`client_discard` outcomes) since `sinceHour` (unix seconds). */
export function clientDiscardsSince(
  db: D1Database,
  projectId: number,
  sinceHour: number,
): Promise<ClientDiscardRow[]> {
  return all<ClientDiscardRow>(
    db,
    `SELECT category, reason, SUM(quantity) AS quantity FROM outcomes
     WHERE project_id = ? AND outcome = 'client_discard' AND hour >= ?
     GROUP BY category, reason ORDER BY quantity DESC LIMIT 20`,
    [projectId, sinceHour],
  );
}

export async function issueShortId(db: D1Database, issueId: number): Promise<number | null> {
  const row = await first<{ short_id: number | null }>(db, "SELECT short_id FROM issues WHERE id = ?", [
    issueId,
  ]);
  return row?.short_id ?? null;
}

/** The longest rate-limit window (seconds) of the project itself and of its keys. */
export async function rateLimitWindows(
  db: D1Database,
  projectId: number,
): Promise<{ project: number | null; key: number | null }> {
  const row = await first<{ project: number | null; key: number | null }>(
    db,
    `SELECT (SELECT rate_limit_window FROM projects WHERE id = ?1 AND rate_limit_count > 0) AS project,
       (SELECT MAX(rate_limit_window) FROM project_keys WHERE project_id = ?1 AND rate_limit_count > 0) AS key`,
    [projectId],
  );
  return { project: row?.project ?? null, key: row?.key ?? null };
}
