// One group commit of the project's Durable Object: reads what D1 knows that the caches do not, plans
// (commit-plan.ts), writes everything in one D1 transaction, and only then teaches the caches the new
// state. Answers, per envelope, what was stored.
import type { CommittedError } from "../alerts/index.ts";
import { type D1Cost, readStoredState, runGroupCommit } from "../db/ingest-commit.ts";
import type { EventRow } from "../db/ingest-rows.ts";
import { wakeSnoozedStatements, wokenAt } from "../db/issue-snooze.ts";
import { spoolMarkStatement } from "../db/spool-marks.ts";
import { addStoredBytesStatement } from "../db/storage-usage.ts";
import { usageUpsertStatements } from "../db/usage.ts";
import type { UsageEntry, UsageOwner } from "../db/usage-ledger.ts";
import type { CheckIn } from "../protocol/items/index.ts";
import type { IssueCache, SeenReleases } from "./caches.ts";
import { errorText, storedBlobKeys } from "./commit-failures.ts";
import { type AdmittedBatch, planCommit } from "./commit-plan.ts";
import { commitStatements, releaseStatements } from "./commit-statements.ts";
import { type IngestResult, withPayloadText } from "./ingest-batch.ts";
import { compareReleasesBySemver, type IssueState } from "./issue-lifecycle.ts";
import type { PayloadSegments } from "./payload-segments.ts";
import type { SessionHealth } from "./session-health.ts";
import { committedBytes } from "./stored-bytes.ts";

/** What a group commit answers for one envelope (the rate limits are added by the queue). */
export type CommittedBatch = Omit<IngestResult, "rateLimits" | "everythingRateLimited">;

/** The spool position a group commit writes with its rows (see db/spool-marks.ts). */
export interface SpoolMark {
  epoch: string;
  seq: number;
}

/** Counters of the group commits, for the benchmark and the cost meter. */
export interface CommitStats {
  commits: number;
  batches: number;
  eventsStored: number;
  d1Queries: number;
  d1RowsWritten: number;
  d1RowsRead: number;
}

/** The cost meter's usage gathered since the last commit, written in the commit's own batch. */
export interface CommitUsage {
  take(owner: UsageOwner): UsageEntry[];
  /** The commit failed: the taken usage is gathered again for the next one. */
  restore(entries: readonly UsageEntry[]): void;
}

/**
 * A group commit whose D1 call failed. D1 may have written it all the same (only its answer was lost):
 * the flusher learns which from the spool mark, then runs `landed` (what the commit does once written:
 * release health, alerts, cron monitors) or `notLanded` (the meter's usage is gathered again).
 */
export class CommitFailure extends Error {
  constructor(
    readonly original: unknown,
    readonly landed: () => Promise<void>,
    readonly notLanded: () => void,
  ) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

export class GroupCommit {
  readonly stats: CommitStats = {
    commits: 0,
    batches: 0,
    eventsStored: 0,
    d1Queries: 0,
    d1RowsWritten: 0,
    d1RowsRead: 0,
  };

  constructor(
    private readonly db: D1Database,
    private readonly issues: IssueCache,
    private readonly releases: SeenReleases,
    /**
     * Runs after a commit with the error events (issue alerts) and check-ins (cron monitors) it stored;
     * never fails the commit.
     */
    private readonly afterCommit: (
      projectId: number,
      organizationId: number,
      events: CommittedError[],
      checkIns: CheckIn[],
    ) => Promise<void> = async () => {},
    private readonly usage: CommitUsage | null = null,
    /** Release health counters of the sessions each commit carries (none: counters are not kept). */
    private readonly health: SessionHealth | null = null,
    /** Where the events' payloads go (none: they stay in their rows). */
    private readonly payloads: PayloadSegments | null = null,
    /** Told the bytes each commit stored (the storage quota's guard). */
    private readonly stored: (bytes: number) => void = () => {},
  ) {}

  /** Writes the envelopes in one D1 transaction, with the spool mark `mark` when they come from the spool. */
  async commit(admitted: AdmittedBatch[], mark: SpoolMark | null = null): Promise<CommittedBatch[]> {
    const projectId = admitted[0]?.batch.key.projectId;
    if (projectId === undefined) return [];
    // Bound memory between commits (never during one: the planner relies on what lookUp loaded).
    if (this.issues.full) this.issues.clear();
    // Fast path: when every hash is cached, assume no event id is stored yet and let a duplicate abort
    // the batch (one D1 round trip instead of two); retries of stored events are rare.
    if (this.allHashesKnown(admitted)) {
      try {
        return await this.attempt(projectId, admitted, new Set(), "fail", mark);
      } catch (error) {
        if (!isConstraintError(error)) throw error;
        if (error instanceof CommitFailure) error.notLanded();
        this.stats.d1Queries += 1;
      }
    }
    const existing = await this.lookUp(projectId, admitted);
    return this.attempt(projectId, admitted, existing, "ignore", mark);
  }

