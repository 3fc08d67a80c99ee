// Sentry's event lookup by id across an organization (`GET /organizations/{org}/eventids/{event_id}/`):
// `{organizationSlug, projectSlug, groupId, eventId, event}`; 404 when no project of the org has it.
import type { IRequest } from "itty-router";
import { findEventInProjects } from "../../db/event-ids.ts";
import { orgProjectRefs } from "../../db/org-projects.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { MAX_SPOOL_LOOKUP_PROJECTS } from "../../limits.ts";
import { spooledEventIn } from "../../project/index.ts";
import { authenticate, notFound, organizationFor } from "../access.ts";
import { fullEvent, payloadText } from "../event-json.ts";

async function eventById(request: IRequest, env: Env): Promise<Response> {
  const caller = await authenticate(request, env);
  const org = await organizationFor(env, caller, param(request, "org"), "event:read");
  const eventId = param(request, "eventId").replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(eventId)) throw notFound();
  const projects = await orgProjectRefs(env.DB, org.id);
  const events = shardDb(env, org.shard);
  const stored = await findEventInProjects(events, projects, eventId);
  const row = stored ?? (await spooledIn(env, projects, eventId));
  if (!row) throw notFound();
  const event = await fullEvent(env, events, row, payloadText(env, row), null);
  return json({
    organizationSlug: org.slug,
    projectSlug: row.project_slug,
    groupId: row.issue_id === null ? null : String(row.issue_id),
    eventId: row.event_id,
    event,
  });
}

/** An event accepted but not in D1 yet, from the spools of the organization's projects (bounded). */
async function spooledIn(env: Env, projects: { id: number; slug: string }[], eventId: string) {
  const asked = projects.slice(0, MAX_SPOOL_LOOKUP_PROJECTS);
  const row = await spooledEventIn(
    env,
    asked.map((p) => p.id),
    eventId,
  );
  const slug = row ? asked.find((p) => p.id === row.project_id)?.slug : undefined;
  return row && slug ? { ...row, project_slug: slug } : null;
}

export function registerEventIdRoutes(router: AppRouter): void {
  router.get("/api/0/organizations/:org/eventids/:eventId/", (req, env) => eventById(req, env));
}
