// The event a monitor failure records on the monitor's issue: one issue per monitor and environment
// (a fingerprint of both), titled "Cron failure: <name>", its culprit saying what failed. It goes into
// the spool like any ingested error event, so grouping, counters, regressions and issue alerts treat it
// as they treat every other event.

import type { Failure } from "../protocol/monitors/monitor-state.ts";
import { normalizeEvent } from "../protocol/normalize/index.ts";
import { emptyBatch, type IngestBatch, issueGroupingOf, type KeyContext } from "./ingest-batch.ts";

export interface FailedMonitor {
  id: number;
  slug: string;
  name: string;
  environment: string;
}

const REASONS: Record<Failure["outcome"], string> = {
  error: "An error check-in was detected",
  missed: "No check-in reported",
  timeout: "A check-in timed out",
};

const fingerprintOf = (m: FailedMonitor) => ["monitor", String(m.id), m.environment];

function failureEvent(m: FailedMonitor, failure: Failure | null, now: number) {
  const expected = failure?.expected
    ? ` (expected at ${new Date(failure.expected * 1000).toISOString()})`
    : "";
  const reason = failure ? `${REASONS[failure.outcome]}${expected}` : "";
  return normalizeEvent(
    {
      event_id: crypto.randomUUID().replaceAll("-", ""),
      timestamp: now,
      level: "error",
      platform: "other",
      logger: "monitors",
      message: `Cron failure: ${m.name}`,
      culprit: reason,
      environment: m.environment,
      fingerprint: fingerprintOf(m),
      tags: { "monitor.slug": m.slug, "monitor.status": failure?.outcome ?? "" },
      contexts: { monitor: { id: m.id, slug: m.slug, name: m.name, status: failure?.outcome ?? null } },
    },
    { receivedAt: now, itemType: "event" },
  );
}

/** The grouping hash of the monitor's issue (to find it again for a resolution). */
export function monitorIssueHash(m: FailedMonitor): string {
  return issueGroupingOf(failureEvent(m, null, 0)).hash;
}

/** A batch carrying the failure's event, as if ingested. */
export function failureBatch(key: KeyContext, m: FailedMonitor, failure: Failure, now: number): IngestBatch {
  const event = failureEvent(m, failure, now);
  const grouping = issueGroupingOf(event);
  const payload = JSON.stringify(event);
  const batch = emptyBatch(key, now);
  batch.event = {
    row: {
      eventId: event.event_id,
      type: "error",
      timestamp: event.timestamp,
      received: event.received,
      level: event.level,
      platform: event.platform,
      release: null,
      environment: event.environment ?? null,
      userKey: null,
      title: grouping.title,
      message: event.message ?? null,
      transactionName: null,
      traceId: null,
      payload,
      payloadKey: null,
    },
    grouping,
    attachments: [],
    missingImages: [],
  };
  batch.units = payload.length;
  return batch;
}
