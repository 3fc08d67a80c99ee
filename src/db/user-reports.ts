// User reports (Sentry's UserReport: name, email and comments about an event) of one project.

export interface UserReportRow {
  id: number;
  event_id: string;
  email: string | null;
  name: string | null;
  comments: string;
  created_at: number;
  /** The issue of the reported event, when that event is stored. */
  issue_id: number | null;
}

const SELECT = `SELECT ur.id, ur.event_id, ur.email, ur.name, ur.comments, ur.created_at, ev.issue_id
  FROM user_reports ur LEFT JOIN events ev ON ev.project_id = ur.project_id AND ev.event_id = ur.event_id`;

export async function listUserReports(
  db: D1Database,
  projectId: number,
  limit: number,
  offset: number,
): Promise<UserReportRow[]> {
  return (
    await db
      .prepare(`${SELECT} WHERE ur.project_id = ? ORDER BY ur.created_at DESC, ur.id DESC LIMIT ? OFFSET ?`)
      .bind(projectId, limit, offset)
      .all<UserReportRow>()
  ).results;
}

/** The reports on an issue's events, newest first (reports are rare: the project's are walked). */
export async function issueUserReports(
  db: D1Database,
  issue: { id: number; projectId: number },
  limit: number,
  offset: number,
): Promise<UserReportRow[]> {
  return (
    await db
      .prepare(
        `${SELECT} WHERE ur.project_id = ? AND ev.issue_id = ? ORDER BY ur.created_at DESC, ur.id DESC LIMIT ? OFFSET ?`,
      )
      .bind(issue.projectId, issue.id, limit, offset)
      .all<UserReportRow>()
  ).results;
}

/** How many reports an issue's events have. */
export async function issueUserReportCount(
  db: D1Database,
  issue: { id: number; projectId: number },
): Promise<number> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS n FROM user_reports ur
       JOIN events ev ON ev.project_id = ur.project_id AND ev.event_id = ur.event_id
       WHERE ur.project_id = ? AND ev.issue_id = ?`,
    )
    .bind(issue.projectId, issue.id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function userReportForEvent(
  db: D1Database,
  projectId: number,
  eventId: string,
): Promise<UserReportRow | null> {
  return db
    .prepare(`${SELECT} WHERE ur.project_id = ? AND ur.event_id = ? ORDER BY ur.id LIMIT 1`)
    .bind(projectId, eventId)
    .first<UserReportRow>();
}

/** Stores a report unless the event already has one (one statement, so concurrent retries store one). */
export async function insertUserReportOnce(
  db: D1Database,
  projectId: number,
  report: { eventId: string; name: string | null; email: string | null; comments: string },
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO user_reports (project_id, event_id, email, name, comments, created_at)
       SELECT ?, ?, ?, ?, ?, ?
       WHERE NOT EXISTS (SELECT 1 FROM user_reports WHERE project_id = ? AND event_id = ?)`,
    )
    .bind(
      projectId,
      report.eventId,
      report.email,
      report.name,
      report.comments,
      now,
      projectId,
      report.eventId,
    )
    .run();
  return (result.meta.changes ?? 0) > 0;
}
