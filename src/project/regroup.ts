// Moving stored events to the issues their new grouping selects, after they were re-symbolicated
// (a debug file arrived late). Runs inside the project's Durable Object, serialized with ingest
// commits, as one D1 transaction: events join the issue owning any of their new hashes (or a new one),
// counters and user counts follow them, and an issue left without events is merged into the issue
// its events went to (its hashes move there, so later look-alikes land in the right place) and deleted.
import { issuesByHash, type NewIssue } from "../db/ingest-writes.ts";
import { storedEventsOf, type RegroupTarget as Target, writeRegroup } from "../db/regroup.ts";
import type { PreparedErrorEvent } from "./ingest-batch.ts";

export interface RegroupMove {
  eventId: string;
  /**
   * The new payload JSON when it is stored inline; its projection (or null) when the whole payload
   * lives in R2 under payloadKey or in a payload segment under payloadRef.
   */
  payload: string | null;
  payloadKey: string | null;
  payloadRef: string | null;
  grouping: PreparedErrorEvent["grouping"];
}

export interface RegroupResult {
  /** Events whose issue changed. */
  moved: number;
  /** Events updated in place (payload only). */
  updated: number;
  createdIssues: number;
  /** Issues that may have been deleted because they ended up empty (merged into their events' issue). */
  emptiedIssues: number[];
  /** Every issue whose rows changed, for the Durable Object's cache. */
  touchedIssues: number[];
}

/** The stored event as the planner needs it. */
export interface StoredEvent {
  eventId: string;
  issueId: number | null;
  timestamp: number;
  level: string;
  type: string;
  platform: string;
  release: string | null;
  userKey: string | null;
}

export type { Target };

export interface RegroupPlan {
  newIssues: NewIssue[];
  /** Event → target issue; `from` is its current issue. */
  assignments: { move: RegroupMove; event: StoredEvent; target: Target; changed: boolean }[];
  /** Hashes an existing target issue learns (the events' other hashes nobody owns yet). */
  hashMappings: { hash: string; target: Target }[];
}

/** Pure: where each event goes, given which issue owns which hash now. */
export function planRegroup(
  moves: readonly RegroupMove[],
  stored: ReadonlyMap<string, StoredEvent>,
  owners: ReadonlyMap<string, number>,
): RegroupPlan {
  const newIssues = new Map<string, NewIssue>();
  const assignments: RegroupPlan["assignments"] = [];
  const hashMappings: RegroupPlan["hashMappings"] = [];
  const mapped = new Set<string>();
  for (const move of moves) {
    const event = stored.get(move.eventId);
    if (!event) continue;
    const hashes = move.grouping.hashes.length > 0 ? move.grouping.hashes : [move.grouping.hash];
    let target: Target | undefined;
    for (const hash of hashes) {
      const owner = owners.get(hash);
      if (owner !== undefined) {
        target = { id: owner };
        break;
      }
      const pending = newIssues.get(hash);
      if (pending) {
        pending.timesSeen += 1;
        pending.firstSeen = Math.min(pending.firstSeen, event.timestamp);
        if (event.timestamp >= pending.lastSeen) {
          pending.lastSeen = event.timestamp;
          pending.level = event.level;
          pending.lastRelease = event.release ?? pending.lastRelease;
        }
        pending.firstRelease = pending.firstRelease ?? event.release;
        target = { hash: pending.primaryHash };
        break;
      }
    }
    if (!target) {
      const primary = hashes[0] ?? move.grouping.hash;
      const issue: NewIssue = {
        primaryHash: primary,
        otherHashes: hashes.slice(1),
        type: event.type,
        title: move.grouping.title,
        culprit: move.grouping.culprit,
        level: event.level,
        platform: event.platform,
        logger: move.grouping.logger,
        metadata: JSON.stringify(move.grouping.metadata),
        firstSeen: event.timestamp,
        lastSeen: event.timestamp,
        timesSeen: 1,
        firstRelease: event.release,
        lastRelease: event.release,
      };
      for (const hash of hashes) newIssues.set(hash, issue);
      target = { hash: primary };
    } else if ("id" in target) {
      for (const hash of hashes) {
        if (owners.has(hash) || newIssues.has(hash) || mapped.has(hash)) continue;
        mapped.add(hash);
        hashMappings.push({ hash, target });
      }
    }
    const changed = !("id" in target && target.id === event.issueId);
    assignments.push({ move, event, target, changed });
  }
  return { newIssues: [...new Set(newIssues.values())], assignments, hashMappings };
}

/** Reads what the plan needs, plans, and writes it in one transaction. */
export async function applyRegroup(
  db: D1Database,
  projectId: number,
  moves: readonly RegroupMove[],
): Promise<RegroupResult> {
  const result: RegroupResult = {
    moved: 0,
    updated: 0,
    createdIssues: 0,
    emptiedIssues: [],
    touchedIssues: [],
  };
  if (moves.length === 0) return result;
  const stored = new Map<string, StoredEvent>();
  for (let i = 0; i < moves.length; i += 90) {
    const ids = moves.slice(i, i + 90).map((m) => m.eventId);
    const results = await storedEventsOf(db, projectId, ids);
    for (const r of results) {
      stored.set(r.event_id, {
        eventId: r.event_id,
        issueId: r.issue_id,
        timestamp: r.timestamp,
        level: r.level,
        type: r.type,
        platform: r.platform,
        release: r.release,
        userKey: r.user_key,
      });
    }
  }
  const hashes = [...new Set(moves.flatMap((m) => [m.grouping.hash, ...m.grouping.hashes]))];
  const owners = new Map<string, number>();
  for (let i = 0; i < hashes.length; i += 90) {
    const { results } = await issuesByHash(db, projectId, hashes.slice(i, i + 90)).all<{
      hash: string;
      id: number;
    }>();
    for (const r of results) owners.set(r.hash, r.id);
  }
  const plan = planRegroup(moves, stored, owners);
  await writeRegroup(db, projectId, plan);
  const touched = new Set<number>();
  const emptied = new Set<number>();
  for (const a of plan.assignments) {
    if (a.changed) result.moved += 1;
    else result.updated += 1;
    if (a.changed && a.event.issueId !== null) {
      touched.add(a.event.issueId);
      emptied.add(a.event.issueId);
    }
    if ("id" in a.target) touched.add(a.target.id);
  }
  result.createdIssues = plan.newIssues.length;
  result.emptiedIssues = [...emptied];
  result.touchedIssues = [...touched];
  return result;
}
