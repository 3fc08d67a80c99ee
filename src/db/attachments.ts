// Event attachments as the API reads and deletes them (rows are written at ingest by ingest-writes.ts).
// Every query is scoped by project: an attachment id alone never reaches another project's row.

export interface EventAttachmentRow {
  id: number;
  event_id: string;
  name: string;
  content_type: string;
  attachment_type: string;
  size: number;
  blob_key: string;
  sha1: string | null;
  created_at: number;
}

const COLUMNS = "id, event_id, name, content_type, attachment_type, size, blob_key, sha1, created_at";

/** One page of an event's attachments in upload order, `limit + 1` rows so the caller sees whether more follow. */
export async function listEventAttachments(
  db: D1Database,
  projectId: number,
  eventId: string,
  offset: number,
  limit: number,
): Promise<EventAttachmentRow[]> {
  const rows = await db
    .prepare(
      `SELECT ${COLUMNS} FROM attachments WHERE project_id = ? AND event_id = ? ORDER BY id LIMIT ? OFFSET ?`,
    )
    .bind(projectId, eventId, limit + 1, offset)
    .all<EventAttachmentRow>();
  return rows.results;
}

export function eventAttachment(
  db: D1Database,
  projectId: number,
  eventId: string,
  attachmentId: number,
): Promise<EventAttachmentRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM attachments WHERE project_id = ? AND event_id = ? AND id = ?`)
    .bind(projectId, eventId, attachmentId)
    .first<EventAttachmentRow>();
}

/**
 * Deletes the row, its size off the project's stored bytes in the same transaction; its R2 key when a
 * row was deleted (keys are per write, so no other row shares it).
 */
export async function deleteEventAttachment(
  db: D1Database,
  projectId: number,
  eventId: string,
  attachmentId: number,
): Promise<string | null> {
  const which = "project_id = ?1 AND event_id = ?2 AND id = ?3";
  const [, deleted] = await db.batch<{ blob_key: string }>([
    db
      .prepare(
        `UPDATE storage_usage SET bytes = MAX(bytes - COALESCE((SELECT size FROM attachments WHERE ${which}), 0), 0)
         WHERE project_id = ?1`,
      )
      .bind(projectId, eventId, attachmentId),
    db
      .prepare(`DELETE FROM attachments WHERE ${which} RETURNING blob_key`)
      .bind(projectId, eventId, attachmentId),
  ]);
  return deleted?.results[0]?.blob_key ?? null;
}

/** Whether the project holds the event (attachments of an unknown event are answered 404, as Sentry does). */
export async function eventExists(db: D1Database, projectId: number, eventId: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS found FROM events WHERE project_id = ? AND event_id = ?")
    .bind(projectId, eventId)
    .first<{ found: number }>();
  return row !== null;
}

/** The R2 key of an event's minidump (its first `event.minidump` attachment), or null. */
export async function eventMinidumpKey(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT blob_key FROM attachments WHERE project_id = ? AND event_id = ? AND attachment_type = 'event.minidump'
       ORDER BY id LIMIT 1`,
    )
    .bind(projectId, eventId)
    .first<{ blob_key: string }>();
  return row?.blob_key ?? null;
}
