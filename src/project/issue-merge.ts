// Merge and unmerge, run inside the project's Durable Object (the owner of grouping state), between
// group commits. Merge moves the children's hashes, events and counters into the parent. Unmerge takes
// hashes away from an issue and regroups the events carrying them, so they (and later look-alikes)
// form a new issue; event hashes are recomputed from the stored payloads, with the grouping ingest uses.

import { eventPayloadText, type PayloadReader } from "../blobs/event-blobs.ts";
import { issueEventsAfter, mergeIssueRows, unhookHashes } from "../db/issue-hashes.ts";
import { UNMERGE_PAGE_EVENTS } from "../limits.ts";
import type { NormalizedEvent } from "../protocol/types.ts";
import { issueGroupingOf } from "./ingest-batch.ts";
import type { RegroupMove, RegroupResult } from "./regroup.ts";

export async function mergeIssues(
  db: D1Database,
  projectId: number,
  parent: number,
  children: readonly number[],
): Promise<void> {
  const others = children.filter((c) => c !== parent);
  for (let i = 0; i < others.length; i += 25)
    await mergeIssueRows(db, projectId, parent, others.slice(i, i + 25));
}

export interface UnmergeDeps {
  db: D1Database;
  /** Where the events' payloads are read (the object's own open segments, R2). */
  payloads: PayloadReader;
  regroup: (projectId: number, moves: RegroupMove[]) => Promise<RegroupResult>;
}

/** Unhooks `hashes` from the issue and moves the events that carry them; the number of events moved. */
export async function unmergeHashes(
  deps: UnmergeDeps,
  projectId: number,
  issueId: number,
  hashes: readonly string[],
): Promise<number> {
  const wanted = new Set(hashes);
  await unhookHashes(deps.db, projectId, issueId, hashes);
  let moved = 0;
  let after: { timestamp: number; eventId: string } | null = null;
  for (;;) {
    const rows = await issueEventsAfter(deps.db, issueId, after, UNMERGE_PAGE_EVENTS);
    if (rows.length === 0) break;
    const last = rows[rows.length - 1]!;
    after = { timestamp: last.timestamp, eventId: last.event_id };
    const moves: RegroupMove[] = [];
    for (const row of rows) {
      const text = await eventPayloadText(deps.payloads, row);
      if (text === null) continue;
      let event: NormalizedEvent;
      try {
        event = JSON.parse(text) as NormalizedEvent;
      } catch {
        continue;
      }
      const grouping = issueGroupingOf(event);
      const own = [grouping.hash, ...grouping.hashes].filter((h) => wanted.has(h));
      if (own.length === 0) continue;
      // Only the unmerged hashes decide where the event goes; the payload stays exactly as stored.
      moves.push({
        eventId: row.event_id,
        payload: row.payload,
        payloadKey: row.payload_key,
        payloadRef: row.payload_ref ?? null,
        grouping: { ...grouping, hash: own[0]!, hashes: [...new Set(own)] },
      });
    }
    if (moves.length > 0) moved += (await deps.regroup(projectId, moves)).moved;
    if (rows.length < UNMERGE_PAGE_EVENTS) break;
  }
  return moved;
}
