// Deleting a project's issues with their events, payload and attachment bytes, hashes and users. Runs
// in the project's Durable Object (its `deleteIssues` RPC), which owns the hash → issue cache: the hashes
// are unhooked and the cache dropped first so new look-alike events start a new issue rather than join
// one being deleted, and the cache is dropped again once the rows are gone.
import { type BlobBucket, deleteBlobs } from "../blobs/event-blobs.ts";
import { deleteEventRound, deleteIssueRows, unhookIssueHashes } from "../db/issue-deletion.ts";
import { chunks } from "../db/sql.ts";

export async function deleteIssuesWithData(
  env: { DB: D1Database; BLOBS: BlobBucket },
  issueIds: readonly number[],
  forgetCache: () => Promise<void>,
): Promise<void> {
  if (issueIds.length === 0) return;
  await unhookIssueHashes(env.DB, issueIds);
  await forgetCache();
  for (const part of chunks(issueIds)) {
    for (;;) {
      const blobKeys = await deleteEventRound(env.DB, part);
      if (blobKeys === null) break;
      await deleteBlobs(env.BLOBS, blobKeys);
    }
    await deleteIssueRows(env.DB, part);
  }
  await forgetCache();
}
