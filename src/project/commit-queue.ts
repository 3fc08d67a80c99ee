// The project's Durable Object serializes its D1 writes through this queue: envelopes that arrive
// while a commit runs are written together by the next one (one D1 transaction). A commit that fails
// as a whole is retried envelope by envelope, so one sender's bad data never fails the others'.
import { MAX_BATCHES_PER_COMMIT, MAX_COMMIT_BATCH_UNITS } from "../limits.ts";
import { isDataError, refusalOf, refusedCategory } from "./commit-failures.ts";
import type { AdmittedBatch } from "./commit-plan.ts";
import type { CommittedBatch } from "./group-commit.ts";
import { type ActiveRateLimit, emptyBatch, type IngestResult } from "./ingest-batch.ts";

/**
 * How long a commit waits for more envelopes when only one is queued. Each D1 commit has fixed costs
 * (issue counter updates, outcome rows, a round trip) that are shared by every envelope in it; a few
 * milliseconds of gathering under load cuts rows written per event, at a small cost in latency.
 */
const COMMIT_GATHER_MS = 4;

interface Pending {
  admitted: AdmittedBatch;
  limits: ActiveRateLimit[];
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** What the queue needs of the object: the commit itself, and forgetting cached state after a failure. */
export interface Committer {
  commit(admitted: AdmittedBatch[]): Promise<CommittedBatch[]>;
  /** Nothing of a failed commit was written: cached grouping state is re-read next time. */
  forgetCachedState(): void;
}

export class CommitQueue {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  /**
   * Envelopes that arrived while a commit was in flight: evidence of concurrent senders, the only case
   * where waiting COMMIT_GATHER_MS gathers more (one sender waiting for its answer gains nothing).
   */
  private committing = false;
  /** Envelopes not answered yet, and when two or more last overlapped (several senders at once). */
  private inFlight = 0;
  private lastConcurrentAt = 0;
  private arrivalsDuringCommit = 0;
  private arrivalsDuringLastCommit = 0;

  constructor(private readonly committer: Committer) {}

  /** Queues one admitted envelope; answers once the commit that carries it landed (or failed). */
  enqueue(admitted: AdmittedBatch, limits: ActiveRateLimit[]): Promise<IngestResult> {
    if (this.committing) this.arrivalsDuringCommit += 1;
    this.inFlight += 1;
    if (this.inFlight >= 2) this.lastConcurrentAt = Date.now();
    const done = () => {
      this.inFlight -= 1;
    };
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({
        admitted,
        limits,
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      if (!this.flushing) this.flushing = this.flushLoop().finally(() => (this.flushing = null));
    });
  }

  /** Resolves once the commit in flight (if any) has landed. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /**
   * Runs `work` between group commits, never during one: waits for the queue to drain, holds commits
   * back while it runs, then commits what queued meanwhile. `onFailure` runs (before those commits)
   * when `work` fails.
   */
  async between<T>(work: () => Promise<T>, onFailure: () => void): Promise<T> {
    while (this.flushing) await this.flushing;
    const run = work();
    this.flushing = run
      .then(
        () => undefined,
        () => onFailure(),
      )
      .then(() => this.flushLoop())
      .finally(() => (this.flushing = null));
    return run;
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.queue.length === 1 && this.concurrentLately()) {
        await new Promise((resolve) => setTimeout(resolve, COMMIT_GATHER_MS));
      }
      const taken = this.takeForCommit();
      try {
        this.committing = true;
        this.arrivalsDuringCommit = 0;
        const results = await this.committer.commit(taken.map((p) => p.admitted)).finally(() => {
          this.committing = false;
          this.arrivalsDuringLastCommit = this.arrivalsDuringCommit;
        });
        taken.forEach((p, i) => {
          answer(p, results[i]);
        });
      } catch (error) {
        // Nothing of this commit was written (one D1 transaction); re-read grouping state next time.
        this.committer.forgetCachedState();
        if (taken.length === 1) await this.failAlone(taken[0] as Pending, error);
        else await this.commitEachAlone(taken);
      }
    }
  }

  /**
   * The next group commit: up to MAX_BATCHES_PER_COMMIT envelopes and MAX_COMMIT_BATCH_UNITS of
   * prepared data (the first one always, whatever its size).
   */
  private takeForCommit(): Pending[] {
    let units = 0;
    let count = 0;
    for (const p of this.queue) {
      if (count >= MAX_BATCHES_PER_COMMIT) break;
      const size = p.admitted.batch.units;
      if (count > 0 && units + size > MAX_COMMIT_BATCH_UNITS) break;
      units += size;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /**
   * A group commit failed: one envelope's rows can make the whole D1 transaction fail (a value over a
   * D1 limit), so each envelope is committed on its own and only the ones that fail again are failed.
   * Other senders' envelopes in the same commit are stored.
   */
  private async commitEachAlone(taken: Pending[]): Promise<void> {
    for (const p of taken) {
      try {
        const [result] = await this.committer.commit([p.admitted]);
        answer(p, result);
      } catch (error) {
        this.committer.forgetCachedState();
        await this.failAlone(p, error);
      }
    }
  }

  /**
   * Fails one envelope whose commit failed on its own. An error in its data (over a D1 limit, a
   * constraint) will fail every retry: it is answered as refused and counted as an `invalid` outcome.
   * Anything else (D1 overloaded, a reset) may pass later: the sender is asked to retry.
   */
  private async failAlone(p: Pending, error: unknown): Promise<void> {
    if (!isDataError(error)) {
      p.reject(error);
      return;
    }
    console.error("envelope refused by D1", error);
    const batch = p.admitted.batch;
    const outcome = {
      category: refusedCategory(batch),
      outcome: "invalid" as const,
      reason: "storage_refused",
      quantity: 1,
    };
    try {
      await this.committer.commit([
        { batch: { ...emptyBatch(batch.key, batch.receivedAt), outcomes: [outcome] }, eventAdmitted: true },
      ]);
    } catch (outcomeError) {
      console.error("could not record outcome", outcomeError);
    }
    p.resolve({
      eventStored: false,
      duplicate: false,
      issueId: null,
      rateLimits: p.limits,
      everythingRateLimited: false,
      storedBlobKeys: [],
      refused: refusalOf(error),
    });
  }

  /** Several senders lately: envelopes overlapped in the last 100 ms, or arrived during the last commit. */
  private concurrentLately(): boolean {
    return this.arrivalsDuringLastCommit > 0 || Date.now() - this.lastConcurrentAt < 100;
  }
}

function answer(p: Pending, result: CommittedBatch | undefined): void {
  if (result) p.resolve({ ...result, rateLimits: p.limits, everythingRateLimited: isAllLimited(p) });
  else p.reject(new Error("commit produced no result"));
}

function isAllLimited(p: Pending): boolean {
  if (p.admitted.eventAdmitted || !p.admitted.batch.event) return false;
  const b = p.admitted.batch;
  // Anything else in the envelope was kept, so the request was not rejected as a whole.
  return (
    b.transaction === null &&
    b.spans.length === 0 &&
    b.logs.length === 0 &&
    b.sessionUpdates.length === 0 &&
    b.sessionAggregates.length === 0 &&
    b.checkIns.length === 0 &&
    b.feedback.length === 0 &&
    b.userReports.length === 0 &&
    b.rawItems.length === 0 &&
    b.looseAttachments === null
  );
}
