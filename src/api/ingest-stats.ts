// GET /api/0/projects/{org}/{project}/ingest-stats/: the project's Durable Object counters (commits,
// D1 queries, rows written/read). Used by the benchmark; the start of the cost meter.
import type { Env } from "../env.ts";
import { json } from "../http/responses.ts";
import { authenticate, projectFor } from "./access.ts";

export async function handleIngestStats(
  request: Request,
  env: Env,
  orgSlug: string,
  projectSlug: string,
): Promise<Response> {
  // access.ts: another tenant's project is 404 (its existence is not revealed), a missing scope 403.
  const caller = await authenticate(request, env);
  const { project } = await projectFor(env, caller, orgSlug, projectSlug, "project:read");
  const stats = await env.PROJECTS.get(env.PROJECTS.idFromName(String(project.id))).getStats();
  return json(stats);
}
