// What the project's Durable Object remembers between group commits, to spare D1 reads: which issue
// owns a grouping hash, each known issue's state, and the releases already recorded. D1 is the truth:
// a miss is read from it, and the caches learn a commit's changes only once its transaction committed.
import type { IssueByHashRow } from "../db/ingest-rows.ts";
import { MAX_CACHED_ISSUE_HASHES } from "../limits.ts";
import type { AdmittedBatch } from "./commit-plan.ts";
import type { IssueState, Resolution } from "./issue-lifecycle.ts";

/** The hash → issue map and the states of the issues it leads to. */
export class IssueCache {
  private readonly hashToIssue = new Map<string, number>();
  private readonly issueStates = new Map<number, IssueState>();

  has(hash: string): boolean {
    return this.hashToIssue.has(hash);
  }

  /** The issue that owns a hash, when cached. */
  issueOf(hash: string): number | null {
    return this.hashToIssue.get(hash) ?? null;
  }

  /** Whether memory is at its bound (the commit then clears the cache before it plans). */
  get full(): boolean {
    return this.hashToIssue.size >= MAX_CACHED_ISSUE_HASHES;
  }

  /** Learns that an issue owns a hash, and its state as D1 has it (which replaces what was cached). */
  remember(hash: string, state: IssueState): void {
    this.hashToIssue.set(hash, state.id);
    this.issueStates.set(state.id, state);
  }

  rememberRow(row: IssueByHashRow): void {
    this.remember(row.hash, stateOfRow(row));
  }

  /** Learns that an issue owns a hash (the issue's state is known already). */
  mapHash(hash: string, issueId: number): void {
    this.hashToIssue.set(hash, issueId);
  }

  setState(state: IssueState): void {
    this.issueStates.set(state.id, state);
  }

  /** Replaces the state of an issue only when it is cached (a status changed elsewhere). */
  updateIfCached(state: IssueState): void {
    if (this.issueStates.has(state.id)) this.issueStates.set(state.id, state);
  }

  /** The cached issues owning the hashes of these batches' events, as the planner wants them. */
  knownIssues(admitted: AdmittedBatch[]): Map<string, IssueState> {
    const known = new Map<string, IssueState>();
    for (const { batch } of admitted) {
      for (const hash of batch.event?.grouping.hashes ?? []) {
        const id = this.hashToIssue.get(hash);
        const state = id === undefined ? undefined : this.issueStates.get(id);
        if (state) known.set(hash, state);
      }
    }
    return known;
  }

  /** Drops the hashes and states of these issues (they were regrouped, merged or deleted). */
  forget(issueIds: Iterable<number>): void {
    const touched = new Set(issueIds);
    for (const [hash, id] of this.hashToIssue) if (touched.has(id)) this.hashToIssue.delete(hash);
    for (const id of touched) this.issueStates.delete(id);
  }

  clear(): void {
    this.hashToIssue.clear();
    this.issueStates.clear();
  }
}

/** Releases this object has already recorded (the insert is idempotent; this only saves statements). */
export class SeenReleases {
  private readonly known = new Set<string>();

  /** The releases of these rows not recorded yet (clears itself past its bound). */
  unseen(rows: Iterable<{ release: string | null } | undefined>): Set<string> {
    const out = new Set<string>();
    for (const row of rows) if (row?.release && !this.known.has(row.release)) out.add(row.release);
    if (this.known.size > MAX_CACHED_ISSUE_HASHES) this.known.clear();
    return out;
  }

  add(versions: Iterable<string>): void {
    for (const version of versions) this.known.add(version);
  }
}

function stateOfRow(row: IssueByHashRow): IssueState {
  let resolution: Resolution | null = null;
  if (row.resolution) {
    try {
      resolution = JSON.parse(row.resolution) as Resolution;
    } catch {
      resolution = { type: "resolved" };
    }
  }
  return { id: row.id, status: row.status, substatus: row.substatus, resolution };
}
