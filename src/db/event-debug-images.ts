// Images an event's frames pointed into whose debug file was missing (`event_debug_images`), so the
// late-file job can find the events a newly uploaded file resolves. Only missing ones are stored (one
// row each), so an event whose frames all resolved costs no extra rows.
import { MAX_RECORDED_IMAGES } from "../limits.ts";
import { placeholders } from "./in-batches.ts";
import type { eventDebugImages } from "./schema.ts";

type EventRef = { event_id: string; timestamp: number };
type ImageRow = typeof eventDebugImages.$inferSelect;

/** The statement recording an event's images that had no debug file (run in the ingest commit). */
export function insertMissingImages(
  db: D1Database,
  projectId: number,
  event: EventRef,
  keys: readonly string[],
): D1PreparedStatement {
  const refs = keys.slice(0, MAX_RECORDED_IMAGES);
  return db
    .prepare(
      `INSERT OR REPLACE INTO event_debug_images (project_id, debug_id, event_id, timestamp, missing)
       VALUES ${refs.map(() => "(?, ?, ?, ?, 1)").join(", ")}`,
    )
    .bind(...refs.flatMap((key) => [projectId, key, event.event_id, event.timestamp]));
}

/** Records an event's still-missing images and removes those that resolved (after a late file). */
export async function recordImageReferences(
  db: D1Database,
  projectId: number,
  event: EventRef,
  missing: readonly string[],
  resolved: readonly string[],
): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  if (missing.length > 0) statements.push(insertMissingImages(db, projectId, event, missing));
  if (resolved.length > 0) {
    statements.push(
      db
        .prepare(
          `DELETE FROM event_debug_images WHERE project_id = ? AND event_id = ? AND debug_id IN (${placeholders(resolved)})`,
        )
        .bind(projectId, event.event_id, ...resolved),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}

/** Ids of events after `afterEventId` (in id order) that missed this image since `since` (seconds). */
export async function eventsMissingImage(
  db: D1Database,
  projectId: number,
  key: string,
  since: number,
  afterEventId: string,
  limit: number,
): Promise<ImageRow["eventId"][]> {
  const { results } = await db
    .prepare(
      `SELECT event_id FROM event_debug_images
       WHERE project_id = ? AND debug_id = ? AND missing = 1 AND timestamp >= ? AND event_id > ?
       ORDER BY event_id LIMIT ?`,
    )
    .bind(projectId, key, since, afterEventId, limit)
    .all<{ event_id: string }>();
  return results.map((r) => r.event_id);
}

/** Forgets the images of these events (events that were never stored: their references lead nowhere). */
export async function deleteImagesOfEvents(
  db: D1Database,
  projectId: number,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await db
    .prepare(
      `DELETE FROM event_debug_images WHERE project_id = ? AND event_id IN (${placeholders(eventIds)})`,
    )
    .bind(projectId, ...eventIds)
    .run();
}
