// What the project's Durable Object answers for an envelope, decided when it is spooled (D1 comes
// later): accepted, or refused whole because the spool is full or a cost budget is reached. Pure.
import { SPOOL_FULL_RETRY_AFTER_SECONDS } from "../limits.ts";
import { refusedCategory, writtenBlobKeys } from "./commit-failures.ts";
import type { AdmittedBatch } from "./commit-plan.ts";
import type { ActiveRateLimit, IngestBatch, IngestResult, OutcomeDelta } from "./ingest-batch.ts";

/** The envelope is spooled: durable now, in D1 after the flush (which also removes unneeded bytes). */
export function acceptedAnswer(admitted: AdmittedBatch, limits: ActiveRateLimit[]): IngestResult {
  const { batch, eventAdmitted } = admitted;
  return {
    eventStored: (batch.event !== null && eventAdmitted) || batch.transaction !== null,
    duplicate: false,
    issueId: null,
    rateLimits: limits,
    everythingRateLimited: isAllLimited(admitted),
    storedBlobKeys: writtenBlobKeys(batch),
  };
}

/** The limit a full spool answers with: every category, for the whole project. */
export const SPOOL_FULL_LIMIT: ActiveRateLimit = {
  retryAfterSeconds: SPOOL_FULL_RETRY_AFTER_SECONDS,
  categories: [],
  scope: "project",
  reasonCode: "spool_full",
};

/**
 * The whole envelope is refused by a project-wide limit (a full spool, a reached cost budget): nothing
 * of it is kept, and the sender is told when to retry (429).
 */
export function refusedAnswer(limit: ActiveRateLimit = SPOOL_FULL_LIMIT): IngestResult {
  return {
    eventStored: false,
    duplicate: false,
    issueId: null,
    rateLimits: [limit],
    everythingRateLimited: true,
    storedBlobKeys: [],
  };
}

/** The outcome counted for an envelope refused whole (`spool_full`, `cost_budget`). */
export function refusedOutcome(batch: IngestBatch, reason = "spool_full"): OutcomeDelta {
  // With the event's id, so its receipt can say it was refused.
  const eventId = batch.event?.row.eventId ?? batch.transaction?.row.eventId;
  return {
    category: refusedCategory(batch),
    outcome: "rate_limited",
    reason,
    quantity: 1,
    ...(eventId ? { eventId } : {}),
  };
}

/** True when every item that counts for rate limiting was dropped by a limit (answered 429). */
function isAllLimited({ batch, eventAdmitted }: AdmittedBatch): boolean {
  if (eventAdmitted || !batch.event) return false;
  // Anything else in the envelope was kept, so the request was not rejected as a whole.
  return (
    batch.transaction === null &&
    batch.spans.length === 0 &&
    batch.logs.length === 0 &&
    batch.sessionUpdates.length === 0 &&
    batch.sessionAggregates.length === 0 &&
    batch.checkIns.length === 0 &&
    batch.feedback.length === 0 &&
    batch.userReports.length === 0 &&
    batch.rawItems.length === 0 &&
    batch.looseAttachments === null
  );
}
