// Deleting a project's issues with their events, payload and attachment bytes, hashes and users. Runs
// in the project's Durable Object (its `deleteIssues` RPC), which owns the hash → issue cache: the hashes
// are unhooked and the cache dropped first so new look-alike events start a new issue rather than join
// one being deleted, and the cache is dropped again once the rows are gone. The unhooking waits for the
// group commit in flight: one planned from the cache before it would add events to a deleted issue
// after its last round, which the issue row's cascade would then remove unaccounted.
import { type BlobBucket, deleteBlobs } from "../blobs/event-blobs.ts";
import { deleteEventRound, deleteIssueRows, unhookIssueHashes } from "../db/issue-deletion.ts";
import { chunks } from "../db/sql.ts";
import type { CommitLock } from "./commit-lock.ts";

export async function deleteIssuesWithData(
  env: { DB: D1Database; BLOBS: BlobBucket; lock: CommitLock },
  issueIds: readonly number[],
  forgetCache: () => Promise<void>,
): Promise<void> {
  if (issueIds.length === 0) return;
  const unhook = async () => {
    await unhookIssueHashes(env.DB, issueIds);
    await forgetCache();
  };
  await env.lock.run(unhook, () => void forgetCache());
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
