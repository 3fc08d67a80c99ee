// Deleting issues with everything stored for them, in steps small enough for D1: the hashes are
// unhooked first (new events then start a new issue), then events and their attachments in pages,
// then the issues' users, tag values, hashes and rows. The R2 bytes of each page are returned to the caller.
import { all, chunks, marks } from "./sql.ts";
import { EVENT_BYTES_SQL, subtractStoredBytesStatement } from "./storage-usage.ts";

/** Events deleted per round; their payload and attachment keys are returned for R2 deletion. */
const EVENTS_PER_ROUND = 500;
/** Events per attachment look-up: two parameters each. */
const EVENTS_PER_STATEMENT = 45;

/** Removes the issues' hashes so new events no longer join them. */
export async function unhookIssueHashes(db: D1Database, issueIds: readonly number[]): Promise<void> {
  for (const part of chunks(issueIds)) {
    await db
      .prepare(`DELETE FROM issue_hashes WHERE issue_id IN (${marks(part.length)})`)
      .bind(...part)
      .run();
  }
}

/**
 * Deletes up to EVENTS_PER_ROUND events of the issues (≤ 90 ids) with their attachment rows, their bytes
 * off the projects' stored-bytes counters in the same batch; answers the R2 keys of their payloads and
 * attachments, or null when no event was left.
 */
export async function deleteEventRound(
  db: D1Database,
  issueIds: readonly number[],
): Promise<string[] | null> {
  const events = await all<{
    project_id: number;
    event_id: string;
    payload_key: string | null;
    bytes: number;
  }>(
    db,
    `SELECT project_id, event_id, payload_key, ${EVENT_BYTES_SQL} AS bytes
     FROM events WHERE issue_id IN (${marks(issueIds.length)}) LIMIT ${EVENTS_PER_ROUND}`,
    issueIds,
  );
  if (events.length === 0) return null;
  const blobKeys = events.flatMap((e) => (e.payload_key ? [e.payload_key] : []));
  for (const group of chunks(events, EVENTS_PER_STATEMENT)) {
    const which = group.map(() => "(project_id = ? AND event_id = ?)").join(" OR ");
    const params = group.flatMap((e) => [e.project_id, e.event_id]);
    const attachments = await all<{ id: number; project_id: number; blob_key: string; size: number }>(
      db,
      `SELECT id, project_id, blob_key, size FROM attachments WHERE ${which}`,
      params,
    );
    blobKeys.push(...attachments.map((a) => a.blob_key));
    const freed = new Map<number, number>();
    const add = (projectId: number, bytes: number) =>
      freed.set(projectId, (freed.get(projectId) ?? 0) + bytes);
    for (const e of group) add(e.project_id, e.bytes);
    for (const a of attachments) add(a.project_id, a.size);
    const statements = [...freed].map(([projectId, bytes]) =>
      subtractStoredBytesStatement(db, projectId, bytes),
    );
    statements.push(
      ...chunks(attachments.map((a) => a.id)).map((ids) =>
        db.prepare(`DELETE FROM attachments WHERE id IN (${marks(ids.length)})`).bind(...ids),
      ),
    );
    statements.push(db.prepare(`DELETE FROM events WHERE ${which}`).bind(...params));
    await db.batch(statements);
  }
  return blobKeys;
}

/** Deletes the issues' rows (≤ 90 ids) with their users and any hash that joined meanwhile. */
export async function deleteIssueRows(db: D1Database, issueIds: readonly number[]): Promise<void> {
  const m = marks(issueIds.length);
  await db.batch([
    db.prepare(`DELETE FROM issue_users WHERE issue_id IN (${m})`).bind(...issueIds),
    db.prepare(`DELETE FROM issue_tag_values WHERE issue_id IN (${m})`).bind(...issueIds),
    db.prepare(`DELETE FROM issue_hashes WHERE issue_id IN (${m})`).bind(...issueIds),
    db.prepare(`DELETE FROM issues WHERE id IN (${m})`).bind(...issueIds),
  ]);
}
