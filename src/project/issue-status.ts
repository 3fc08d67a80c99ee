// Issue status changes made through the project's Durable Object, which owns grouping state: the row
// is written, and the object's cached state of the issue follows. Between group commits: a commit plans
// from the cached state and writes it back when it lands, so a change made while one is in flight would
// be overwritten in the cache (a resolved issue that never regresses again).
import { writeIssueStatus } from "../db/issue-status.ts";
import type { IssueCache } from "./caches.ts";
import type { CommitLock } from "./commit-lock.ts";
import type { IssueState, Resolution } from "./issue-lifecycle.ts";

export function setIssueStatus(
  db: D1Database,
  /** Null for a caller that holds it already (the cron monitors run under it). */
  lock: CommitLock | null,
  cache: IssueCache,
  issueId: number,
  status: IssueState["status"],
  resolution: Resolution | null,
): Promise<void> {
  const substatus = status === "unresolved" ? "ongoing" : status === "ignored" ? "archived_forever" : null;
  const change = async () => {
    await writeIssueStatus(db, issueId, {
      status,
      substatus,
      resolution: resolution ? JSON.stringify(resolution) : null,
      resolvedAt: status === "resolved" ? Date.now() / 1000 : null,
    });
    cache.updateIfCached({ id: issueId, status, substatus, resolution });
  };
  // A failed write may have landed: the cache is dropped rather than trusted.
  return lock ? lock.run(change, () => cache.clear()) : change();
}
