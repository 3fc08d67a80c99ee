// Sentry's "archive until escalating": an archived issue comes back, as unresolved / escalating, on the
// day its events pass a ceiling forecast from its recent volume. Sentry forecasts from the last week's
// hourly counts; Faultline's forecast is simpler and fixed when the issue is archived: twice the
// issue's busiest day of the 7 days before (ESCALATION_MIN_CEILING at least, the floor of an issue
// with little history). The day's count lives in the issue's `status_details` beside the ceiling, kept
// by the group commit's counter update of the same row (updateIssueCounters), so counting costs no row
// written; the commit's wake (issue-snooze.ts) compares the two.
import { ESCALATION_MIN_CEILING } from "../limits.ts";
import { chunks, marks } from "./sql.ts";

const DAY = 86_400;

/** The day number (unix days) a commit at `now` counts into. */
export const escalationDay = (now: number): number => Math.floor(now / DAY);

/** `status_details` after a commit adds `count` events on `day` (SQL over the issues row). */
export const ESCALATION_COUNT_SQL = `CASE
  WHEN json_extract(status_details, '$.escalatingCeiling') IS NULL THEN status_details
  WHEN json_extract(status_details, '$.escalatingDay') = ? THEN
    json_set(status_details, '$.escalatingCount', json_extract(status_details, '$.escalatingCount') + ?)
  ELSE json_set(status_details, '$.escalatingDay', ?, '$.escalatingCount', ?) END`;

/** The parameters of ESCALATION_COUNT_SQL. */
export const escalationCountParams = (day: number, count: number): number[] => [day, count, day, count];

/** Whether an issue's row (alias `i`) has passed its ceiling today (after the commit's counting). */
export const ESCALATED_SQL = `COALESCE(json_extract(i.status_details, '$.escalatingCount')
  > json_extract(i.status_details, '$.escalatingCeiling'), 0)`;

/**
 * Archives issues until they escalate: their ceiling from the 7 days before today, and today's count
 * so far (the events before the archive count towards the day, as Sentry counts the whole day).
 */
export async function archiveUntilEscalating(
  db: D1Database,
  ids: readonly number[],
  now: number,
): Promise<void> {
  const today = escalationDay(now) * DAY;
  const dailyMax = `(SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM events e
      WHERE e.issue_id = issues.id AND e.timestamp >= ? AND e.timestamp < ?
      GROUP BY CAST(e.timestamp / ${DAY} AS INTEGER)))`;
  const todayCount = "(SELECT COUNT(*) FROM events e WHERE e.issue_id = issues.id AND e.timestamp >= ?)";
  for (const part of chunks(ids, 80)) {
    await db
      .prepare(
        `UPDATE issues SET substatus = 'archived_until_escalating', status_details = json_object(
           'escalatingCeiling', MAX(?, 2 * COALESCE(${dailyMax}, 0)),
           'escalatingDay', ?, 'escalatingCount', ${todayCount})
         WHERE id IN (${marks(part.length)})`,
      )
      .bind(ESCALATION_MIN_CEILING, today - 7 * DAY, today, escalationDay(now), today, ...part)
      .run();
  }
}
