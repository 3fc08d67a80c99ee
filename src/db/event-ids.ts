// An event by id among an organization's projects (each lookup is a primary-key probe per project).
import type { EventTableRow } from "./rows.ts";

export type OrgEventRow = Omit<EventTableRow, "trace_id"> & { project_slug: string };

/** The event among `projects` (ids and slugs from the control plane) on the organization's shard `db`. */
export async function findEventInProjects(
  db: D1Database,
  projects: readonly { id: number; slug: string }[],
  eventId: string,
): Promise<OrgEventRow | null> {
  if (projects.length === 0) return null;
  const row = await db
    .prepare(
      `SELECT ev.project_id, ev.event_id, ev.issue_id, ev.type, ev.timestamp, ev.received, ev.level, ev.platform,
         ev.release, ev.environment, ev.user_key, ev.title, ev.message, ev.transaction_name, ev.payload,
         ev.payload_key, ev.payload_ref
       FROM events ev
       WHERE ev.project_id IN (${projects.map((p) => Math.trunc(p.id)).join(",")}) AND ev.event_id = ?
       LIMIT 1`,
    )
    .bind(eventId)
    .first<Omit<OrgEventRow, "project_slug">>();
  const project = row ? projects.find((p) => p.id === row.project_id) : undefined;
  return row && project ? { ...row, project_slug: project.slug } : null;
}
