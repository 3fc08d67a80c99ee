// How the project's Durable Object runs a group commit against D1: one read round trip for what is
// stored already, then every statement of the commit in one `batch()` (one transaction), with the D1
// cost of each for the object's counters.
import type { IssueByHashRow } from "./ingest-rows.ts";
import { existingEventIds, issuesByHash } from "./ingest-writes.ts";

/** Bound parameters per statement: D1 binds at most 100, one is the project id. */
const IDS_PER_STATEMENT = 90;

/** What a round trip cost D1: statements run, rows written and read. */
export interface D1Cost {
  queries: number;
  rowsWritten: number;
  rowsRead: number;
}

export interface StoredState {
  /** Event ids of the commit that are stored already (duplicates). */
  existingEventIds: Set<string>;
  /** The issues owning the hashes asked for (hashes no issue owns have no row). */
  issues: IssueByHashRow[];
  cost: D1Cost;
}

/** Reads which event ids already exist and which issues own these hashes (one round trip). */
export async function readStoredState(
  db: D1Database,
  projectId: number,
  eventIds: readonly string[],
  hashes: readonly string[],
): Promise<StoredState> {
  const queries: D1PreparedStatement[] = [];
  for (let i = 0; i < eventIds.length; i += IDS_PER_STATEMENT)
    queries.push(existingEventIds(db, projectId, eventIds.slice(i, i + IDS_PER_STATEMENT)));
  const idQueries = queries.length;
  for (let i = 0; i < hashes.length; i += IDS_PER_STATEMENT)
    queries.push(issuesByHash(db, projectId, hashes.slice(i, i + IDS_PER_STATEMENT)));
  const state: StoredState = {
    existingEventIds: new Set(),
    issues: [],
    cost: { queries: 0, rowsWritten: 0, rowsRead: 0 },
  };
  if (queries.length === 0) return state;
  const results = await db.batch(queries);
  state.cost.queries = results.length;
  results.forEach((r, i) => {
    state.cost.rowsRead += r.meta.rows_read ?? 0;
    if (i < idQueries)
      for (const row of r.results as { event_id: string }[]) state.existingEventIds.add(row.event_id);
    else state.issues.push(...(r.results as IssueByHashRow[]));
  });
  return state;
}

export interface CommitOutcome {
  /** The issues created by this commit, read back by their primary hash in the same transaction. */
  createdIssues: IssueByHashRow[];
  /** The snoozed issues the commit woke (the last of the `wake` statements answers them). */
  wokenIssues: number[];
  cost: D1Cost;
}

/**
 * Runs a group commit's statements in one D1 batch (one transaction: all or nothing), then reads the
 * issues created under `newIssueHashes` back in the same batch. Nothing to write runs nothing.
 */
export async function runGroupCommit(
  db: D1Database,
  projectId: number,
  statements: D1PreparedStatement[],
  newIssueHashes: readonly string[],
  /** Statements run after `statements` whose last one answers the ids of the issues it woke. */
  wake: readonly D1PreparedStatement[] = [],
): Promise<CommitOutcome> {
  // At most one new issue per envelope of the commit, well under the parameter bound.
  const readBack = newIssueHashes.length > 0 ? issuesByHash(db, projectId, [...newIssueHashes]) : null;
  const all = [...statements, ...wake, ...(readBack ? [readBack] : [])];
  const results = all.length > 0 ? await db.batch(all) : [];
  const cost: D1Cost = { queries: results.length, rowsWritten: 0, rowsRead: 0 };
  for (const r of results) {
    cost.rowsWritten += r.meta.rows_written ?? 0;
    cost.rowsRead += r.meta.rows_read ?? 0;
  }
  const last = readBack ? results[results.length - 1] : undefined;
  const woken = wake.length > 0 ? results[statements.length + wake.length - 1] : undefined;
  return {
    createdIssues: (last?.results ?? []) as IssueByHashRow[],
    wokenIssues: ((woken?.results ?? []) as { id: number }[]).map((r) => r.id),
    cost,
  };
}
