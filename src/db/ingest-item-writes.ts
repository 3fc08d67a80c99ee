// D1 statements of a group commit for what an envelope carries besides its event: spans, logs,
// sessions, check-ins, feedback, user reports, raw items, outcome counters and dropped event ids. They
// run in the same `batch()` as ingest-writes.ts's statements.
import type {
  CheckIn,
  LogRecord,
  SessionAggregate,
  SessionUpdate,
  SpanRecord,
  UserReport,
} from "../protocol/items/index.ts";
import type { FeedbackRow, OutcomeDelta, RawItemRow } from "./ingest-rows.ts";

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

/** Adds `n` log records of `level` to the project's count for one LOG_VOLUME_SLOT_SECONDS slot. */
export function addLogVolume(
  db: D1Database,
  projectId: number,
  slot: number,
  level: string,
  n: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO log_volume (project_id, slot, level, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, slot, level) DO UPDATE SET n = n + excluded.n`,
    )
    .bind(projectId, slot, level, n);
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
  // One report per event, the first one, as the REST API keeps them: an SDK's resent envelope (after a
  // timeout or a lost answer) is not a second report.
  return db
    .prepare(
      `INSERT INTO user_reports (project_id, event_id, email, name, comments, created_at)
       SELECT ?, ?, ?, ?, ?, ?
       WHERE NOT EXISTS (SELECT 1 FROM user_reports WHERE project_id = ? AND event_id = ?)`,
    )
    .bind(projectId, r.eventId, r.email ?? null, r.name ?? null, r.comments, now, projectId, r.eventId);
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
