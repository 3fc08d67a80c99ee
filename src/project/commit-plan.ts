// Plans one group commit of the project's Durable Object: which events are new, which issue each joins
// (or creates), how issue counters and states change, and which outcomes to count. Pure: the Durable
// Object supplies what D1 already knows and turns the plan into statements.
import type { IssueDelta, IssueRef, NewIssue } from "../db/ingest-rows.ts";
import type { DataCategory } from "../protocol/categories.ts";
import type { IngestBatch, OutcomeDelta, PreparedErrorEvent } from "./ingest-batch.ts";
import { applyEvent, type IssueState, type ReleaseComparator } from "./issue-lifecycle.ts";

export interface AdmittedBatch {
  batch: IngestBatch;
  /** The error event passed the rate limits (false: dropped as rate_limited). */
  eventAdmitted: boolean;
  /** Reason code of the limit that dropped the event (`key_quota`, `project_quota`). */
  limitReason?: string;
}

export interface CommitPlan {
  newIssues: NewIssue[];
  errorEvents: { event: PreparedErrorEvent; issue: IssueRef }[];
  transactions: IngestBatch["transaction"][];
  hashMappings: { hash: string; issue: IssueRef }[];
  issueUsers: { issue: IssueRef; userKey: string }[];
  /** Tag values per issue, without repeats within the commit. */
  issueTagValues: { issue: IssueRef; pairs: [string, string][] }[];
  issueDeltas: IssueDelta[];
  outcomes: Omit<OutcomeDelta, "eventId">[];
  droppedEvents: Required<Pick<OutcomeDelta, "eventId" | "category" | "outcome" | "reason">>[];
  /** Issue states after this commit, for the Durable Object's cache (known issue ids only). */
  issueStates: IssueState[];
  /** Per input batch: whether its event was a duplicate, and the issue it joined. */
  perBatch: { duplicate: boolean; issue: IssueRef | null }[];
}

function outcomeKey(o: Omit<OutcomeDelta, "eventId">): string {
  return `${o.category}\u0000${o.outcome}\u0000${o.reason}`;
}

export function planCommit(
  admitted: AdmittedBatch[],
  existingEventIds: ReadonlySet<string>,
  issuesByHash: ReadonlyMap<string, IssueState>,
  compare: ReleaseComparator,
): CommitPlan {
  const outcomes = new Map<string, Omit<OutcomeDelta, "eventId">>();
  const addOutcome = (o: Omit<OutcomeDelta, "eventId">) => {
    const key = outcomeKey(o);
    const prev = outcomes.get(key);
    if (prev) prev.quantity += o.quantity;
    else outcomes.set(key, { ...o });
  };
  const droppedEvents: CommitPlan["droppedEvents"] = [];
  const seenEventIds = new Set(existingEventIds);
  const newIssuesByHash = new Map<string, NewIssue>();
  const states = new Map<number, IssueState>();
  const deltas = new Map<string, IssueDelta>();
  const hashMappings: CommitPlan["hashMappings"] = [];
  const issueUsers: CommitPlan["issueUsers"] = [];
  const tagValues = new Map<string, { issue: IssueRef; pairs: Map<string, [string, string]> }>();
  const errorEvents: CommitPlan["errorEvents"] = [];
  const transactions: CommitPlan["transactions"] = [];
  const perBatch: CommitPlan["perBatch"] = [];

  for (const { batch, eventAdmitted, limitReason } of admitted) {
    for (const o of batch.outcomes) {
      addOutcome({ category: o.category, outcome: o.outcome, reason: o.reason, quantity: o.quantity });
      if (o.eventId)
        droppedEvents.push({
          eventId: o.eventId,
          category: o.category,
          outcome: o.outcome,
          reason: o.reason,
        });
    }
    let duplicate = false;
    let issueRef: IssueRef | null = null;
    const event = batch.event;
    if (event && !eventAdmitted) {
      const category: DataCategory = event.row.type === "default" ? "default" : "error";
      const reason = limitReason ?? "quota";
      addOutcome({ category, outcome: "rate_limited", reason, quantity: 1 });
      droppedEvents.push({ eventId: event.row.eventId, category, outcome: "rate_limited", reason });
    } else if (event) {
      if (seenEventIds.has(event.row.eventId)) {
        duplicate = true;
        addOutcome({ category: "error", outcome: "filtered", reason: "duplicate", quantity: 1 });
      } else {
        seenEventIds.add(event.row.eventId);
        issueRef = assignIssue(event, issuesByHash, newIssuesByHash, hashMappings);
        const deltaKey = "id" in issueRef ? `id:${issueRef.id}` : `hash:${issueRef.hash}`;
        if ("id" in issueRef) {
          const before = states.get(issueRef.id) ?? findState(issuesByHash, issueRef.id);
          if (before) {
            const effect = applyEvent(before, event.row.release ?? undefined, compare);
            states.set(issueRef.id, effect.state);
            const delta = deltas.get(deltaKey) ?? emptyDelta(issueRef, event);
            mergeDelta(delta, event);
            if (effect.regressed) {
              delta.statusChange = { status: "unresolved", substatus: "regressed", resolution: null };
              delta.regression = { eventId: event.row.eventId, release: event.row.release };
            }
            deltas.set(deltaKey, delta);
          }
        }
        if (event.row.userKey) {
          issueUsers.push({ issue: issueRef, userKey: event.row.userKey });
          const delta = deltas.get(deltaKey);
          if (delta) delta.countUsers = true;
          else deltas.set(deltaKey, { ...emptyDelta(issueRef, event), count: 0, countUsers: true });
        }
        if (event.tagValues && event.tagValues.length > 0) {
          const entry = tagValues.get(deltaKey) ?? { issue: issueRef, pairs: new Map() };
          for (const pair of event.tagValues) entry.pairs.set(`${pair[0]}\u0000${pair[1]}`, pair);
          tagValues.set(deltaKey, entry);
        }
        errorEvents.push({ event, issue: issueRef });
        addOutcome({
          category: event.row.type === "default" ? "default" : "error",
          outcome: "accepted",
          reason: "",
          quantity: 1,
        });
      }
    }
    const tx = batch.transaction;
    if (tx) {
      if (seenEventIds.has(tx.row.eventId)) {
        duplicate = true;
        addOutcome({ category: "transaction", outcome: "filtered", reason: "duplicate", quantity: 1 });
      } else {
        seenEventIds.add(tx.row.eventId);
        transactions.push(tx);
        addOutcome({ category: "transaction", outcome: "accepted", reason: "", quantity: 1 });
        if (tx.spans.length > 0)
          addOutcome({ category: "span", outcome: "accepted", reason: "", quantity: tx.spans.length });
      }
    }
    perBatch.push({ duplicate, issue: issueRef });
  }

  // New issues carry their counters in their INSERT; a delta for one only recounts its users.
  return {
    newIssues: [...new Set(newIssuesByHash.values())],
    errorEvents,
    transactions,
    hashMappings,
    issueUsers,
    issueTagValues: [...tagValues.values()].map((t) => ({ issue: t.issue, pairs: [...t.pairs.values()] })),
    issueDeltas: [...deltas.values()],
    outcomes: [...outcomes.values()],
    droppedEvents,
    issueStates: [...states.values()],
    perBatch,
  };
}

