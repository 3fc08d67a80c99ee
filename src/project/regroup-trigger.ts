// Moves re-symbolicated events (a debug file arrived late) to the issues their new grouping selects,
// from inside the project's Durable Object: between group commits, never during one, and with the
// cached state of every issue it touched dropped before the next commit plans.
import type { IssueCache } from "./caches.ts";
import type { CommitLock } from "./commit-lock.ts";
import { applyRegroup, type RegroupMove, type RegroupResult } from "./regroup.ts";

export function regroupBetweenCommits(
  db: D1Database,
  lock: CommitLock,
  cache: IssueCache,
  projectId: number,
  moves: RegroupMove[],
): Promise<RegroupResult> {
  return lock.run(
    () =>
      applyRegroup(db, projectId, moves).then((result) => {
        cache.forget(result.touchedIssues);
        return result;
      }),
    // What it wrote before it failed is unknown: every cached issue is re-read.
    () => cache.clear(),
  );
}
