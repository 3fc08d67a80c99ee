// Clearing a project's telemetry — events, issues, transactions, spans, logs, sessions, check-ins,
// feedback, outcomes and their bytes — with what the project's Durable Object remembers of it, so the
// next event starts a new issue instead of joining a deleted one and a rate-limit window filled before
// starts empty. Keys, releases and debug files stay. The test sink's reset between tests
// (testing/worker/); no production route calls it.
import type { BlobBucket } from "../blobs/bucket.ts";
import { deleteProjectIngestBlobs } from "../blobs/project-blobs.ts";
import { deleteProjectTelemetry } from "../db/project-telemetry.ts";
import type { RateLimitAdmission } from "./admission.ts";
import type { IssueCache } from "./caches.ts";
import type { CommitLock } from "./commit-lock.ts";

export interface TelemetryResetDeps {
  db: D1Database;
  bucket: BlobBucket;
  lock: CommitLock;
  issues: IssueCache;
  admission: RateLimitAdmission;
  /** Forgets the sessions release health counted (their counters are deleted with the rest). */
  forgetSessions(): void;
  /** Forgets the digests of spooled log items: the same bytes sent after the reset are stored again. */
  forgetLogDigests(): void;
  /** Writes the spool to D1; false when it could not within its time. */
  drainSpool(): Promise<boolean>;
}

/**
 * Answers false (nothing deleted) when the spool could not be written to D1 first: what was accepted
 * before the reset must be deleted with the rest, not land after it.
 */
export async function clearProjectTelemetry(deps: TelemetryResetDeps, projectId: number): Promise<boolean> {
  if (!(await deps.drainSpool())) return false;
  const forget = () => deps.issues.clear();
  // Between group commits: a commit plans from the issue cache, which must not outlive the rows.
  await deps.lock.run(async () => {
    await deleteProjectTelemetry(deps.db, projectId);
    deps.forgetSessions();
    deps.forgetLogDigests();
    forget();
  }, forget);
  await deps.admission.reset();
  await deleteProjectIngestBlobs(deps.bucket, projectId);
  return true;
}
