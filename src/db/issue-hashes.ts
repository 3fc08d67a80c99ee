// The grouping hashes an issue owns, and the statements that move them: merging issues (hashes, events,
// users and counters go to the parent) and unhooking hashes before an unmerge. Only the project's
// Durable Object runs the writes (it owns grouping state); the API reads.
import type { EventTableRow } from "./rows.ts";

const marks = (n: number) => Array.from({ length: n }, () => "?").join(",");

/** One page of an issue's hashes (sorted), `limit + 1` rows so the caller sees whether more follow. */
export async function issueHashesPage(
  db: D1Database,
  issueId: number,
  offset: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .prepare("SELECT hash FROM issue_hashes WHERE issue_id = ? ORDER BY hash LIMIT ? OFFSET ?")
    .bind(issueId, limit + 1, offset)
    .all<{ hash: string }>();
  return rows.results.map((r) => r.hash);
}

/** Which of `hashes` the issue owns. */
export async function ownedHashes(
  db: D1Database,
  projectId: number,
  issueId: number,
  hashes: readonly string[],
): Promise<{ owned: string[]; total: number }> {
  const [owned, total] = await db.batch([
    db
      .prepare(
        `SELECT hash FROM issue_hashes WHERE project_id = ? AND issue_id = ? AND hash IN (${marks(hashes.length)})`,
      )
      .bind(projectId, issueId, ...hashes),
    db.prepare("SELECT COUNT(*) AS n FROM issue_hashes WHERE issue_id = ?").bind(issueId),
  ]);
  return {
    owned: ((owned?.results ?? []) as { hash: string }[]).map((r) => r.hash),
    total: ((total?.results ?? []) as { n: number }[])[0]?.n ?? 0,
  };
}

export type IssueEventRow = Pick<
  EventTableRow,
  | "project_id"
  | "event_id"
  | "issue_id"
  | "type"
  | "timestamp"
  | "received"
  | "level"
  | "platform"
  | "release"
  | "environment"
  | "user_key"
  | "title"
  | "message"
  | "transaction_name"
  | "payload"
  | "payload_key"
  | "payload_ref"
>;

const EVENT_COLUMNS =
  "project_id, event_id, issue_id, type, timestamp, received, level, platform, release, environment, user_key, title, message, transaction_name, payload, payload_key, payload_ref";

/** An issue's events newest first, a page after the (timestamp, event id) cursor. */
export async function issueEventsAfter(
  db: D1Database,
  issueId: number,
  after: { timestamp: number; eventId: string } | null,
  limit: number,
): Promise<IssueEventRow[]> {
  const rows = after
    ? await db
        .prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE issue_id = ? AND (timestamp < ? OR (timestamp = ? AND event_id < ?))
           ORDER BY timestamp DESC, event_id DESC LIMIT ?`,
        )
        .bind(issueId, after.timestamp, after.timestamp, after.eventId, limit)
        .all<IssueEventRow>()
    : await db
        .prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE issue_id = ? ORDER BY timestamp DESC, event_id DESC LIMIT ?`,
        )
        .bind(issueId, limit)
        .all<IssueEventRow>();
  return rows.results;
}

/**
 * Merges `children` into `parent` as one transaction: hashes and events follow, users are united,
 * counters and first/last seen add up, and the emptied children are deleted.
 */
export async function mergeIssueRows(
  db: D1Database,
  projectId: number,
  parent: number,
  children: readonly number[],
): Promise<void> {
  const c = marks(children.length);
  await db.batch([
    db
      .prepare(`UPDATE issue_hashes SET issue_id = ? WHERE project_id = ? AND issue_id IN (${c})`)
      .bind(parent, projectId, ...children),
    db
      .prepare(`UPDATE events SET issue_id = ? WHERE project_id = ? AND issue_id IN (${c})`)
      .bind(parent, projectId, ...children),
    db
      .prepare(
        `INSERT OR IGNORE INTO issue_users (issue_id, user_key) SELECT ?, user_key FROM issue_users WHERE issue_id IN (${c})`,
      )
      .bind(parent, ...children),
    db
      .prepare(
        `INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
         SELECT ?, key, value FROM issue_tag_values WHERE issue_id IN (${c})`,
      )
      .bind(parent, ...children),
    db
      .prepare(
        `UPDATE issues SET
           times_seen = times_seen + (SELECT COALESCE(SUM(times_seen), 0) FROM issues WHERE project_id = ? AND id IN (${c})),
           first_seen = MIN(first_seen, (SELECT MIN(first_seen) FROM issues WHERE project_id = ? AND id IN (${c}))),
           last_seen = MAX(last_seen, (SELECT MAX(last_seen) FROM issues WHERE project_id = ? AND id IN (${c}))),
           user_count = (SELECT COUNT(*) FROM issue_users u WHERE u.issue_id = ?)
         WHERE id = ? AND project_id = ?`,
      )
      .bind(
        projectId,
        ...children,
        projectId,
        ...children,
        projectId,
        ...children,
        parent,
        parent,
        projectId,
      ),
    db.prepare(`DELETE FROM issues WHERE project_id = ? AND id IN (${c})`).bind(projectId, ...children),
  ]);
}

/** Removes the issue's ownership of `hashes`, so the events regrouped next can take them elsewhere. */
export async function unhookHashes(
  db: D1Database,
  projectId: number,
  issueId: number,
  hashes: readonly string[],
): Promise<void> {
  await db
    .prepare(
      `DELETE FROM issue_hashes WHERE project_id = ? AND issue_id = ? AND hash IN (${marks(hashes.length)})`,
    )
    .bind(projectId, issueId, ...hashes)
    .run();
}

/** What merging needs to pick the parent: each issue's project and event count. */
export async function issueCounts(
  db: D1Database,
  ids: readonly number[],
): Promise<{ id: number; project_id: number; times_seen: number }[]> {
  const out: { id: number; project_id: number; times_seen: number }[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    const part = ids.slice(i, i + 90);
    const rows = await db
      .prepare(`SELECT id, project_id, times_seen FROM issues WHERE id IN (${marks(part.length)})`)
      .bind(...part)
      .all<{ id: number; project_id: number; times_seen: number }>();
    out.push(...rows.results);
  }
  return out;
}
