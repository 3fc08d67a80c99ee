// D1 statements the project's Durable Object runs to commit ingested items. Raw prepared statements
// rather than drizzle here because the commit needs one `batch()` (one transaction) with subqueries that
// refer to rows inserted earlier in the same batch, and the per-statement `meta.rows_written`.

import type {
  AttachmentRow,
  EventRow,
  FeedbackRow,
  OutcomeDelta,
  RawItemRow,
} from "../project/ingest-batch.ts";
import type {
  CheckIn,
  LogRecord,
  SessionAggregate,
  SessionUpdate,
  SpanRecord,
  UserReport,
} from "../protocol/items/index.ts";

/** Where an event's issue id comes from: known already, or created earlier in the same batch. */
export type IssueRef = { id: number } | { hash: string };

/** SQL expression and its bound values for an issue reference. */
function issueIdExpr(projectId: number, ref: IssueRef): { sql: string; params: (string | number)[] } {
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

export interface NewIssue {
  primaryHash: string;
  otherHashes: string[];
  type: string;
  title: string;
  culprit: string;
  level: string;
  platform: string;
  logger: string | null;
  metadata: string;
  firstSeen: number;
  lastSeen: number;
  timesSeen: number;
  firstRelease: string | null;
  lastRelease: string | null;
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

export interface IssueDelta {
  issue: IssueRef;
  count: number;
  lastSeen: number;
  level: string;
  /** Title, culprit and metadata (JSON) of the issue's latest event, which the issue shows. */
  shown?: { title: string; culprit: string; metadata: string };
  lastRelease: string | null;
  /** New status fields when events changed them (a regression), else null. */
  statusChange: { status: string; substatus: string | null; resolution: string | null } | null;
  countUsers: boolean;
}

export function updateIssueCounters(
  db: D1Database,
  projectId: number,
  delta: IssueDelta,
): D1PreparedStatement {
  const ref = issueIdExpr(projectId, delta.issue);
  const sets = [
    "times_seen = times_seen + ?",
    "last_seen = MAX(last_seen, ?)",
    "level = ?",
    "last_release = COALESCE(?, last_release)",
    "first_release = COALESCE(first_release, ?)",
  ];
  const params: (string | number | null)[] = [
    delta.count,
    delta.lastSeen,
    delta.level,
    delta.lastRelease,
    delta.lastRelease,
  ];
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
  return db
    .prepare(`UPDATE issues SET ${sets.join(", ")} WHERE id = ${ref.sql}`)
    .bind(...params, ...ref.params);
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
  return db
    .prepare(
      `INSERT ${ifExists === "ignore" ? "OR IGNORE " : ""}INTO events (project_id, event_id, issue_id, type, timestamp, received, level, platform,
         release, environment, user_key, title, message, transaction_name, trace_id, payload, payload_key)
       VALUES (?, ?, ${ref.sql}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      row.traceId,
      row.payload,
      row.payloadKey,
    );
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
      `INSERT INTO attachments (project_id, event_id, name, content_type, attachment_type, size, blob_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(projectId, eventId, row.name, row.contentType, row.attachmentType, row.size, row.blobKey, now);
}

/** A span id stored already keeps its row: accepted data is never replaced by another envelope. */
export function insertSpan(db: D1Database, projectId: number, span: SpanRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO spans (project_id, trace_id, span_id, parent_span_id, segment_id, event_id, is_segment,
         name, op, description, status, start_timestamp, end_timestamp, duration_ms, transaction_name, release,
         environment, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      span.traceId,
      span.spanId,
      span.parentSpanId ?? null,
      span.segmentId ?? null,
      span.eventId ?? null,
      span.isSegment ? 1 : 0,
      span.name,
      span.op ?? null,
      span.description ?? null,
      span.status ?? null,
      span.startTimestamp,
      span.endTimestamp,
      span.durationMs,
      span.transaction ?? null,
      span.release ?? null,
      span.environment ?? null,
      JSON.stringify(span.attributes),
    );
}

export function insertLog(db: D1Database, projectId: number, log: LogRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO logs (project_id, timestamp, trace_id, span_id, level, severity_number, body, release, environment,
         attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      log.timestamp,
      log.traceId ?? null,
      log.spanId ?? null,
      log.level,
      log.severityNumber ?? null,
      log.body,
      log.release ?? null,
      log.environment ?? null,
      JSON.stringify(log.attributes),
    );
}

export function insertSessionUpdate(
  db: D1Database,
  projectId: number,
  s: SessionUpdate,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO session_updates (project_id, sid, did, seq, timestamp, started, init, duration, status, errors,
         release, environment, ip_address, user_agent, abnormal_mechanism)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      s.sid,
      s.did ?? null,
      s.seq ?? null,
      s.timestamp,
      s.started,
      s.init ? 1 : 0,
      s.duration ?? null,
      s.status,
      s.errors,
      s.release,
      s.environment ?? null,
      s.ipAddress ?? null,
      s.userAgent ?? null,
      s.abnormalMechanism ?? null,
    );
}

export function insertSessionAggregate(
  db: D1Database,
  projectId: number,
  a: SessionAggregate,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO session_aggregates (project_id, started, did, exited, errored, abnormal, crashed, release, environment)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      a.started,
      a.did ?? null,
      a.exited,
      a.errored,
      a.abnormal,
      a.crashed,
      a.release,
      a.environment ?? null,
    );
}

export function insertCheckIn(db: D1Database, projectId: number, c: CheckIn): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO check_ins (project_id, check_in_id, monitor_slug, status, duration, environment, release,
         monitor_config, trace_id, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      c.checkInId,
      c.monitorSlug,
      c.status,
      c.duration ?? null,
      c.environment ?? null,
      c.release ?? null,
      c.monitorConfig ? JSON.stringify(c.monitorConfig) : null,
      c.traceId ?? null,
      c.timestamp,
    );
}

export function insertFeedback(db: D1Database, projectId: number, f: FeedbackRow): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO feedback (project_id, event_id, message, contact_email, name, url, associated_event_id,
         timestamp, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      projectId,
      f.eventId,
      f.message,
      f.contactEmail,
      f.name,
      f.url,
      f.associatedEventId,
      f.timestamp,
      f.payload,
    );
}

export function insertUserReport(
  db: D1Database,
  projectId: number,
  r: UserReport,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO user_reports (project_id, event_id, email, name, comments, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(projectId, r.eventId, r.email ?? null, r.name ?? null, r.comments, now);
}

export function insertRawItem(
  db: D1Database,
  projectId: number,
  item: RawItemRow,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO raw_items (project_id, event_id, type, size, blob_key, metadata, received) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(projectId, item.eventId, item.type, item.size, item.blobKey, JSON.stringify(item.metadata), now);
}

export function addOutcome(
  db: D1Database,
  projectId: number,
  hour: number,
  outcome: Pick<OutcomeDelta, "category" | "outcome" | "reason" | "quantity">,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO outcomes (project_id, hour, category, outcome, reason, quantity) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, hour, category, outcome, reason) DO UPDATE SET quantity = quantity + excluded.quantity`,
    )
    .bind(projectId, hour, outcome.category, outcome.outcome, outcome.reason, outcome.quantity);
}

export function recordDroppedEvent(
  db: D1Database,
  projectId: number,
  eventId: string,
  outcome: Pick<OutcomeDelta, "category" | "outcome" | "reason">,
  at: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO dropped_events (project_id, event_id, category, outcome, reason, at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .bind(projectId, eventId, outcome.category, outcome.outcome, outcome.reason, at);
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
