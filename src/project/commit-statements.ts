// Turns a planned group commit into the D1 statements that write it, in the order the batch needs:
// issues and their hashes before the events that refer to them by hash, counters after their users.

import { insertMissingImages } from "../db/event-debug-images.ts";
import * as items from "../db/ingest-item-writes.ts";
import type { EventRow } from "../db/ingest-rows.ts";
import * as writes from "../db/ingest-writes.ts";
import { regressionActivity } from "../db/issue-activity.ts";
import { escalationDay } from "../db/issue-escalation.ts";
import { insertIssueTagValues } from "../db/issue-tag-values.ts";
import { LOG_VOLUME_SLOT_SECONDS } from "../limits.ts";
import type { AdmittedBatch, CommitPlan } from "./commit-plan.ts";
import { utf8Length } from "./stored-bytes.ts";

export function commitStatements(
  db: D1Database,
  projectId: number,
  admitted: AdmittedBatch[],
  plan: CommitPlan,
  ifExists: "ignore" | "fail",
  /** Rows as D1 stores them when their payloads went to a segment (payload-segments.ts). */
  stored: ReadonlyMap<EventRow, EventRow> = new Map(),
): D1PreparedStatement[] {
  const now = Date.now() / 1000;
  const s: D1PreparedStatement[] = [];
  for (const issue of plan.newIssues) s.push(...writes.insertIssue(db, projectId, issue));
  for (const m of plan.hashMappings) s.push(writes.mapHash(db, projectId, m.hash, m.issue));
  // Each shape the commit's rows name once, before the rows that refer to it.
  // A shape the project does not hold yet is counted in its stored bytes as it is created.
  const shapes = new Set<string>();
  for (const row of stored.values()) if (row.shape) shapes.add(row.shape);
  const organizationId = admitted[0]?.batch.key.organizationId ?? 0;
  const day = writes.shapeDay(now);
  for (const shape of shapes) {
    s.push(writes.countNewShapeStatement(db, organizationId, projectId, shape, utf8Length(shape)));
    s.push(writes.insertEventShape(db, projectId, shape, day));
  }
  for (const { event, issue } of plan.errorEvents) {
    s.push(writes.insertEvent(db, projectId, stored.get(event.row) ?? event.row, issue, ifExists));
    if (event.missingImages.length > 0) {
      const ref = { event_id: event.row.eventId, timestamp: event.row.timestamp };
      s.push(insertMissingImages(db, projectId, ref, event.missingImages));
    }
    for (const a of event.attachments)
      s.push(writes.insertAttachment(db, projectId, event.row.eventId, a, now));
  }
  for (const r of releaseEvents(plan)) s.push(writes.addReleaseEvents(db, projectId, r.version, r.n, r.last));
  for (const u of plan.issueUsers) s.push(writes.insertIssueUser(db, projectId, u.issue, u.userKey));
  for (const t of plan.issueTagValues) s.push(insertIssueTagValues(db, projectId, t.issue, t.pairs));
  for (const d of plan.issueDeltas) {
    s.push(writes.updateIssueCounters(db, projectId, d, escalationDay(now)));
    if (d.lastRelease) s.push(writes.setFirstRelease(db, projectId, d.issue, d.lastRelease));
    if (d.regression && "id" in d.issue) s.push(regressionActivity(db, d.issue.id, d.regression, now));
  }
  for (const tx of plan.transactions) {
    if (!tx) continue;
    s.push(writes.insertEvent(db, projectId, stored.get(tx.row) ?? tx.row, null, ifExists));
    for (const span of tx.spans) s.push(items.insertSpan(db, projectId, span));
  }
  for (const { batch } of admitted) {
    if (batch.looseAttachments) {
      for (const a of batch.looseAttachments.rows) {
        s.push(writes.insertAttachment(db, projectId, batch.looseAttachments.eventId, a, now));
      }
    }
    for (const span of batch.spans) s.push(items.insertSpan(db, projectId, span));
    for (const log of batch.logs) s.push(items.insertLog(db, projectId, log));
    for (const u of batch.sessionUpdates) s.push(items.insertSessionUpdate(db, projectId, u));
    for (const a of batch.sessionAggregates) s.push(items.insertSessionAggregate(db, projectId, a));
    for (const c of batch.checkIns) s.push(items.insertCheckIn(db, projectId, c));
    for (const f of batch.feedback) s.push(items.insertFeedback(db, projectId, f));
    for (const r of batch.userReports) s.push(items.insertUserReport(db, projectId, r, now));
    for (const r of batch.rawItems) s.push(items.insertRawItem(db, projectId, r, now));
  }
  for (const v of logVolumes(admitted)) s.push(items.addLogVolume(db, projectId, v.slot, v.level, v.n));
  const hour = Math.floor(now / 3600) * 3600;
  for (const o of plan.outcomes) s.push(items.addOutcome(db, projectId, hour, o));
  for (const d of plan.droppedEvents) s.push(items.recordDroppedEvent(db, projectId, d.eventId, d, now));
  return s;
}

/** The commit's error events counted per release, with the newest event time of each. */
export function releaseEvents(
  plan: Pick<CommitPlan, "errorEvents">,
): { version: string; n: number; last: number }[] {
  const out = new Map<string, { version: string; n: number; last: number }>();
  for (const { event } of plan.errorEvents) {
    const version = event.row.release;
    if (!version) continue;
    const entry = out.get(version);
    if (entry) {
      entry.n += 1;
      entry.last = Math.max(entry.last, event.row.timestamp);
    } else out.set(version, { version, n: 1, last: event.row.timestamp });
  }
  return [...out.values()];
}

/** The commit's log records counted per (slot, level), for the explorer's histogram. */
export function logVolumes(admitted: AdmittedBatch[]): { slot: number; level: string; n: number }[] {
  const counts = new Map<string, { slot: number; level: string; n: number }>();
  for (const { batch } of admitted) {
    for (const log of batch.logs) {
      const slot = Math.floor(log.timestamp / LOG_VOLUME_SLOT_SECONDS) * LOG_VOLUME_SLOT_SECONDS;
      const key = `${slot}:${log.level}`;
      const entry = counts.get(key);
      if (entry) entry.n += 1;
      else counts.set(key, { slot, level: log.level, n: 1 });
    }
  }
  return [...counts.values()];
}

/** Statements that record releases events named (Sentry creates a release the first time an event names it). */
export function releaseStatements(
  db: D1Database,
  organizationId: number,
  projectId: number,
  versions: Iterable<string>,
): D1PreparedStatement[] {
  const s: D1PreparedStatement[] = [];
  for (const version of versions)
    s.push(...writes.releaseSeenStatements(db, organizationId, projectId, version, Date.now() / 1000));
  return s;
}
