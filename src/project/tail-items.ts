// What the live tail shows of one envelope as the project's Durable Object decides on it: each accepted
// item (an error with its title and level, a transaction, spans, logs, sessions…) and each dropped one
// with its outcome and reason. Pure: the admitted batch in, small records out.
import type { AdmittedBatch } from "./commit-plan.ts";
import type { IngestBatch, OutcomeDelta } from "./ingest-batch.ts";

export interface TailItem {
  /** Receive time, unix seconds. */
  at: number;
  /** `error`, `default` (a message), `transaction`, `span`, `log`, `session`, `check_in`, … */
  kind: string;
  status: "accepted" | "dropped";
  /** The outcome counted (`accepted`, `filtered`, `rate_limited`, `too_large`, `invalid`). */
  outcome: string;
  reason?: string;
  eventId?: string;
  title?: string;
  level?: string;
  quantity: number;
}

function dropped(at: number, o: OutcomeDelta): TailItem {
  return {
    at,
    kind: o.category,
    status: "dropped",
    outcome: o.outcome,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.eventId ? { eventId: o.eventId } : {}),
    quantity: o.quantity,
  };
}

export function tailItemsOf({ batch, eventAdmitted, limitReason }: AdmittedBatch): TailItem[] {
  const at = batch.receivedAt;
  const items: TailItem[] = batch.outcomes
    .filter((o) => o.quantity > 0 || o.eventId)
    .map((o) => dropped(at, o));
  const event = batch.event;
  if (event) {
    const row = event.row;
    const common = {
      at,
      kind: row.type,
      eventId: row.eventId,
      title: row.title ?? "",
      level: row.level,
      quantity: 1,
    };
    items.push(
      eventAdmitted
        ? { ...common, status: "accepted", outcome: "accepted" }
        : { ...common, status: "dropped", outcome: "rate_limited", reason: limitReason ?? "quota" },
    );
  }
  const tx = batch.transaction;
  if (tx) {
    items.push({
      at,
      kind: "transaction",
      status: "accepted",
      outcome: "accepted",
      eventId: tx.row.eventId,
      title: tx.row.title ?? "",
      quantity: 1,
    });
  }
  for (const [kind, list] of counts(batch)) {
    if (list > 0) items.push({ at, kind, status: "accepted", outcome: "accepted", quantity: list });
  }
  return items;
}

function counts(batch: IngestBatch): [string, number][] {
  return [
    ["span", batch.spans.length],
    ["log", batch.logs.length],
    ["session", batch.sessionUpdates.length + batch.sessionAggregates.length],
    ["check_in", batch.checkIns.length],
    ["feedback", batch.feedback.length + batch.userReports.length],
    ["attachment", (batch.event?.attachments.length ?? 0) + (batch.looseAttachments?.rows.length ?? 0)],
  ];
}

/** The tail's record of an envelope refused because the spool was full. */
export function refusedTailItem(batch: IngestBatch, outcome: OutcomeDelta): TailItem {
  const row = batch.event?.row ?? batch.transaction?.row;
  return {
    ...dropped(batch.receivedAt, outcome),
    ...(row ? { eventId: row.eventId, title: row.title ?? "" } : {}),
  };
}
