// Issue changes made from the UI, through the project service as the REST API's: status changes go
// through the project's Durable Object (it owns the grouping cache that must agree with D1), deletes
// also remove stored bytes and make the object forget its cached hashes, bookmarks are plain fields.
import { addActivity } from "../db/issue-activity.ts";
import { newestReleaseFor } from "../db/releases.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import {
  deleteIssues,
  type IssueStatus,
  type Resolution,
  setIssuesFields,
  setIssuesIgnoreDetails,
  setIssuesStatus,
} from "../project/index.ts";

export type IssueAction =
  | "resolve"
  | "resolve_next"
  | "ignore"
  | "unresolve"
  | "bookmark"
  | "unbookmark"
  | "delete";

export const ISSUE_ACTIONS: ReadonlySet<string> = new Set([
  "resolve",
  "resolve_next",
  "ignore",
  "unresolve",
  "bookmark",
  "unbookmark",
  "delete",
]);

/** Applies one action to issues of one project (ids already checked to belong to it). */
export async function applyIssueAction(
  env: Env,
  shard: string,
  projectId: number,
  issueIds: number[],
  action: IssueAction,
  /** Who acts, for the issues' activity. */
  userId: number | null = null,
): Promise<void> {
  if (issueIds.length === 0) return;
  const targets = issueIds.map((id) => ({ id, project_id: projectId }));
  if (action === "bookmark" || action === "unbookmark") {
    await setIssuesFields(env, shard, issueIds, { is_bookmarked: action === "bookmark" });
    return;
  }
  if (action === "delete") {
    // As the API's delete: events, payload and attachment bytes, hashes and users go with the issues.
    await deleteIssues(env, targets);
    return;
  }
  let status: IssueStatus;
  let resolution: Resolution | null = null;
  switch (action) {
    case "resolve":
      status = "resolved";
      resolution = { type: "resolved" };
      break;
    case "resolve_next": {
      status = "resolved";
      // As the API (and Sentry): without any release yet, this is a plain resolve.
      const newest = await newestReleaseFor(shardDb(env, shard), projectId);
      resolution = newest ? { type: "in_next_release", release: newest } : { type: "resolved" };
      break;
    }
    case "ignore":
      status = "ignored";
      break;
    default:
      status = "unresolved";
  }
  await setIssuesStatus(env, targets, status, resolution);
  // An ignore's snooze details belong to the ignore they came with.
  await setIssuesIgnoreDetails(env, shard, issueIds, null, null);
  const type =
    status === "unresolved"
      ? "set_unresolved"
      : status === "ignored"
        ? "set_ignored"
        : resolution?.type === "in_next_release"
          ? "set_resolved_in_release"
          : "set_resolved";
  const data = type === "set_resolved_in_release" ? { version: "" } : {};
  // The change stands whatever happens here.
  await addActivity(shardDb(env, shard), issueIds, { type, userId, data }, Date.now() / 1000).catch((error) =>
    console.error("issue activity not recorded", error),
  );
}
