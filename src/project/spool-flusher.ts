// Moves the spool to D1: the oldest spooled envelopes go in one group commit that also writes the
// spool mark (db/spool-marks.ts), and leave the spool only once D1 holds them. On failure it backs off
// and retries (a timer while the object lives, its alarm if it is evicted). After any failure whose
// outcome is unknown (D1 may have committed and lost the answer) it reads the mark before committing
// again, so nothing is written twice; when the mark shows the failed commit landed, what follows a
// commit (release health, alerts, cron monitors) runs then, and otherwise its usage is gathered again.
// A commit D1 refuses for its data is retried envelope by envelope; the one D1 refuses alone is counted
// as an `invalid` outcome, the others are stored.
import type { BlobBucket } from "../blobs/bucket.ts";
import { deleteUnreferencedBlobs } from "../blobs/cleanup.ts";
import { readSpoolMark } from "../db/spool-marks.ts";
import {
  MAX_BATCHES_PER_COMMIT,
  MAX_COMMIT_BATCH_UNITS,
  SPOOL_BUSY_COMMIT_ENVELOPES,
  SPOOL_FLUSH_BUSY_LINGER_MS,
  SPOOL_FLUSH_LINGER_MS,
  SPOOL_RETRY_FIRST_MS,
  SPOOL_RETRY_MAX_MS,
} from "../limits.ts";
import { isDataError, refusedCategory, writtenBlobKeys } from "./commit-failures.ts";
import type { CommitLock } from "./commit-lock.ts";
import { CommitFailure, type CommittedBatch, type GroupCommit } from "./group-commit.ts";
import { emptyBatch } from "./ingest-batch.ts";
import { type Spool, type SpooledBatch, spooledEventId } from "./spool.ts";

export interface FlushDeps {
  spool: Spool;
  lock: CommitLock;
  commits: GroupCommit;
  db: D1Database;
  bucket: BlobBucket;
  /** Nothing of a failed commit is known to be written: cached grouping state is re-read. */
  forgetCachedState(): void;
  /** Arms the object's alarm for `at` at the latest (the retry survives an eviction). */
  wakeAt(at: number): Promise<void>;
}

export interface FlushStats {
  flushes: number;
  flushedEnvelopes: number;
  /** D1 failures in a row now (0 when the last attempt succeeded). */
  flushFailures: number;
  refusedByD1: number;
}

interface Waiter {
  seq: number;
  resolve: (flushed: boolean) => void;
}

export class SpoolFlusher {
  readonly stats: FlushStats = { flushes: 0, flushedEnvelopes: 0, flushFailures: 0, refusedByD1: 0 };
  private running: Promise<void> | null = null;
  /** Whether D1 may hold more than the spool says (set at start and after each unknown failure). */
  private uncertain = true;
  /** The commit whose failure left the flush uncertain, through the spool sequence it carried. */
  private unsettled: { seq: number; failure: CommitFailure } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The highest sequence number known to be in D1. */
  private flushedSeq = 0;
  private waiters: Waiter[] = [];
  /** Envelopes the last commit carried: how busy the project is. */
  private lastCommitEnvelopes = 0;
  /** Deletes of orphaned bytes still running (a drain waits for them). */
  private readonly cleanups = new Set<Promise<void>>();

  constructor(private readonly deps: FlushDeps) {}

  /** Starts a flush unless one runs or a retry is already scheduled. */
  kick(): void {
    if (this.running || this.retryTimer || this.deps.spool.empty) return;
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  /** Starts a flush now, also when a retry was scheduled for later (the alarm fired). */
  kickNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.kick();
  }

  /**
   * Resolves true once every envelope spooled up to `seq` is in D1, false as soon as a flush fails
   * first (the caller decides whether to wait for the retry).
   */
  flushedThrough(seq: number): Promise<boolean> {
    if (seq <= this.flushedSeq || this.deps.spool.empty) return Promise.resolve(true);
    const flushed = new Promise<boolean>((resolve) => this.waiters.push({ seq, resolve }));
    this.kick();
    return flushed;
  }

  private async run(): Promise<void> {
    const { spool, lock } = this.deps;
    while (!spool.empty) {
      // A backlog is flushed commit after commit, but each waits for a timer turn first: chained on D1
      // alone, the loop kept the object from admitting anything (and from answering) until the whole
      // backlog was in D1, seconds after an outage.
      const linger = spool.size.entries < MAX_BATCHES_PER_COMMIT ? flushLinger(this.lastCommitEnvelopes) : 0;
      await new Promise((resolve) => setTimeout(resolve, linger));
      const ok = await lock.run(() => this.flushOnce());
      if (!ok) {
        this.retryLater();
        return;
      }
      this.stats.flushFailures = 0;
    }
    this.settleWaiters(true);
  }