function findState(issuesByHash: ReadonlyMap<string, IssueState>, id: number): IssueState | undefined {
  for (const state of issuesByHash.values()) if (state.id === id) return state;
  return undefined;
}

/** Finds the issue owning any of the event's hashes, else creates (or joins a just-created) one. */
function assignIssue(
  event: PreparedErrorEvent,
  issuesByHash: ReadonlyMap<string, IssueState>,
  newIssuesByHash: Map<string, NewIssue>,
  hashMappings: CommitPlan["hashMappings"],
): IssueRef {
  const hashes = event.grouping.hashes.length > 0 ? event.grouping.hashes : [event.grouping.hash];
  for (const hash of hashes) {
    const known = issuesByHash.get(hash);
    if (known) {
      // Teach the issue the event's other hashes so later events match on any of them.
      for (const other of hashes) {
        if (!issuesByHash.has(other) && !newIssuesByHash.has(other))
          hashMappings.push({ hash: other, issue: { id: known.id } });
      }
      return { id: known.id };
    }
    const pending = newIssuesByHash.get(hash);
    if (pending) {
      pending.timesSeen += 1;
      pending.lastSeen = Math.max(pending.lastSeen, event.row.timestamp);
      pending.firstSeen = Math.min(pending.firstSeen, event.row.timestamp);
      pending.level = event.row.level;
      pending.title = event.grouping.title;
      pending.culprit = event.grouping.culprit;
      pending.metadata = JSON.stringify(event.grouping.metadata);
      pending.lastRelease = event.row.release ?? pending.lastRelease;
      pending.firstRelease = pending.firstRelease ?? event.row.release;
      return { hash: pending.primaryHash };
    }
  }
  const primary = hashes[0] ?? event.grouping.hash;
  const issue: NewIssue = {
    primaryHash: primary,
    otherHashes: hashes.slice(1),
    type: event.row.type,
    title: event.grouping.title,
    culprit: event.grouping.culprit,
    level: event.row.level,
    platform: event.row.platform,
    logger: event.grouping.logger,
    metadata: JSON.stringify(event.grouping.metadata),
    firstSeen: event.row.timestamp,
    lastSeen: event.row.timestamp,
    timesSeen: 1,
    firstRelease: event.row.release,
    lastRelease: event.row.release,
  };
  for (const hash of hashes) newIssuesByHash.set(hash, issue);
  return { hash: primary };
}

function emptyDelta(issue: IssueRef, event: PreparedErrorEvent): IssueDelta {
  return {
    issue,
    count: 0,
    lastSeen: event.row.timestamp,
    level: event.row.level,
    lastRelease: null,
    statusChange: null,
    countUsers: false,
  };
}

function mergeDelta(delta: IssueDelta, event: PreparedErrorEvent): void {
  delta.count += 1;
  // The issue shows the level, title, culprit, metadata and release of its most recent event, as
  // Sentry does (a newer SDK or a late debug file changes how the same issue is described).
  if (event.row.timestamp >= delta.lastSeen || delta.count === 1) {
    delta.lastSeen = Math.max(delta.lastSeen, event.row.timestamp);
    delta.level = event.row.level;
    const { title, culprit, metadata } = event.grouping;
    delta.shown = { title, culprit, metadata: JSON.stringify(metadata) };
  }
  if (event.row.release) delta.lastRelease = event.row.release;
}
