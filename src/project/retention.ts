// The retention sweep of one project (docs/retention.md), run from its Durable Object's alarm: the
// project's expired events with their attachments and R2 bytes, issues whose last event expired (with
// their hashes, users and tag values), raw items, spans and the other time-bounded tables, in rounds
// within an hourly D1 row budget. Each round holds the commit lock, so group commits interleave with
// the sweep and never plan from an issue that is being deleted; the issue cache is dropped after a
// round that deleted issues.
import type { ExpiredBytes } from "../blobs/expired-bytes.ts";
import {
  deleteExpiredIssueEvents,
  deleteExpiredRawItems,
  deleteExpiredRows,
  deleteExpiredSpans,
  deleteExpiredUnissuedEvents,
  deleteIssuesWithRows,
  deleteUnusedShapes,
  expiredIssueIds,
  type Freed,
  ISSUES_PER_ROUND,
  type IssueCursor,
  oldIssues,
  readProjectRetention,
  SHAPES_PER_ROUND,
  type SweptProject,
  TIMED_TABLES,
} from "../db/retention.ts";
import { RETENTION_EVENTS_PER_ROUND, RETENTION_ROWS_PER_STATEMENT } from "../limits.ts";
import type { CommitLock } from "./commit-lock.ts";
import {
  ALL_ISSUES,
  cutoffSeconds,
  issueWalkBound,
  nextRunAt,
  type RetentionState,
  runAllowance,
  shapeCutoffDay,
} from "./retention-plan.ts";

/** The key of the sweep's state in the object's storage. */
export const RETENTION_STATE_KEY = "retention";
const STATE_KEY = RETENTION_STATE_KEY;
/** After a failed run, the next one waits this long (ms). */
const RETENTION_RETRY_MS = 60_000;

export interface RetentionDeps {
  /** The project's event shard, where the expired rows are. */
  db: D1Database;
  /** The control plane, where the project's retention setting is. */
  control: D1Database;
  storage: DurableObjectStorage;
  lock: CommitLock;
  bytes: ExpiredBytes;
  forgetIssues(): void;
  /** Read at each run: the budget and the clock (production: RETENTION_ROW_BUDGET_PER_HOUR, Date.now()). */
  seams(): RetentionSeams;
  wakeAt(at: number): Promise<void>;
}

/** Rows per hour retention may delete, and the time (ms). */
export interface RetentionSeams {
  budgetPerHour: number;
  now: number;
}

/** What one run did, for the bench and the logs. */
export interface RetentionRun {
  organizationId: number;
  cutoff: number;
  rows: number;
  events: number;
  issues: number;
  bytes: number;
  workLeft: boolean;
  nextAt: number;
}

/** What the sweeps of this object deleted since it started (the ingest-stats API, the bench). */
export interface RetentionTotals {
  runs: number;
  rows: number;
  events: number;
  issues: number;
  bytes: number;
  /** Milliseconds the runs took. */
  ms: number;
}

/** Where a run's walk over issues stands: issues first seen before `bound`, past `after`. */
interface IssueWalk {
  bound: number;
  after: IssueCursor | null;
}

export class RetentionSweep {
  private learned = false;
  readonly totals: RetentionTotals = { runs: 0, rows: 0, events: 0, issues: 0, bytes: 0, ms: 0 };

  constructor(private readonly deps: RetentionDeps) {}

  /** The object serves this project: the first sweep is scheduled one check interval from now. */
  async learn(project: SweptProject): Promise<void> {
    if (this.learned) return;
    this.learned = true;
    const state = await this.deps.storage.get<RetentionState>(STATE_KEY);
    if (state?.projectId === project.projectId) return;
    const nextAt = nextRunAt(this.deps.seams().now, { workLeft: false, budgetLeft: true });
    await this.deps.storage.put(STATE_KEY, { ...project, hourStart: 0, rowsSpent: 0, nextAt });
    await this.deps.wakeAt(nextAt);
  }

  async dueAt(): Promise<number | null> {
    return (await this.deps.storage.get<RetentionState>(STATE_KEY))?.nextAt ?? null;
  }

  /**
   * Runs the sweep when it is due; null when it was not (or the object serves no project yet). A failed
   * run (D1 down) is logged and tried again after RETENTION_RETRY_MS.
   */
  async runIfDue(): Promise<RetentionRun | null> {
    const state = await this.deps.storage.get<RetentionState>(STATE_KEY);
    const now = this.deps.seams().now;
    if (!state || state.nextAt > now) return null;
    const started = performance.now();
    try {
      const run = await this.run(state, now);
      const t = this.totals;
      t.runs += 1;
      t.rows += run.rows;
      t.events += run.events;
      t.issues += run.issues;
      t.bytes += run.bytes;
      t.ms += performance.now() - started;
      return run;
    } catch (error) {
      console.error("retention: sweep failed", error);
      await this.deps.storage.put(STATE_KEY, { ...state, nextAt: now + RETENTION_RETRY_MS });
      return null;
    }
  }

