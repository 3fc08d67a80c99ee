// Moving stored events to the issues their new grouping selects, after they were re-symbolicated
// (a debug file arrived late). Runs inside the project's Durable Object, serialized with ingest
// commits, as one D1 transaction: events join the issue owning any of their new hashes (or a new one),
// counters and user counts follow them, and an issue left without events is merged into the issue
// its events went to (its hashes move there, so later look-alikes land in the right place) and deleted.
import { insertIssue, issuesByHash, type NewIssue } from "../db/ingest-writes.ts";
import type { EventTableRow } from "../db/rows.ts";
import type { PreparedErrorEvent } from "./ingest-batch.ts";

export interface RegroupMove {
  eventId: string;
  /** The new payload JSON when it is stored inline; null when it lives in R2 under payloadKey. */
  payload: string | null;
  payloadKey: string | null;
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

export type Target = { id: number } | { hash: string };

export interface RegroupPlan {
  newIssues: NewIssue[];
  /** Event → target issue; `from` is its current issue. */
  assignments: { move: RegroupMove; event: StoredEvent; target: Target; changed: boolean }[];
  /** Hashes an existing target issue learns (the events' other hashes nobody owns yet). */
  hashMappings: { hash: string; target: Target }[];
}

const sameTarget = (a: Target, b: Target) =>
  "id" in a ? "id" in b && a.id === b.id : "hash" in b && a.hash === b.hash;

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

function targetSql(projectId: number, target: Target): { sql: string; params: (string | number)[] } {
  if ("id" in target) return { sql: "?", params: [target.id] };
  return {
    sql: "(SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?)",
    params: [projectId, target.hash],
  };
}

/** The plan as statements of one D1 batch (one transaction). */
export function regroupStatements(
  db: D1Database,
  projectId: number,
  plan: RegroupPlan,
): D1PreparedStatement[] {
  const s: D1PreparedStatement[] = [];
  for (const issue of plan.newIssues) s.push(...insertIssue(db, projectId, issue));
  for (const m of plan.hashMappings) {
    const ref = targetSql(projectId, m.target);
    s.push(
      db
        .prepare(`INSERT OR IGNORE INTO issue_hashes (project_id, hash, issue_id) VALUES (?, ?, ${ref.sql})`)
        .bind(projectId, m.hash, ...ref.params),
    );
  }
  // Counter changes of existing issues: what joins (+) and what leaves (−).
  const joined = new Map<number, { count: number; first: number; last: number }>();
  const left = new Map<number, number>();
  /** Source issue → the targets its events went to. */
  const destinations = new Map<number, Target[]>();
  for (const { move, event, target, changed } of plan.assignments) {
    const ref = targetSql(projectId, target);
    s.push(
      db
        .prepare(
          `UPDATE events SET issue_id = ${ref.sql}, title = ?, payload = ?, payload_key = ?
           WHERE project_id = ? AND event_id = ?`,
        )
        .bind(...ref.params, move.grouping.title, move.payload, move.payloadKey, projectId, move.eventId),
    );
    if (!changed) continue;
    if ("id" in target) {
      const j = joined.get(target.id) ?? { count: 0, first: event.timestamp, last: event.timestamp };
      j.count += 1;
      j.first = Math.min(j.first, event.timestamp);
      j.last = Math.max(j.last, event.timestamp);
      joined.set(target.id, j);
    }
    if (event.userKey) {
      s.push(
        db
          .prepare(`INSERT OR IGNORE INTO issue_users (issue_id, user_key) VALUES (${ref.sql}, ?)`)
          .bind(...ref.params, event.userKey),
      );
    }
    if (event.issueId !== null) {
      left.set(event.issueId, (left.get(event.issueId) ?? 0) + 1);
      const list = destinations.get(event.issueId) ?? [];
      if (!list.some((t) => sameTarget(t, target))) list.push(target);
      destinations.set(event.issueId, list);
    }
  }
  const userCount = "user_count = (SELECT COUNT(*) FROM issue_users u WHERE u.issue_id = issues.id)";
  for (const [id, j] of joined) {
    s.push(
      db
        .prepare(
          `UPDATE issues SET times_seen = times_seen + ?, first_seen = MIN(first_seen, ?),
             last_seen = MAX(last_seen, ?), ${userCount} WHERE id = ?`,
        )
        .bind(j.count, j.first, j.last, id),
    );
  }
  for (const issue of plan.newIssues) {
    s.push(
      db
        .prepare(
          `UPDATE issues SET ${userCount} WHERE id = (SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?)`,
        )
        .bind(projectId, issue.primaryHash),
    );
  }
  for (const [id, count] of left) {
    // Users only the moved events had leave the source issue.
    s.push(
      db
        .prepare(
          `DELETE FROM issue_users WHERE issue_id = ? AND user_key NOT IN
             (SELECT user_key FROM events WHERE issue_id = ? AND user_key IS NOT NULL)`,
        )
        .bind(id, id),
      db
        .prepare(`UPDATE issues SET times_seen = MAX(times_seen - ?, 0), ${userCount} WHERE id = ?`)
        .bind(count, id),
    );
    // An emptied issue merges into the one issue its events went to: its hashes follow them.
    const targets = destinations.get(id) ?? [];
    const only = targets.length === 1 ? targets[0] : undefined;
    if (only) {
      const ref = targetSql(projectId, only);
      s.push(
        db
          .prepare(
            `UPDATE OR IGNORE issue_hashes SET issue_id = ${ref.sql}
             WHERE project_id = ? AND issue_id = ? AND NOT EXISTS (SELECT 1 FROM events WHERE issue_id = ?)`,
          )
          .bind(...ref.params, projectId, id, id),
      );
    }
    s.push(
      db
        .prepare("DELETE FROM issues WHERE id = ? AND NOT EXISTS (SELECT 1 FROM events WHERE issue_id = ?)")
        .bind(id, id),
    );
  }
  return s;
}

type StoredEventRow = Pick<
  EventTableRow,
  "event_id" | "issue_id" | "timestamp" | "level" | "type" | "platform" | "release" | "user_key"
>;

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
    const { results } = await db
      .prepare(
        `SELECT event_id, issue_id, timestamp, level, type, platform, release, user_key FROM events
         WHERE project_id = ? AND event_id IN (${ids.map(() => "?").join(",")})`,
      )
      .bind(projectId, ...ids)
      .all<StoredEventRow>();
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
  const statements = regroupStatements(db, projectId, plan);
  if (statements.length > 0) await db.batch(statements);
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
