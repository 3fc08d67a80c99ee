// `GET /api/0/projects/{org}/{project}/events/{event_id}/receipt/`: what became of one event id (see
// src/api/receipt.ts and docs/receipts.md). Readable with `event:read`, for the caller's projects only.
import { projectEvent } from "../../db/events.ts";
import { shardDb } from "../../db/shards.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { spooledEvent } from "../../project/index.ts";
import { normalizeEventId } from "../../protocol/envelope.ts";
import { requestProject } from "../access.ts";
import { buildReceipt } from "../receipt.ts";

export function registerEventReceiptRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/events/:eventId/receipt/", async (req, env) => {
    const { org, project } = await requestProject(req, env, "event:read");
    const eventId = normalizeEventId(param(req, "eventId"));
    if (!eventId) throw badRequest("Invalid event id: 32 hexadecimal characters (dashes allowed)");
    const stored = await projectEvent(shardDb(env, org.shard), project.id, eventId);
    const spooled = stored ? null : await spooledEvent(env, project.id, eventId);
    return json(
      await buildReceipt(env, {
        shard: org.shard,
        projectId: project.id,
        projectSlug: project.slug,
        eventId,
        stored,
        spooled,
      }),
    );
  });
}