  private allHashesKnown(admitted: AdmittedBatch[]): boolean {
    return admitted.every(
      ({ batch, eventAdmitted }) =>
        !batch.event || !eventAdmitted || batch.event.grouping.hashes.every((h) => this.issues.has(h)),
    );
  }

  /** Plans and writes one group commit, given the event ids known to be stored already. */
  private async attempt(
    projectId: number,
    admitted: AdmittedBatch[],
    existing: Set<string>,
    ifExists: "ignore" | "fail",
    mark: SpoolMark | null,
  ): Promise<CommittedBatch[]> {
    const known = this.issues.knownIssues(admitted);
    const plan = planCommit(admitted, existing, known, compareReleasesBySemver);
    // The payloads go to the open segment first: in storage before D1 holds rows pointing at them.
    const rows = [
      ...plan.errorEvents.map((e) => e.event.row),
      ...plan.transactions.flatMap((t) => (t ? [t.row] : [])),
    ];
    const stored = this.payloads ? this.payloads.place(projectId, rows) : withPayloadTexts(rows);
    const statements = commitStatements(this.db, projectId, admitted, plan, ifExists, stored);
    // Sentry creates a release (and links the project) the first time an event names it.
    const releases = this.releases.unseen([
      ...plan.errorEvents.map((e) => e.event.row),
      ...plan.transactions.map((t) => t?.row),
      // Sessions name releases too: a release only sessions know still shows its health.
      ...admitted.flatMap(({ batch }) => [...batch.sessionUpdates, ...batch.sessionAggregates]),
    ]);
    const organizationId = admitted[0]?.batch.key.organizationId ?? 0;
    statements.push(...releaseStatements(this.db, organizationId, projectId, releases));
    const health = this.health?.plan(admitted) ?? null;
    if (this.health) statements.push(...this.health.statements(this.db, projectId, health));
    if (mark) statements.push(spoolMarkStatement(this.db, projectId, mark.epoch, mark.seq));
    // The meter's usage rides in the same transaction: written exactly when the commit is.
    const usage = this.usage?.take({ projectId, organizationId }) ?? [];
    statements.push(...usageUpsertStatements(this.db, usage));
    // The stored-bytes counter (docs/retention.md) moves with the rows it counts.
    const bytes = committedBytes(admitted, plan, stored);
    if (bytes > 0) statements.push(addStoredBytesStatement(this.db, organizationId, projectId, bytes));
    const newHashes = plan.newIssues.map((i) => i.primaryHash);
    // Snoozed issues this commit's events touch: the ones whose condition they pass wake.
    const now = Date.now() / 1000;
    const snoozed = snoozedIssues(plan, known);
    const wake = wakeSnoozedStatements(this.db, snoozed, now);
    const checkIns = admitted.flatMap(({ batch }) => batch.checkIns);
    const landed = () => {
      this.stats.commits += 1;
      this.stats.batches += admitted.length;
      this.stats.eventsStored += plan.errorEvents.length + plan.transactions.length;
      this.stored(bytes);
      this.releases.add(releases);
      this.health?.committed(health);
    };
    let committed: Awaited<ReturnType<typeof runGroupCommit>>;
    try {
      committed = await runGroupCommit(this.db, projectId, statements, newHashes, wake);
    } catch (error) {
      // If it did land, the caches (dropped with the failure) learn from D1 again; the rest follows.
      const afterLanding = async () => {
        landed();
        const created =
          newHashes.length > 0 ? await readStoredState(this.db, projectId, [], newHashes) : null;
        const createdIds = new Map((created?.issues ?? []).map((row) => [row.hash, row.id]));
        const woken = new Set(await wokenAt(this.db, snoozed, now));
        const events = committedErrors(plan, createdIds, woken);
        await this.afterCommit(projectId, organizationId, events, checkIns);
      };
      throw new CommitFailure(error, afterLanding, () => this.usage?.restore(usage));
    }
    const { createdIssues, wokenIssues, cost } = committed;
    this.count(cost);
    landed();

    // Only now that the transaction committed do the caches learn the new state.
    for (const state of plan.issueStates) this.issues.setState(state);
    const woken = new Set(wokenIssues);
    for (const id of woken)
      this.issues.setState({ id, status: "unresolved", substatus: "ongoing", resolution: null });
    const createdIds = new Map<string, number>();
    for (const row of createdIssues) {
      createdIds.set(row.hash, row.id);
      this.issues.rememberRow(row);
    }
    for (const issue of plan.newIssues) {
      const id = createdIds.get(issue.primaryHash);
      if (id === undefined) continue;
      for (const hash of issue.otherHashes)
        this.issues.remember(hash, { id, status: "unresolved", substatus: "new", resolution: null });
    }
    for (const m of plan.hashMappings) if ("id" in m.issue) this.issues.mapHash(m.hash, m.issue.id);

    await this.afterCommit(projectId, organizationId, committedErrors(plan, createdIds, woken), checkIns);

    const insertedEvents = new Set(plan.errorEvents.map((e) => e.event));
    const insertedTransactions = new Set(plan.transactions);
    return admitted.map((a, i) => {
      const per = plan.perBatch[i];
      const issue = per?.issue ?? null;
      const issueId = issue === null ? null : "id" in issue ? issue.id : (createdIds.get(issue.hash) ?? null);
      const hadEvent = a.batch.event !== null || a.batch.transaction !== null;
      return {
        eventStored: hadEvent && a.eventAdmitted,
        duplicate: per?.duplicate ?? false,
        issueId,
        storedBlobKeys: storedBlobKeys(a.batch, insertedEvents, insertedTransactions),
      };
    });
  }