  private async run(state: RetentionState, now: number): Promise<RetentionRun> {
    const { db, control } = this.deps;
    const project = await readProjectRetention(control, state.projectId);
    if (!project) {
      // The project was deleted (with all its rows): nothing to sweep, ever; the object stops waking for it.
      await this.deps.storage.delete(STATE_KEY);
      this.learned = false;
      return {
        organizationId: state.organizationId,
        cutoff: 0,
        rows: 0,
        events: 0,
        issues: 0,
        bytes: 0,
        workLeft: false,
        nextAt: 0,
      };
    }
    const { budgetPerHour } = this.deps.seams();
    const { hourStart, spentBefore, allowance } = runAllowance(state, now, budgetPerHour);
    // Read at every run: a lowered organization or project retention applies at the next sweep.
    const cutoff = cutoffSeconds(now, project.retentionDays, project.orgRetentionDays);
    const owner: SweptProject = {
      projectId: state.projectId,
      organizationId: project.organizationId,
    };
    const done: RetentionRun = {
      organizationId: owner.organizationId,
      cutoff,
      rows: 0,
      events: 0,
      issues: 0,
      bytes: 0,
      workLeft: true,
      nextAt: 0,
    };
    const left = () => allowance - done.rows;
    const events = () => Math.max(1, Math.min(RETENTION_EVENTS_PER_ROUND, left()));
    // The walk over the project's issues first seen before `bound` (the cutoff, or once a day every
    // issue), from the oldest at each run.
    const walk: IssueWalk = { bound: issueWalkBound(state, now, cutoff), after: null };
    // Each step deletes at most what is left of the allowance (an issue's side rows may pass it by
    // one batch); a step that found nothing moves to the next.
    const steps: (() => Promise<boolean>)[] = [
      () => this.issueEventRound(owner, cutoff, walk, events(), done),
      async () => this.freed(done, await deleteExpiredUnissuedEvents(db, owner, cutoff, events())),
      () => this.issueRound(owner, cutoff, left(), done),
      // After every expired event of the run is gone: the shapes only they named.
      () => this.shapeRound(owner, cutoff, Math.min(SHAPES_PER_ROUND, left()), done),
      () => this.rawItemRound(owner, cutoff, Math.min(RETENTION_ROWS_PER_STATEMENT, left()), done),
      async () => this.count(done, await deleteExpiredSpans(db, owner.projectId, cutoff, this.per(left()))),
      ...TIMED_TABLES.map(
        (spec) => async () =>
          this.count(done, await deleteExpiredRows(db, spec, owner.projectId, cutoff, this.per(left()))),
      ),
    ];
    let step = 0;
    while (step < steps.length && left() > 0) {
      const more = await this.deps.lock.run(steps[step] as () => Promise<boolean>);
      if (!more) step += 1;
    }
    done.workLeft = step < steps.length;
    // Every row is swept: bytes kept apart from single rows (sealed payload segments) go by the cutoff.
    if (!done.workLeft) await this.deps.bytes.deleteExpiredSegments(owner.projectId, cutoff);
    const spent = spentBefore + done.rows;
    done.nextAt = nextRunAt(now, {
      workLeft: done.workLeft,
      budgetLeft: spent < budgetPerHour,
    });
    const walkedAll = !done.workLeft && walk.bound === ALL_ISSUES;
    await this.deps.storage.put(STATE_KEY, {
      ...state,
      ...owner,
      hourStart,
      rowsSpent: spent,
      nextAt: done.nextAt,
      ...(walkedAll ? { fullWalkAt: now } : {}),
    });
    return done;
  }

  private per(left: number): number {
    return Math.max(1, Math.min(RETENTION_ROWS_PER_STATEMENT, left));
  }

  /** Counts rows; true while the step may find more (it deleted something). */
  private count(done: RetentionRun, rows: number): boolean {
    done.rows += rows;
    return rows > 0;
  }

  /**
   * Deletes expired events of the walk's next issues; false when the walk has passed every issue first
   * seen before its bound. The walk moves past issues once all their expired events are gone.
   */
  private async issueEventRound(
    owner: SweptProject,
    cutoff: number,
    walk: IssueWalk,
    limit: number,
    done: RetentionRun,
  ) {
    const { db } = this.deps;
    const issues = await oldIssues(db, owner.projectId, walk.bound, walk.after, ISSUES_PER_ROUND);
    const lastIssue = issues[issues.length - 1];
    if (!lastIssue) return false;
    const ids = issues.map((i) => i.id);
    const freed = await deleteExpiredIssueEvents(db, owner, ids, cutoff, limit);
    if (freed.complete) walk.after = lastIssue;
    await this.freed(done, freed);
    return true;
  }

  /** Counts what a round of events freed and deletes its R2 objects; true while there may be more. */
  private async freed(done: RetentionRun, freed: Freed | null): Promise<boolean> {
    if (!freed) return false;
    done.rows += freed.rows;
    done.events += freed.events;
    done.bytes += freed.bytes;
    await this.deps.bytes.deleteRowObjects(freed.blobKeys);
    return true;
  }

  private async issueRound(owner: SweptProject, cutoff: number, left: number, done: RetentionRun) {
    // An issue deletes ~5 rows at least (the issue, hashes, users, tag values).
    const ids = await expiredIssueIds(
      this.deps.db,
      owner.projectId,
      cutoff,
      Math.max(1, Math.floor(left / 5)),
    );
    if (ids.length === 0) return false;
    try {
      done.rows += await deleteIssuesWithRows(this.deps.db, owner.projectId, ids);
    } finally {
      this.deps.forgetIssues();
    }
    done.issues += ids.length;
    return true;
  }

  private async shapeRound(owner: SweptProject, cutoff: number, limit: number, done: RetentionRun) {
    const freed = await deleteUnusedShapes(
      this.deps.db,
      owner.projectId,
      shapeCutoffDay(cutoff),
      Math.max(1, limit),
    );
    done.rows += freed.rows;
    done.bytes += freed.bytes;
    return freed.rows > 0;
  }

  private async rawItemRound(owner: SweptProject, cutoff: number, limit: number, done: RetentionRun) {
    const freed = await deleteExpiredRawItems(this.deps.db, owner, cutoff, Math.max(1, limit));
    if (freed.rows === 0) return false;
    done.rows += freed.rows;
    done.bytes += freed.bytes;
    await this.deps.bytes.deleteRowObjects(freed.blobKeys);
    return true;
  }
}
