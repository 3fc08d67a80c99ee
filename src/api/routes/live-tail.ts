// `GET /api/0/projects/{org}/{project}/tail/` with `Upgrade: websocket`: a live stream of what the project
// receives, accepted and dropped items with their reason (JSON messages `hello`, `items`, `sampled`);
// a plain GET is a 426 with a detail.
// Members with `event:read` only; the project's Durable Object holds the socket.
import { FaultlineError } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { openLiveTail } from "../../project/index.ts";
import { requestProject } from "../access.ts";

export function registerLiveTailRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/tail/", async (req, env) => {
    const { project } = await requestProject(req, env, "event:read");
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      throw new FaultlineError(426, "Open this endpoint as a WebSocket (Upgrade: websocket).");
    }
    return openLiveTail(env, project.id);
  });
}
