// Sentry's issue updates (`PUT …/issues/`): status with its resolution or ignore details, assignee,
// seen and bookmark flags, on one issue or in bulk; the answer is Sentry's mutation result. The
// changes go through the project service (status through each project's Durable Object).

import type { IRequest } from "itty-router";
import { addActivity } from "../db/issue-activity.ts";
import { issueTargets, issueTargetsByIds } from "../db/issues.ts";
import { findRelease, newestReleaseFor } from "../db/releases.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import { badRequest } from "../errors.ts";
import { MAX_BULK_ISSUES } from "../limits.ts";
import {
  archiveIssuesUntilEscalating,
  type IssueTarget,
  type Resolution,
  setIssuesFields,
  setIssuesIgnoreDetails,
  setIssuesStatus,
} from "../project/index.ts";
import type { Caller, OrgRow } from "./access.ts";
import { actorsFor } from "./issue-json.ts";
import {
  type ListScope,
  nowSeconds,
  projectCondition,
  resolveActor,
  searchCondition,
} from "./issue-scope.ts";
import { type IgnoreDetails, type IssueUpdate, statusDetailsJson } from "./serializers/issue.ts";

/** The resolution a status change asks for; releases are checked against the organization's. */
async function resolutionOf(
  env: Env,
  org: OrgRow,
  projectIds: number[],
  change: NonNullable<IssueUpdate["status"]>,
): Promise<Resolution> {
  switch (change.status) {
    case "resolvedInRelease": {
      let version: string | null = change.release;
      if (version === "latest") {
        if (projectIds.length > 1)
          throw badRequest("Cannot resolve in the latest release of several projects");
        version = await newestReleaseFor(shardDb(env, org.shard), projectIds[0] ?? 0);
      } else if (!(await findRelease(shardDb(env, org.shard), org.id, version))) {
        throw badRequest("Unable to find the given release.");
      }
      return version ? { type: "in_release", release: version } : { type: "resolved" };
    }
    case "resolvedInNextRelease": {
      if (projectIds.length > 1)
        throw badRequest("Cannot set resolved in next release for multiple projects.");
      const newest = await newestReleaseFor(shardDb(env, org.shard), projectIds[0] ?? 0);
      // Without any release yet, Sentry resolves plainly.
      return newest ? { type: "in_next_release", release: newest } : { type: "resolved" };
    }
    default:
      return { type: "resolved" };
  }
}

/** Applies one update to issues (all of one organization); answers Sentry's mutation result. */
export async function applyUpdate(
  env: Env,
  scope: { caller: Caller; org: OrgRow },
  targets: IssueTarget[],
  update: IssueUpdate,
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const ids = targets.map((t) => t.id);
  if (update.status) {
    const change = update.status;
    let resolution: Resolution | null = null;
    let status: "resolved" | "unresolved" | "ignored" = "resolved";
    let ignore: IgnoreDetails | null = null;
    let substatus: string | null = null;
    if (change.status === "unresolved") {
      status = "unresolved";
      substatus = "ongoing";
    } else if (change.status === "ignored") {
      status = "ignored";
      ignore = change.ignore;
      substatus = change.substatus;
    } else {
      resolution = await resolutionOf(env, scope.org, [...new Set(targets.map((t) => t.project_id))], change);
    }
    await setIssuesStatus(env, targets, status, resolution);
    const detailsJson = ignore && Object.keys(ignore).length > 0 ? JSON.stringify(ignore) : null;
    // The Durable Object wrote status and resolution; the ignore details and substatus are the API's.
    await setIssuesIgnoreDetails(env, scope.org.shard, ids, detailsJson, substatus);
    if (substatus === "archived_until_escalating")
      await archiveIssuesUntilEscalating(env, scope.org.shard, ids, Date.now() / 1000);
    body.status = status;
    body.statusDetails = statusDetailsJson(status, resolution, ignore);
    body.substatus = status === "resolved" ? null : substatus;
    if (status === "resolved") body.inbox = null;
    await recordActivity(env, scope, ids, statusActivity(status, resolution, ignore));
  }
  let assignedTo: string | null | undefined;
  if (update.assignedTo !== undefined) {
    assignedTo = update.assignedTo === null ? null : await resolveAssignee(env, scope, update.assignedTo);
    body.assignedTo = assignedTo ? ((await actorsFor(env.DB, [assignedTo])).get(assignedTo) ?? null) : null;
    const [type, id] = assignedTo ? assignedTo.split(":") : [];
    await recordActivity(
      env,
      scope,
      ids,
      assignedTo
        ? { type: "assigned", data: { assignee: id, assigneeType: type } }
        : { type: "unassigned", data: {} },
    );
  }
  if (update.hasSeen !== undefined) body.hasSeen = update.hasSeen;
  if (update.isBookmarked !== undefined) body.isBookmarked = update.isBookmarked;
  if (update.isPublic !== undefined) body.isPublic = false;
  if (update.isSubscribed !== undefined) body.isSubscribed = false;
  await setIssuesFields(env, scope.org.shard, ids, {
    ...(assignedTo !== undefined ? { assigned_to: assignedTo } : {}),
    ...(update.hasSeen !== undefined ? { has_seen: update.hasSeen } : {}),
    ...(update.isBookmarked !== undefined ? { is_bookmarked: update.isBookmarked } : {}),
  });
  return body;
}

