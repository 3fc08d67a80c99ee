// The tag values each issue's events carried (`issue_tag_values`), which tag, release and environment
// searches probe instead of reading payloads. Rows are only ever added with INSERT OR IGNORE, so a value
// the issue already has costs an index probe and no write; they go with their issue (foreign key).
import type { IssueRef } from "./ingest-rows.ts";
import { issueIdExpr } from "./ingest-writes.ts";
import { tagsSql } from "./payload-shape-sql.ts";

/** Adds the (deduplicated) pairs to an issue of a group commit: one statement, the pairs as one JSON list. */
export function insertIssueTagValues(
  db: D1Database,
  projectId: number,
  issue: IssueRef,
  pairs: readonly (readonly [string, string])[],
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, issue);
  return db
    .prepare(
      `INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
       SELECT ${ref.sql}, json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]') FROM json_each(?) p`,
    )
    .bind(...ref.params, JSON.stringify(pairs));
}

/**
 * Adds a stored event's values to the issue it now belongs to (after regrouping moved it), read from its
 * row: the payload's tags, its release, environment and server name.
 */
export function insertStoredEventTagValues(
  db: D1Database,
  projectId: number,
  eventId: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO issue_tag_values (issue_id, key, value)
       SELECT e.issue_id, json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]')
       FROM events e, json_each(json_insert(COALESCE(${tagsSql("e")}, json_array()),
         '$[#]', json_array('release', e.release), '$[#]', json_array('environment', e.environment),
         '$[#]', json_array('server_name', json_extract(e.payload, '$.server_name')))) p
       WHERE e.project_id = ? AND e.event_id = ? AND e.issue_id IS NOT NULL
         AND json_extract(p.value, '$[0]') IS NOT NULL AND json_extract(p.value, '$[1]') IS NOT NULL`,
    )
    .bind(projectId, eventId);
}
