// Snoozed issues a group commit's events wake. Sentry's ignore "until N more events, N more users or
// a time" reads back as unresolved once its condition passes (effectiveStatusSql); the commit whose
// events passed it also makes the row unresolved, as Sentry does, records `set_unresolved` by no user,
// and reads back which issues it woke (the ReappearedEventCondition fires for them). An issue archived
// until escalating wakes the same way once its day's events pass its ceiling (issue-escalation.ts),
// as unresolved / escalating with `set_escalating`. An issue archived forever never wakes.
import { ESCALATED_SQL } from "./issue-escalation.ts";
import { effectiveStatusSql } from "./issue-search.ts";

/** Whether the woken issue (alias `i`) escalated rather than ended a snooze. */
const ESCALATING = "json_extract(i.status_details, '$.escalatingCeiling') IS NOT NULL";

/** The statements, to run after the commit's counter updates; the last one answers the woken ids. */
export function wakeSnoozedStatements(
  db: D1Database,
  issueIds: readonly number[],
  now: number,
): D1PreparedStatement[] {
  if (issueIds.length === 0) return [];
  const woken = `SELECT i.id, ${ESCALATING} AS escalating FROM issues i
    WHERE i.id IN (SELECT value FROM json_each(?)) AND i.status = 'ignored'
      AND (${effectiveStatusSql(now)} = 'unresolved' OR ${ESCALATED_SQL})`;
  const ids = JSON.stringify(issueIds);
  return [
    db
      .prepare(
        `INSERT INTO issue_activity (issue_id, type, user_id, data, created_at)
         SELECT id, CASE WHEN escalating THEN 'set_escalating' ELSE 'set_unresolved' END, NULL, '{}', ?
         FROM (${woken})`,
      )
      .bind(now, ids),
    db
      .prepare(
        `UPDATE issues SET status = 'unresolved',
           substatus = CASE WHEN json_extract(status_details, '$.escalatingCeiling') IS NOT NULL
             THEN 'escalating' ELSE 'ongoing' END,
           status_details = NULL
         WHERE id IN (SELECT id FROM (${woken})) RETURNING id`,
      )
      .bind(ids),
  ];
}

/**
 * The issues of `issueIds` that the commit stamped `now` woke, read from the activity it wrote: what a
 * commit whose answer was lost (it landed all the same) woke.
 */
export async function wokenAt(db: D1Database, issueIds: readonly number[], now: number): Promise<number[]> {
  if (issueIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT issue_id AS id FROM issue_activity WHERE issue_id IN (SELECT value FROM json_each(?))
       AND type IN ('set_unresolved', 'set_escalating') AND user_id IS NULL AND created_at = ?`,
    )
    .bind(JSON.stringify(issueIds), now)
    .all<{ id: number }>();
  return results.map((r) => r.id);
}
