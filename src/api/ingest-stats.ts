// GET /api/0/projects/{org}/{project}/ingest-stats/: the project's Durable Object counters (commits,
// D1 queries, rows written/read). Used by the benchmark; the start of the cost meter.
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { json } from "../http/responses.ts";
import { authenticateToken, organizationsOf } from "./tokens.ts";

export async function handleIngestStats(
  request: Request,
  env: Env,
  orgSlug: string,
  projectSlug: string,
): Promise<Response> {
  const identity = await authenticateToken(env.DB, request.headers.get("authorization"));
  if (!identity.scopes.has("project:read") && !identity.scopes.has("project:admin")) {
    throw new FaultlineError(403, "You do not have permission to perform this action.");
  }
  const project = await env.DB.prepare(
    `SELECT p.id, p.organization_id FROM projects p JOIN organizations o ON o.id = p.organization_id
     WHERE o.slug = ? AND p.slug = ?`,
  )
    .bind(orgSlug, projectSlug)
    .first<{ id: number; organization_id: number }>();
  const orgs = await organizationsOf(env.DB, identity);
  // 404, not 403, for another tenant's project: its existence is not revealed.
  if (!project || !orgs.has(project.organization_id))
    throw new FaultlineError(404, "The requested resource does not exist");
  const stats = await env.PROJECTS.get(env.PROJECTS.idFromName(String(project.id))).getStats();
  return json(stats);
}
