// Waiting for the spool to reach D1 (the project object's drainSpool): the test sink's reset, the
// telemetry reset and the tests ask for it.
import type { CommitLock } from "./commit-lock.ts";
import type { PayloadSegments } from "./payload-segments.ts";
import type { Spool } from "./spool.ts";
import type { SpoolFlusher } from "./spool-flusher.ts";

export interface DrainParts {
  spool: Spool;
  flusher: SpoolFlusher;
  lock: CommitLock;
  segments: PayloadSegments;
}

/** Waits up to `timeoutMs` for the spool to reach D1; answers whether it did. */
export async function drainSpool(parts: DrainParts, timeoutMs: number): Promise<boolean> {
  const { spool, flusher, lock, segments } = parts;
  const deadline = Date.now() + timeoutMs;
  while (!spool.empty) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    flusher.kick();
    const flushed = flusher.flushedThrough(spool.lastSeq);
    const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), left));
    // A failed flush retries on its own (backoff); keep waiting until the deadline.
    if (!(await Promise.race([flushed, timedOut]))) await new Promise((r) => setTimeout(r, 25));
  }
  await lock.settled();
  await flusher.cleanupsSettled();
  await segments.settled();
  return true;
}
