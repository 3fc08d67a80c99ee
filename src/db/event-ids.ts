// An event by id among an organization's projects (each lookup is a primary-key probe per project).
import type { EventTableRow } from "./rows.ts";

export type OrgEventRow = Omit<EventTableRow, "trace_id"> & { project_slug: string };

export async function findEventInProjects(
  db: D1Database,
  projectIds: number[],
  eventId: string,
): Promise<OrgEventRow | null> {
  if (projectIds.length === 0) return null;
  return db
    .prepare(
      `SELECT ev.project_id, ev.event_id, ev.issue_id, ev.type, ev.timestamp, ev.received, ev.level, ev.platform,
         ev.release, ev.environment, ev.user_key, ev.title, ev.message, ev.transaction_name, ev.payload,
         ev.payload_key, ev.payload_ref, p.slug AS project_slug
       FROM events ev JOIN projects p ON p.id = ev.project_id
       WHERE ev.project_id IN (${projectIds.map((id) => Math.trunc(id)).join(",")}) AND ev.event_id = ?
       LIMIT 1`,
    )
    .bind(eventId)
    .first<OrgEventRow>();
}