  private retryLater(): void {
    this.stats.flushFailures += 1;
    const delay = Math.min(SPOOL_RETRY_MAX_MS, SPOOL_RETRY_FIRST_MS * 2 ** (this.stats.flushFailures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, delay);
    void this.deps.wakeAt(Date.now() + delay + SPOOL_RETRY_FIRST_MS);
    this.settleWaiters(false);
  }

  /** One group commit of the spool's head; false when D1 failed (nothing was removed from the spool). */
  private async flushOnce(): Promise<boolean> {
    const { spool } = this.deps;
    spool.spoolRefusals(Date.now() / 1000);
    let head = spool.head(MAX_BATCHES_PER_COMMIT, MAX_COMMIT_BATCH_UNITS);
    const first = head[0];
    if (!first) return true;
    if (this.uncertain) {
      try {
        const mark = await readSpoolMark(this.deps.db, first.admitted.batch.key.projectId, spool.epoch);
        await this.settle(mark);
        if (mark >= first.seq) {
          spool.removeThrough(mark);
          this.advance(mark);
          head = spool.head(MAX_BATCHES_PER_COMMIT, MAX_COMMIT_BATCH_UNITS);
          if (head.length === 0) return true;
        }
        this.uncertain = false;
      } catch (error) {
        console.error("spool flush: D1 unavailable", error);
        return false;
      }
    }
    try {
      this.finish(head, await this.commit(head));
      return true;
    } catch (error) {
      this.deps.forgetCachedState();
      if (!isDataError(error)) {
        this.becomeUncertain(head, error);
        console.error("spool flush: D1 unavailable", error);
        return false;
      }
      if (error instanceof CommitFailure) error.notLanded();
      // D1 refused the data (nothing of the transaction was written): find whose, envelope by envelope.
      return this.commitEachAlone(head);
    }
  }

  private commit(entries: readonly SpooledBatch[]): Promise<CommittedBatch[]> {
    const last = entries[entries.length - 1] as SpooledBatch;
    const mark = { epoch: this.deps.spool.epoch, seq: last.seq };
    return this.deps.commits.commit(
      entries.map((e) => e.admitted),
      mark,
    );
  }

  private async commitEachAlone(entries: readonly SpooledBatch[]): Promise<boolean> {
    for (const entry of entries) {
      try {
        this.finish([entry], await this.commit([entry]));
      } catch (error) {
        this.deps.forgetCachedState();
        if (!isDataError(error)) {
          this.becomeUncertain([entry], error);
          return false;
        }
        if (error instanceof CommitFailure) error.notLanded();
        if (!(await this.refuse(entry, error))) return false;
      }
    }
    return true;
  }

  /**
   * D1 refuses this envelope's own data, and will on every retry: it leaves the spool counted as an
   * `invalid` outcome (with its event id, so "why didn't my event show up?" has an answer).
   */
  private async refuse(entry: SpooledBatch, error: unknown): Promise<boolean> {
    console.error("spooled envelope refused by D1", error);
    const batch = entry.admitted.batch;
    const eventId = spooledEventId(entry.admitted);
    const outcomeBatch = emptyBatch(batch.key, batch.receivedAt);
    outcomeBatch.outcomes.push({
      category: refusedCategory(batch),
      outcome: "invalid",
      reason: "storage_refused",
      quantity: 1,
      ...(eventId ? { eventId } : {}),
    });
    try {
      const refused = { ...entry, admitted: { batch: outcomeBatch, eventAdmitted: true } };
      await this.commit([refused]);
      this.finish([entry], []);
      this.stats.refusedByD1 += 1;
      return true;
    } catch (outcomeError) {
      this.deps.forgetCachedState();
      if (!isDataError(outcomeError)) this.becomeUncertain([entry], outcomeError);
      else if (outcomeError instanceof CommitFailure) outcomeError.notLanded();
      console.error("could not record the refusal", outcomeError);
      return false;
    }
  }

  /** A commit of `entries` failed and may have landed: the next flush reads the mark first. */
  private becomeUncertain(entries: readonly SpooledBatch[], error: unknown): void {
    this.uncertain = true;
    const last = entries[entries.length - 1];
    if (last && error instanceof CommitFailure) this.unsettled = { seq: last.seq, failure: error };
  }

  /** Given the spool mark D1 holds: finishes the failed commit that landed, or takes back its usage. */
  private async settle(mark: number): Promise<void> {
    const unsettled = this.unsettled;
    this.unsettled = null;
    if (!unsettled) return;
    if (mark < unsettled.seq) {
      unsettled.failure.notLanded();
      return;
    }
    await unsettled.failure
      .landed()
      .catch((error) => console.error("spool flush: after a commit that landed", error));
  }

  /** The entries are in D1: they leave the spool, and bytes that no stored row points to are deleted. */
  private finish(entries: readonly SpooledBatch[], results: readonly CommittedBatch[]): void {
    this.deps.spool.remove(entries);
    this.stats.flushes += 1;
    this.stats.flushedEnvelopes += entries.length;
    this.lastCommitEnvelopes = entries.length;
    const last = entries[entries.length - 1];
    if (last) this.advance(last.seq);
    const orphans = entries.flatMap((e, i) => {
      const stored = new Set(results[i]?.storedBlobKeys ?? []);
      return writtenBlobKeys(e.admitted.batch).filter((k) => !stored.has(k));
    });
    if (orphans.length === 0) return;
    const cleanup = deleteUnreferencedBlobs(this.deps.db, this.deps.bucket, orphans).finally(() =>
      this.cleanups.delete(cleanup),
    );
    this.cleanups.add(cleanup);
  }

  /** Resolves once the deletes of orphaned bytes started so far have finished. */
  async cleanupsSettled(): Promise<void> {
    await Promise.all([...this.cleanups]);
  }

  private advance(seq: number): void {
    this.flushedSeq = Math.max(this.flushedSeq, seq);
    const done = this.waiters.filter((w) => w.seq <= this.flushedSeq);
    this.waiters = this.waiters.filter((w) => w.seq > this.flushedSeq);
    for (const w of done) w.resolve(true);
  }

  private settleWaiters(flushed: boolean): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.resolve(flushed);
  }
}

/** How long a flush waits for more envelopes, given how many the last commit carried. */
export function flushLinger(lastCommitEnvelopes: number): number {
  return lastCommitEnvelopes >= SPOOL_BUSY_COMMIT_ENVELOPES
    ? SPOOL_FLUSH_BUSY_LINGER_MS
    : SPOOL_FLUSH_LINGER_MS;
}