/** Sentry's activity for a status change (set_resolved, set_resolved_in_release, set_ignored, …). */
function statusActivity(
  status: "resolved" | "unresolved" | "ignored",
  resolution: Resolution | null,
  ignore: IgnoreDetails | null,
): { type: string; data: object } {
  if (status === "unresolved") return { type: "set_unresolved", data: {} };
  if (status === "ignored") return { type: "set_ignored", data: ignore ?? {} };
  if (resolution?.type === "in_release")
    return { type: "set_resolved_in_release", data: { version: resolution.release } };
  // Sentry's "in the next release": the version is not known yet.
  if (resolution?.type === "in_next_release")
    return { type: "set_resolved_in_release", data: { version: "" } };
  return { type: "set_resolved", data: {} };
}

/**
 * Records a change on each issue's activity, with who made it (no one for an organization token). The
 * change stands whatever happens here: a failed write is logged, not answered as the change's failure.
 */
async function recordActivity(
  env: Env,
  scope: { caller: Caller; org: OrgRow },
  ids: readonly number[],
  entry: { type: string; data: object },
): Promise<void> {
  const userId = scope.caller.identity.userId;
  await addActivity(shardDb(env, scope.org.shard), ids, { ...entry, userId }, nowSeconds()).catch((error) =>
    console.error("issue activity not recorded", error),
  );
}

function resolveAssignee(env: Env, scope: { caller: Caller; org: OrgRow }, ref: string): Promise<string> {
  if (ref === "me") {
    const userId = scope.caller.identity.userId;
    if (userId === null) throw badRequest('assignedTo: "me" needs a user token');
    return resolveActor(env.DB, scope.org.id, String(userId));
  }
  return resolveActor(env.DB, scope.org.id, ref);
}

/** Issues a bulk request acts on: `?id=` (only the scope's own), else the search's matches (≤ 1000). */
export async function bulkTargets(
  request: IRequest,
  env: Env,
  scope: ListScope,
): Promise<IssueTarget[] | null> {
  const url = new URL(request.url);
  const rawIds = url.searchParams.getAll("id").flatMap((v) => v.split(","));
  if (rawIds.length > 0) {
    const ids = rawIds.map((v) => Number(v.trim()));
    if (ids.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw badRequest("id: expected issue ids");
    if (ids.length > MAX_BULK_ISSUES) throw badRequest(`At most ${MAX_BULK_ISSUES} ids per request`);
    const found = await issueTargetsByIds(shardDb(env, scope.org.shard), projectCondition(scope), [
      ...new Set(ids),
    ]);
    return found.length > 0 ? found : null;
  }
  const where = await searchCondition(request, env, scope, nowSeconds());
  return issueTargets(shardDb(env, scope.org.shard), where, MAX_BULK_ISSUES);
}

export { MAX_BULK_ISSUES };
