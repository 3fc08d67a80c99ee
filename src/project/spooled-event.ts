// An event that is still in the spool, shown as the `events` row the flush will write: what event-by-id
// reads consult when D1 does not have the event yet ("did my event arrive?" is answered at once).
import { packedText } from "../db/packed-payload.ts";
import type { EventTableRow } from "../db/rows.ts";
import type { IssueCache } from "./caches.ts";
import type { AdmittedBatch } from "./commit-plan.ts";

/** The row of the spooled envelope's event `eventId`, with its issue when the hash is known already. */
export function spooledEventRow(
  admitted: AdmittedBatch,
  eventId: string,
  issues: IssueCache,
): EventTableRow | null {
  const { batch, eventAdmitted } = admitted;
  const projectId = batch.key.projectId;
  if (batch.event && eventAdmitted && batch.event.row.eventId === eventId) {
    const issueId = issues.issueOf(batch.event.grouping.hash);
    return tableRow(projectId, batch.event.row, issueId);
  }
  if (batch.transaction && batch.transaction.row.eventId === eventId) {
    return tableRow(projectId, batch.transaction.row, null);
  }
  return null;
}

function tableRow(
  projectId: number,
  row: NonNullable<AdmittedBatch["batch"]["event"]>["row"],
  issueId: number | null,
): EventTableRow {
  return {
    project_id: projectId,
    event_id: row.eventId,
    issue_id: issueId,
    type: row.type,
    timestamp: row.timestamp,
    received: row.received,
    level: row.level,
    platform: row.platform,
    release: row.release,
    environment: row.environment,
    user_key: row.userKey,
    title: row.title,
    message: row.message,
    transaction_name: row.transactionName,
    trace_id: row.traceId,
    payload: row.payload ?? (row.packed ? packedText(row.packed) : null),
    payload_key: row.payloadKey,
  };
}
