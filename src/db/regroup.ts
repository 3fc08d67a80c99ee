// The statements of a regroup (see src/project/regroup.ts): events move to their new issues, counters and
// user counts follow them, and an issue left without events merges into the issue its events went to.
import { insertIssue, type NewIssue } from "./ingest-writes.ts";
import { insertStoredEventTagValues } from "./issue-tag-values.ts";
import type { EventTableRow } from "./rows.ts";
import { all, marks } from "./sql.ts";

/** An existing issue, or the issue created in the same transaction for a hash. */
export type RegroupTarget = { id: number } | { hash: string };

/** What regroupStatements writes (src/project/regroup.ts's plan). */
export interface RegroupWrites {
  newIssues: NewIssue[];
  assignments: {
    move: {
      eventId: string;
      payload: string | null;
      payloadKey: string | null;
      payloadRef: string | null;
      grouping: { title: string };
    };
    event: { issueId: number | null; timestamp: number; userKey: string | null };
    target: RegroupTarget;
    changed: boolean;
  }[];
  hashMappings: { hash: string; target: RegroupTarget }[];
}

export type StoredEventRow = Pick<
  EventTableRow,
  "event_id" | "issue_id" | "timestamp" | "level" | "type" | "platform" | "release" | "user_key"
>;

/** The stored events (≤ 90 ids) a regroup moves. */
export function storedEventsOf(
  db: D1Database,
  projectId: number,
  eventIds: readonly string[],
): Promise<StoredEventRow[]> {
  return all<StoredEventRow>(
    db,
    `SELECT event_id, issue_id, timestamp, level, type, platform, release, user_key FROM events
     WHERE project_id = ? AND event_id IN (${marks(eventIds.length)})`,
    [projectId, ...eventIds],
  );
}

const sameTarget = (a: RegroupTarget, b: RegroupTarget) =>
  "id" in a ? "id" in b && a.id === b.id : "hash" in b && a.hash === b.hash;

function targetSql(projectId: number, target: RegroupTarget): { sql: string; params: (string | number)[] } {
  if ("id" in target) return { sql: "?", params: [target.id] };
  return {
    sql: "(SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?)",
    params: [projectId, target.hash],
  };
}

/** The plan as statements of one D1 batch (one transaction). */
export function regroupStatements(
  db: D1Database,
  projectId: number,
  plan: RegroupWrites,
): D1PreparedStatement[] {
  const s: D1PreparedStatement[] = [];
  for (const issue of plan.newIssues) s.push(...insertIssue(db, projectId, issue));
  for (const m of plan.hashMappings) {
    const ref = targetSql(projectId, m.target);
    s.push(
      db
        .prepare(`INSERT OR IGNORE INTO issue_hashes (project_id, hash, issue_id) VALUES (?, ?, ${ref.sql})`)
        .bind(projectId, m.hash, ...ref.params),
    );
  }
  // Counter changes of existing issues: what joins (+) and what leaves (−).
  const joined = new Map<number, { count: number; first: number; last: number }>();
  const left = new Map<number, number>();
  /** Source issue → the targets its events went to. */
  const destinations = new Map<number, RegroupTarget[]>();
  for (const { move, event, target, changed } of plan.assignments) {
    const ref = targetSql(projectId, target);
    s.push(
      db
        .prepare(
          // A row keeps its shape and its columns only beside its locator: a payload rewritten
          // elsewhere (late re-symbolication, no locator) comes with its whole projection.
          `UPDATE events SET issue_id = ${ref.sql}, title = ?, payload = ?, payload_key = ?,
             payload_ref = ?, shape_id = CASE WHEN ? IS NULL THEN NULL ELSE shape_id END,
             span_id = CASE WHEN ? IS NULL THEN NULL ELSE span_id END,
             error_value = CASE WHEN ? IS NULL THEN NULL ELSE error_value END
           WHERE project_id = ? AND event_id = ?`,
        )
        .bind(
          ...ref.params,
          move.grouping.title,
          move.payload,
          move.payloadKey,
          move.payloadRef,
          move.payloadRef,
          move.payloadRef,
          move.payloadRef,
          projectId,
          move.eventId,
        ),
    );
    if (!changed) continue;
    // The values the event brings to its new issue (those it leaves behind stay: a search may still
    // match the old issue by them, as its past events did).
    s.push(insertStoredEventTagValues(db, projectId, move.eventId));
    if ("id" in target) {
      const j = joined.get(target.id) ?? { count: 0, first: event.timestamp, last: event.timestamp };
      j.count += 1;
      j.first = Math.min(j.first, event.timestamp);
      j.last = Math.max(j.last, event.timestamp);
      joined.set(target.id, j);
    }
    if (event.userKey) {
      s.push(
        db
          .prepare(`INSERT OR IGNORE INTO issue_users (issue_id, user_key) VALUES (${ref.sql}, ?)`)
          .bind(...ref.params, event.userKey),
      );
    }
    if (event.issueId !== null) {
      left.set(event.issueId, (left.get(event.issueId) ?? 0) + 1);
      const list = destinations.get(event.issueId) ?? [];
      if (!list.some((t) => sameTarget(t, target))) list.push(target);
      destinations.set(event.issueId, list);
    }
  }
  const userCount = "user_count = (SELECT COUNT(*) FROM issue_users u WHERE u.issue_id = issues.id)";
  for (const [id, j] of joined) {
    s.push(
      db
        .prepare(
          `UPDATE issues SET times_seen = times_seen + ?, first_seen = MIN(first_seen, ?),
             last_seen = MAX(last_seen, ?), ${userCount} WHERE id = ?`,
        )
        .bind(j.count, j.first, j.last, id),
    );
  }
  for (const issue of plan.newIssues) {
    s.push(
      db
        .prepare(
          `UPDATE issues SET ${userCount} WHERE id = (SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?)`,
        )
        .bind(projectId, issue.primaryHash),
    );
  }
  for (const [id, count] of left) {
    // Users only the moved events had leave the source issue.
    s.push(
      db
        .prepare(
          `DELETE FROM issue_users WHERE issue_id = ? AND user_key NOT IN
             (SELECT user_key FROM events WHERE issue_id = ? AND user_key IS NOT NULL)`,
        )
        .bind(id, id),
      db
        .prepare(`UPDATE issues SET times_seen = MAX(times_seen - ?, 0), ${userCount} WHERE id = ?`)
        .bind(count, id),
    );
    // An emptied issue merges into the one issue its events went to: its hashes follow them.
    const targets = destinations.get(id) ?? [];
    const only = targets.length === 1 ? targets[0] : undefined;
    if (only) {
      const ref = targetSql(projectId, only);
      s.push(
        db
          .prepare(
            `UPDATE OR IGNORE issue_hashes SET issue_id = ${ref.sql}
             WHERE project_id = ? AND issue_id = ? AND NOT EXISTS (SELECT 1 FROM events WHERE issue_id = ?)`,
          )
          .bind(...ref.params, projectId, id, id),
      );
    }
    s.push(
      db
        .prepare("DELETE FROM issues WHERE id = ? AND NOT EXISTS (SELECT 1 FROM events WHERE issue_id = ?)")
        .bind(id, id),
    );
  }
  return s;
}

/** Writes a regroup plan as one D1 batch (one transaction). */
export async function writeRegroup(db: D1Database, projectId: number, plan: RegroupWrites): Promise<void> {
  const statements = regroupStatements(db, projectId, plan);
  if (statements.length > 0) await db.batch(statements);
}
