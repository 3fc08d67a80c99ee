// D1 statements the project's Durable Object runs to commit ingested events, their issues and the
// releases they name (the other items' rows are in ingest-item-writes.ts). Raw prepared statements because the commit needs one
// `batch()` (one transaction) with subqueries that refer to rows inserted earlier in the same batch, and
// the per-statement `meta.rows_written`.

import { TRACE_ID_VALUE, traceIdBinds } from "./hex-ids.ts";
import type { AttachmentRow, EventRow, IssueDelta, IssueRef, NewIssue } from "./ingest-rows.ts";
import { ESCALATION_COUNT_SQL, escalationCountParams } from "./issue-escalation.ts";
import { shapeHash, spanIdAsBlobHex } from "./payload-shape.ts";

// Defined in ingest-rows.ts; re-exported for the regrouping code, which imports it from here.
export type { NewIssue } from "./ingest-rows.ts";

/** SQL expression and its bound values for an issue reference. */
export function issueIdExpr(projectId: number, ref: IssueRef): { sql: string; params: (string | number)[] } {
  if ("id" in ref) return { sql: "?", params: [ref.id] };
  return {
    sql: "(SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?)",
    params: [projectId, ref.hash],
  };
}

export function existingEventIds(db: D1Database, projectId: number, eventIds: string[]): D1PreparedStatement {
  const marks = eventIds.map(() => "?").join(",");
  return db
    .prepare(`SELECT event_id FROM events WHERE project_id = ? AND event_id IN (${marks})`)
    .bind(projectId, ...eventIds);
}

export function issuesByHash(db: D1Database, projectId: number, hashes: string[]): D1PreparedStatement {
  const marks = hashes.map(() => "?").join(",");
  return db
    .prepare(
      `SELECT h.hash AS hash, i.id AS id, i.status AS status, i.substatus AS substatus, i.resolution AS resolution
       FROM issue_hashes h JOIN issues i ON i.id = h.issue_id
       WHERE h.project_id = ? AND h.hash IN (${marks})`,
    )
    .bind(projectId, ...hashes);
}

export function insertIssue(db: D1Database, projectId: number, issue: NewIssue): D1PreparedStatement[] {
  const statements = [
    db
      .prepare(
        `INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, logger, metadata,
           status, substatus, first_seen, last_seen, times_seen, first_release, last_release)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'unresolved', 'new', ?, ?, ?, ?, ?)`,
      )
      .bind(
        projectId,
        issue.primaryHash,
        issue.type,
        issue.title,
        issue.culprit,
        issue.level,
        issue.platform,
        issue.logger,
        issue.metadata,
        issue.firstSeen,
        issue.lastSeen,
        issue.timesSeen,
        issue.firstRelease,
        issue.lastRelease,
      ),
    db
      .prepare("INSERT INTO issue_hashes (project_id, hash, issue_id) VALUES (?, ?, last_insert_rowid())")
      .bind(projectId, issue.primaryHash),
  ];
  for (const hash of issue.otherHashes)
    statements.push(mapHash(db, projectId, hash, { hash: issue.primaryHash }));
  return statements;
}

/** Adds a hash to an issue's set; a hash owned by another issue already keeps its owner. */
export function mapHash(
  db: D1Database,
  projectId: number,
  hash: string,
  issue: IssueRef,
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, issue);
  return db
    .prepare(`INSERT OR IGNORE INTO issue_hashes (project_id, hash, issue_id) VALUES (?, ?, ${ref.sql})`)
    .bind(projectId, hash, ...ref.params);
}

export function updateIssueCounters(
  db: D1Database,
  projectId: number,
  delta: IssueDelta,
  /** The commit's day (escalationDay). */
  day: number,
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, delta.issue);
  const sets = [
    "times_seen = times_seen + ?",
    "last_seen = MAX(last_seen, ?)",
    "level = ?",
    "last_release = COALESCE(?, last_release)",
  ];
  const params: (string | number | null)[] = [delta.count, delta.lastSeen, delta.level, delta.lastRelease];
  if (delta.shown) {
    sets.push("title = ?", "culprit = ?", "metadata = ?");
    params.push(delta.shown.title, delta.shown.culprit, delta.shown.metadata);
  }
  if (delta.statusChange) {
    sets.push("status = ?", "substatus = ?", "resolution = ?", "resolved_at = NULL");
    params.push(delta.statusChange.status, delta.statusChange.substatus, delta.statusChange.resolution);
  }
  if (delta.countUsers)
    sets.push("user_count = (SELECT COUNT(*) FROM issue_users u WHERE u.issue_id = issues.id)");
  // An issue archived until escalating counts its day's events in the same row (issue-escalation.ts).
  sets.push(`status_details = ${ESCALATION_COUNT_SQL}`);
  params.push(...escalationCountParams(day, delta.count));
  return db
    .prepare(`UPDATE issues SET ${sets.join(", ")} WHERE id = ${ref.sql}`)
    .bind(...params, ...ref.params);
}

/**
 * An issue's first release, for an issue created without one: its own statement, touching only an
 * issue whose first_release is still NULL, so the index on first_release (migration 0037) costs no
 * written row on the counter update every commit makes.
 */
export function setFirstRelease(
  db: D1Database,
  projectId: number,
  issue: IssueRef,
  release: string,
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, issue);
  return db
    .prepare(`UPDATE issues SET first_release = ? WHERE id = ${ref.sql} AND first_release IS NULL`)
    .bind(release, ...ref.params);
}