  /** Reads which event ids already exist and which issues own the batches' uncached hashes. */
  private async lookUp(projectId: number, admitted: AdmittedBatch[]): Promise<Set<string>> {
    const eventIds: string[] = [];
    const unknownHashes = new Set<string>();
    for (const { batch, eventAdmitted } of admitted) {
      if (batch.event && eventAdmitted) {
        eventIds.push(batch.event.row.eventId);
        for (const h of batch.event.grouping.hashes) if (!this.issues.has(h)) unknownHashes.add(h);
      }
      if (batch.transaction) eventIds.push(batch.transaction.row.eventId);
    }
    const stored = await readStoredState(this.db, projectId, eventIds, [...unknownHashes]);
    this.count(stored.cost);
    for (const row of stored.issues) this.issues.rememberRow(row);
    return stored.existingEventIds;
  }

  private count(cost: D1Cost): void {
    this.stats.d1Queries += cost.queries;
    this.stats.d1RowsWritten += cost.rowsWritten;
    this.stats.d1RowsRead += cost.rowsRead;
  }
}

/** The ignored issues the commit's events join (by id), whose snooze the commit may end. */
function snoozedIssues(
  plan: ReturnType<typeof planCommit>,
  known: ReadonlyMap<string, IssueState>,
): number[] {
  const ignored = new Set<number>();
  for (const state of known.values()) if (state.status === "ignored") ignored.add(state.id);
  const out = new Set<number>();
  for (const d of plan.issueDeltas) if ("id" in d.issue && ignored.has(d.issue.id)) out.add(d.issue.id);
  return [...out];
}

/**
 * The stored error events with what the commit changed of their issues (the first event of each
 * carries it): `woken` are the snoozed issues it made unresolved again (they reappeared).
 */
function committedErrors(
  plan: ReturnType<typeof planCommit>,
  createdIds: ReadonlyMap<string, number>,
  woken: ReadonlySet<number>,
): CommittedError[] {
  const regressed = new Set<number>();
  for (const d of plan.issueDeltas)
    if ("id" in d.issue && d.statusChange?.substatus === "regressed") regressed.add(d.issue.id);
  const seen = new Set<number>();
  const out: CommittedError[] = [];
  for (const { event, issue } of plan.errorEvents) {
    const id = "id" in issue ? issue.id : createdIds.get(issue.hash);
    if (id === undefined) continue;
    const first = !seen.has(id);
    seen.add(id);
    const { title, culprit, logger } = event.grouping;
    out.push({
      issueId: id,
      isNew: first && !("id" in issue),
      regressed: first && regressed.has(id),
      reappeared: first && woken.has(id),
      row: event.row,
      grouping: { title, culprit, logger },
    });
  }
  return out;
}

/** A D1 error from a uniqueness conflict (a stored duplicate hit by the fast path's plain INSERT). */
function isConstraintError(error: unknown): boolean {
  const message = errorText(error);
  return /UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(message);
}

/** Without payload segments, a packed payload goes back into its row as text. */
function withPayloadTexts(rows: readonly EventRow[]): Map<EventRow, EventRow> {
  return new Map(rows.filter((row) => row.packed).map((row) => [row, withPayloadText(row)]));
}
