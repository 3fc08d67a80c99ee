// The project's D1 writes run one at a time, in the order they were asked for: spool flushes (group
// commits), and the issue changes that must never interleave with one (merge, unmerge, regroup), since
// a group commit plans from what the object's caches say about issues.

export class CommitLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` once every earlier piece of work has finished; `onFailure` runs when it fails. */
  run<T>(work: () => Promise<T>, onFailure?: () => void): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => onFailure?.(),
    );
    return result;
  }

  /** Resolves once everything asked for so far has finished. */
  async settled(): Promise<void> {
    await this.tail;
  }
}
