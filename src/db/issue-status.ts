// The status change of one issue, as the project's Durable Object writes it (it owns grouping state, so
// its cache of issue states stays true).

export interface IssueStatusChange {
  status: "unresolved" | "resolved" | "ignored";
  substatus: string | null;
  /** Resolution JSON, or null. */
  resolution: string | null;
  /** Unix seconds, set when the issue is resolved. */
  resolvedAt: number | null;
}

export async function writeIssueStatus(
  db: D1Database,
  issueId: number,
  change: IssueStatusChange,
): Promise<void> {
  await db
    .prepare("UPDATE issues SET status = ?, substatus = ?, resolution = ?, resolved_at = ? WHERE id = ?")
    .bind(change.status, change.substatus, change.resolution, change.resolvedAt, issueId)
    .run();
}
