// Sentry's bulk merge (`PUT …/issues/?id=…&id=…` with `{"merge": 1}`): the issue with the most events
// is the parent, the others merge into it. The project's Durable Object does the moving.
import { issueCounts } from "../db/issue-hashes.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import { badRequest } from "../errors.ts";

/** Whether a bulk-update body asks for a merge (Sentry accepts 1, true or "1"). */
export function isMergeRequest(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const merge = (body as Record<string, unknown>).merge;
  return merge === 1 || merge === true || merge === "1" || merge === "true";
}

export async function mergeTargets(
  env: Env,
  shard: string,
  targets: readonly { id: number }[],
): Promise<{ merge: { parent: string; children: string[] } }> {
  const issues = await issueCounts(
    shardDb(env, shard),
    targets.map((t) => t.id),
  );
  if (issues.length < 2) throw badRequest("Merging requires at least two issues");
  if (new Set(issues.map((i) => i.project_id)).size > 1)
    throw badRequest("Merging across multiple projects is not supported");
  // Sentry keeps the issue seen most often (the newest id breaks a tie).
  const [parent, ...children] = [...issues].sort((a, b) => b.times_seen - a.times_seen || b.id - a.id);
  if (!parent) throw badRequest("Merging requires at least two issues");
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(parent.project_id)));
  await stub.mergeIssues(
    parent.project_id,
    parent.id,
    children.map((c) => c.id),
  );
  return { merge: { parent: String(parent.id), children: children.map((c) => String(c.id)) } };
}
