// Issue changes made from the UI. Status changes go through the project's Durable Object (it owns the
// grouping cache that must agree with D1); bookmarks are plain D1 writes; deletes use the REST API's
// delete, which also removes stored bytes and makes the object forget its cached hashes.
import { deleteIssues, newestReleaseFor } from "../api/index.ts";
import type { Env } from "../env.ts";
import type { IssueStatus, Resolution } from "../project/index.ts";

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

const projectObject = (env: Env, projectId: number) =>
  env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));

/** Applies one action to issues of one project (ids already checked to belong to it). */
export async function applyIssueAction(
  env: Env,
  projectId: number,
  issueIds: number[],
  action: IssueAction,
): Promise<void> {
  if (issueIds.length === 0) return;
  const marks = issueIds.map(() => "?").join(",");
  if (action === "bookmark" || action === "unbookmark") {
    await env.DB.prepare(`UPDATE issues SET is_bookmarked = ? WHERE project_id = ? AND id IN (${marks})`)
      .bind(action === "bookmark" ? 1 : 0, projectId, ...issueIds)
      .run();
    return;
  }
  if (action === "delete") {
    // The API's delete: events, payload and attachment bytes, hashes and users go with the issues.
    await deleteIssues(
      env,
      issueIds.map((id) => ({ id, project_id: projectId })),
    );
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
      const newest = await newestReleaseFor(env.DB, projectId);
      resolution = newest ? { type: "in_next_release", release: newest } : { type: "resolved" };
      break;
    }
    case "ignore":
      status = "ignored";
      break;
    default:
      status = "unresolved";
  }
  const object = projectObject(env, projectId);
  for (const id of issueIds) await object.setIssueStatus(id, status, resolution);
  // An ignore's snooze details belong to the ignore they came with.
  await env.DB.prepare(`UPDATE issues SET status_details = NULL WHERE project_id = ? AND id IN (${marks})`)
    .bind(projectId, ...issueIds)
    .run();
}
