// Issue changes the REST API and the web UI both make. Status and deletes go through each project's
// Durable Object, which owns the grouping cache and regression state that must agree with D1; plain
// fields (assignee, bookmark, seen, ignore details) are D1 writes.

import { archiveUntilEscalating } from "../db/issue-escalation.ts";
import { type IssueFields, setIgnoreDetails, setIssueFields } from "../db/issues.ts";
import type { IssueTarget } from "../db/rows.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import type { IssueStatus, Resolution } from "./issue-lifecycle.ts";

export type { IssueFields, IssueTarget };

const projectObject = (env: Env, projectId: number) =>
  env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));

/** Runs `fn` over items with at most `limit` in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Sets status and resolution of issues through their projects' objects (16 calls in flight at most). */
export async function setIssuesStatus(
  env: Env,
  targets: readonly IssueTarget[],
  status: IssueStatus,
  resolution: Resolution | null,
): Promise<void> {
  await inParallel(targets, 16, (t) =>
    projectObject(env, t.project_id).setIssueStatus(t.id, status, resolution),
  );
}

/** Ignore details (or none, clearing a former ignore's) and the substatus when given. */
export function setIssuesIgnoreDetails(
  env: Env,
  shard: string,
  issueIds: readonly number[],
  detailsJson: string | null,
  substatus: string | null,
): Promise<void> {
  return setIgnoreDetails(shardDb(env, shard), issueIds, detailsJson, substatus);
}

/**
 * Archives ignored issues until they escalate: each gets the ceiling its day's events must pass, from
 * its volume of the week before (src/db/issue-escalation.ts). Their group commits count and compare.
 */
export function archiveIssuesUntilEscalating(
  env: Env,
  shard: string,
  issueIds: readonly number[],
  now: number,
): Promise<void> {
  return archiveUntilEscalating(shardDb(env, shard), issueIds, now);
}

/** Assignee, bookmark and seen flags (the issues are on the organization's event shard `shard`). */
export function setIssuesFields(
  env: Env,
  shard: string,
  issueIds: readonly number[],
  fields: IssueFields,
): Promise<void> {
  return setIssueFields(shardDb(env, shard), issueIds, fields);
}

/** Deletes issues with their events, payload and attachment bytes, hashes and users. */
export async function deleteIssues(env: Env, targets: readonly IssueTarget[]): Promise<void> {
  const byProject = new Map<number, number[]>();
  for (const t of targets) byProject.set(t.project_id, [...(byProject.get(t.project_id) ?? []), t.id]);
  await Promise.all(
    [...byProject].map(([projectId, ids]) => projectObject(env, projectId).deleteIssues(ids)),
  );
}

/** Drops the project's cached grouping state (its issues are gone: the project is being deleted). */
export async function forgetProjectIssues(env: Env, projectId: number): Promise<void> {
  await projectObject(env, projectId).forgetIssues();
}

/**
 * Deletes the project's telemetry through its object (src/project/telemetry-reset.ts); false when its
 * spool could not be written to D1 first.
 */
export function clearTelemetry(env: Env, projectId: number): Promise<boolean> {
  return projectObject(env, projectId).clearTelemetry(projectId);
}

/** Tells the project's object that its alert rules or settings changed (it caches them between commits). */
export async function forgetProjectAlertRules(env: Env, projectId: number): Promise<void> {
  await projectObject(env, projectId).forgetAlertRules();
}

/** Tells the project's object that a monitor of the project changed (its alarm follows the deadlines). */
export async function monitorsChanged(env: Env, projectId: number, organizationId: number): Promise<void> {
  await projectObject(env, projectId).monitorsChanged(projectId, organizationId);
}