export function insertIssueUser(
  db: D1Database,
  projectId: number,
  issue: IssueRef,
  userKey: string,
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, issue);
  return db
    .prepare(`INSERT OR IGNORE INTO issue_users (issue_id, user_key) VALUES (${ref.sql}, ?)`)
    .bind(...ref.params, userKey);
}

/**
 * Inserts an event. `ifExists: "fail"` makes a stored duplicate abort the whole batch (the commit then
 * retries after looking duplicates up); "ignore" keeps the stored one.
 */
export function insertEvent(
  db: D1Database,
  projectId: number,
  row: EventRow,
  issue: IssueRef | null,
  ifExists: "ignore" | "fail" = "ignore",
): D1PreparedStatement {
  const ref = issue ? issueIdExpr(projectId, issue) : { sql: "NULL", params: [] };
  const shape = row.shape
    ? {
        sql: "(SELECT id FROM event_shapes WHERE project_id = ? AND hash = ?)",
        params: [projectId, shapeHash(row.shape)],
      }
    : { sql: "NULL", params: [] };
  return db
    .prepare(
      `INSERT ${ifExists === "ignore" ? "OR IGNORE " : ""}INTO events (project_id, event_id, issue_id, type, timestamp, received, level, platform,
         release, environment, user_key, title, message, transaction_name, trace_id, payload, payload_key, payload_ref,
         span_id, error_value, shape_id)
       VALUES (?, ?, ${ref.sql}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${TRACE_ID_VALUE}, ?, ?, ?, COALESCE(unhex(?), ?), ?, ${shape.sql})`,
    )
    .bind(
      projectId,
      row.eventId,
      ...ref.params,
      row.type,
      row.timestamp,
      row.received,
      row.level,
      row.platform,
      row.release,
      row.environment,
      row.userKey,
      row.title,
      row.message,
      row.transactionName,
      // A hex trace id as its 16 bytes, any other as its text.
      ...traceIdBinds(row.traceId),
      row.payload,
      row.payloadKey,
      row.payloadRef ?? null,
      // A hex span id as its 8 bytes, any other as its text.
      spanIdAsBlobHex(row.spanId),
      spanIdAsBlobHex(row.spanId) === null ? (row.spanId ?? null) : null,
      row.errorValue ?? null,
      ...shape.params,
    );
}

/** The day a shape was last used, as event_shapes.last_used keeps it (migration 0035). */
export const shapeDay = (unixSeconds: number): number => Math.floor(unixSeconds / 86_400);

/**
 * Stores an event shape once per project, for the events of the same batch that name it (insertEvent),
 * and marks it used on `day` (retention keeps it while unexpired events may name it). A shape stored
 * already and used that day writes nothing: the bump costs one row per shape per day.
 */
export function insertEventShape(
  db: D1Database,
  projectId: number,
  shape: string,
  day: number = shapeDay(Date.now() / 1000),
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO event_shapes (project_id, hash, shape, last_used) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, hash) DO UPDATE SET last_used = excluded.last_used
       WHERE event_shapes.last_used < excluded.last_used`,
    )
    .bind(projectId, shapeHash(shape), shape, day);
}

/**
 * Adds a shape's bytes (its text as UTF-8) to the project's stored-bytes counter when the project does
 * not hold it yet; before insertEventShape in the same batch, so a shape is counted once, when created.
 */
export function countNewShapeStatement(
  db: D1Database,
  organizationId: number,
  projectId: number,
  shape: string,
  bytes: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO storage_usage (project_id, organization_id, bytes)
       SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM event_shapes WHERE project_id = ? AND hash = ?)
       ON CONFLICT (project_id) DO UPDATE SET bytes = bytes + excluded.bytes`,
    )
    .bind(projectId, organizationId, bytes, projectId, shapeHash(shape));
}

export function insertAttachment(
  db: D1Database,
  projectId: number,
  eventId: string,
  row: AttachmentRow,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO attachments (project_id, event_id, name, content_type, attachment_type, size, blob_key, sha1, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      eventId,
      row.name,
      row.contentType,
      row.attachmentType,
      row.size,
      row.blobKey,
      row.sha1,
      now,
    );
}

/**
 * A commit's error events of one release: counted onto the release's row and its newest event time
 * raised, one statement per release the commit names (migration 0040).
 */
export function addReleaseEvents(
  db: D1Database,
  projectId: number,
  version: string,
  events: number,
  lastSeen: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO release_event_stats (project_id, version, events, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, version) DO UPDATE
       SET events = events + excluded.events, last_seen = MAX(last_seen, excluded.last_seen)`,
    )
    .bind(projectId, version, events, lastSeen);
}

/**
 * Statements that record a release seen on an event (Sentry creates the release and links the
 * project on first sight), for the ingest commit to run in its own batch. Idempotent.
 */
export function releaseSeenStatements(
  db: D1Database,
  organizationId: number,
  projectId: number,
  version: string,
  nowSeconds: number,
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        "INSERT INTO releases (organization_id, version, date_added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .bind(organizationId, version, nowSeconds),
    db
      .prepare(
        `INSERT INTO release_projects (release_id, project_id)
         SELECT id, ? FROM releases WHERE organization_id = ? AND version = ? ON CONFLICT DO NOTHING`,
      )
      .bind(projectId, organizationId, version),
  ];
}
