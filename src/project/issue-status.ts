// Issue status changes made through the project's Durable Object, which owns grouping state: the row
// is written, and the object's cached state of the issue follows.
import { writeIssueStatus } from "../db/issue-status.ts";
import type { IssueCache } from "./caches.ts";
import type { IssueState, Resolution } from "./issue-lifecycle.ts";

export async function setIssueStatus(
  db: D1Database,
  cache: IssueCache,
  issueId: number,
  status: IssueState["status"],
  resolution: Resolution | null,
): Promise<void> {
  const substatus = status === "unresolved" ? "ongoing" : status === "ignored" ? "archived_forever" : null;
  await writeIssueStatus(db, issueId, {
    status,
    substatus,
    resolution: resolution ? JSON.stringify(resolution) : null,
    resolvedAt: status === "resolved" ? Date.now() / 1000 : null,
  });
  cache.updateIfCached({ id: issueId, status, substatus, resolution });
}
